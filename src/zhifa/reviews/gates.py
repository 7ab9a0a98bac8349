"""The hard gate (REV-09): 未经法制审核或者审核未通过的，不得作出决定.

``review_refusals`` is registered as an instruments gate for the decision
instruments, so every door that issues them (workbench, API, command, admin —
all through ``instruments_issue``) is refused under the case's row lock, and
as a stage rule for entering 送达执行. A decision is allowed when the case is
outside the review's reach, or the latest round's opinion agreed, or a signed
collective deliberation on that opinion decided to issue; and in either case
only on the draft decision that was reviewed.
"""

from __future__ import annotations

from zhifa.cases.models import Case, Stage
from zhifa.cases.rules import Facts, rule
from zhifa.instruments.gates import gate
from zhifa.instruments.models import Kind
from zhifa.reviews import catalogue
from zhifa.reviews.models import CollectiveDeliberation, Forwarding, Opinion, Submission

PREFIX = "法制审核："


def review_refusals(case: Case) -> list[str]:
    refusals = unit_refusals(case)
    if refusals or not catalogue.in_government_name(case):
        return refusals
    # In the county government's name: the 司法局 must agree too (REV-03, 001 附件3 §7).
    latest = Submission.objects.filter(case=case).order_by("-round").first()
    forwarding = Forwarding.objects.filter(review__submission=latest).first()
    if forwarding is None:
        return [f"{PREFIX}以本级人民政府名义作出的决定，须报送司法局审核"]
    if forwarding.state == Forwarding.State.FORWARDED:
        return [f"{PREFIX}已报送司法局，司法局尚未出具审核意见"]
    if not forwarding.agreed:
        return [f"{PREFIX}司法局审核不同意：{forwarding.opinion}"]
    return []


def unit_refusals(case: Case) -> list[str]:
    """What the agency's own review still lacks before the decision."""
    reasons = catalogue.why_reviewed(case)
    if not reasons:
        return []
    why = "；".join(dict.fromkeys(r.label for r in reasons))
    latest = (
        Submission.objects.filter(case=case).select_related("review").order_by("-round").first()
    )
    if latest is None:
        return [f"{PREFIX}本案须经法制审核（{why}），未经法制审核不得作出决定"]
    if latest.state != Submission.State.DECIDED:
        return [
            f"{PREFIX}第{latest.round}轮送审{latest.get_state_display()}，审核未通过前不得作出决定"
        ]
    record = catalogue.decision_record(case)
    if record is None or record.pk != latest.decision_record_id:
        return [f"{PREFIX}决定代拟稿在送审后已更改，须重新送审"]
    review = latest.review
    if review.opinion == Opinion.AGREE:
        return []
    outcomes = set(review.deliberations.values_list("outcome", flat=True))
    if CollectiveDeliberation.Outcome.ISSUE in outcomes:
        return []
    if outcomes:
        return [f"{PREFIX}集体讨论决定不作出该决定"]
    return [
        f"{PREFIX}审核意见为“{review.get_opinion_display()}”，审核未通过；"
        "须按意见处理后重新送审，或申请复审、经机关负责人集体讨论决定"
    ]


@gate(Kind.DECISION, Kind.ONSPOT_DECISION)
def _decision_gate(case: Case, kind: str) -> list[str]:
    return review_refusals(case)


@rule(Stage.EXECUTION)
def _reviewed_before_execution(f: Facts) -> list[str]:
    return review_refusals(f.case)
