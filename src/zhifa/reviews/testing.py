"""Test kit for the legal review: helpers, and the ``@step`` that lets
``zhifa.cases.testing.advance_to`` (and the demo) take a major case to 送达执行.

The step must run before the instruments' step issues the decision, which the
review's gate refuses until a review agreed: it is registered as an ``early``
step of 送达执行.
"""

from __future__ import annotations

from datetime import date

from zhifa.cases.driver import step
from zhifa.cases.models import Case, Procedure, Stage
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


def bureau_supervisor(agency):
    """A supervisor of the 司法局 whose region covers ``agency`` (the user), if any."""
    from zhifa.accounts.models import Officer, Role
    from zhifa.accounts.selectors import supervised_region

    for officer in Officer.objects.filter(
        agency__kind="supervisory", role_grants__role=Role.SUPERVISOR, is_active=True
    ).select_related("user", "agency__region"):
        region = supervised_region(officer.user)
        if region is not None and agency.region.code.startswith(region.code_prefix):
            return officer.user
    return None


def forward_and_agree(t, review: LegalReview):
    """Forward a decision in the county government's name; the 司法局 agrees."""
    forwarding = services.forwarding_create(actor=t.reviewer, review=review, note="请审核")
    return services.forwarding_answer(
        actor=bureau_supervisor(review.submission.case.agency),
        forwarding=forwarding,
        agreed=True,
        opinion="同意以本级人民政府名义作出决定。",
    )


@step(Stage.EXECUTION, early=True)  # before the instruments' step issues the decision
def review_when_needed(t, case: Case) -> LegalReview | None:
    """Pass the legal review when the case needs one and has not passed it; a
    decision in the county government's name also goes to the 司法局, which agrees."""
    if not catalogue.needs_review(case) or not review_refusals(case):
        return None
    from zhifa.instruments.testing import _use_issued_form
    from zhifa.reviews.gates import unit_refusals

    # The instruments' step corrects an on-the-spot decision's form number, which
    # supersedes the draft: do it first, so the review is of the draft issued.
    if case.procedure == Procedure.SIMPLE:
        _use_issued_form(t, case)

    review = review_pass(t, case) if unit_refusals(case) else latest_review(case)
    if catalogue.in_government_name(case) and review_refusals(case):
        forward_and_agree(t, review)
    return review


def latest_review(case: Case) -> LegalReview | None:
    return LegalReview.objects.filter(submission__case=case).order_by("-submission__round").first()
