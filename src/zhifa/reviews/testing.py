"""Test kit for the legal review: helpers, and the ``@step`` that lets
``zhifa.cases.testing.advance_to`` (and the demo) take a major case to 送达执行.

The step must run before the instruments' step issues the decision, which the
review's gate refuses until a review agreed: it is registered as an ``early``
step of 送达执行.
"""

from __future__ import annotations

from datetime import date

from zhifa.cases.driver import step
from zhifa.cases.models import Case, Stage
from zhifa.reviews import catalogue, services
from zhifa.reviews.gates import review_refusals
from zhifa.reviews.models import Finding, LegalReview, Material, Opinion, ReviewPoint, Submission

FULL_MATERIALS = {code: f"{label}（附卷）" for code, label in Material.choices}
ALL_OK = [{"point": p, "finding": Finding.OK, "note": ""} for p in ReviewPoint.values]


def rule(t, *, code="R1", name="较大数额罚款", effective_from=date(2020, 1, 1), **kw):
    """A catalogue rule of the team's agency, saved by its reviewer."""
    return services.rule_save(
        actor=t.reviewer,
        agency=t.agency,
        data=services.RuleInput(code=code, name=name, effective_from=effective_from, **kw),
    )


def submit(t, case: Case, *, materials=None, **kw) -> Submission:
    return services.review_submit(
        actor=t.lead, case=case, materials=FULL_MATERIALS if materials is None else materials, **kw
    )


def decide(t, submission: Submission, opinion=Opinion.AGREE, **kw) -> LegalReview:
    findings = kw.pop("findings", None)
    if findings is None:
        findings = ALL_OK
        if opinion != Opinion.AGREE:
            findings = [
                {**f, "finding": Finding.PROBLEM, "note": "裁量不当"}
                if f["point"] == ReviewPoint.DISCRETION
                else f
                for f in ALL_OK
            ]
    return services.review_decide(
        actor=t.reviewer,
        submission=submission,
        opinion=opinion,
        text=kw.pop("text", "事实清楚，证据确凿，程序合法，适用法律正确，同意。"),
        findings=findings,
        **kw,
    )


def review_pass(t, case: Case) -> LegalReview:
    """Submit the case and have the reviewer accept the materials and agree."""
    submission = submit(t, case)
    submission = services.submission_check(actor=t.reviewer, submission=submission)
    return decide(t, submission)


@step(Stage.EXECUTION, early=True)  # before the instruments' step issues the decision
def review_when_needed(t, case: Case) -> LegalReview | None:
    """Pass the legal review when the case needs one and has not passed it."""
    if not catalogue.needs_review(case) or not review_refusals(case):
        return None
    return review_pass(t, case)
