"""Recording a case's remedy outcomes (SUP-03, SUP-05, PUB-09, PUB-11).

The agency's legal unit (法制机构, which answers reconsiderations and
litigation) or its leader records what the reconsideration body, the court or
the agency itself decided, at any stage of the case, archived cases included:
the outcome usually arrives months after the case was closed. Each entry is
written with its ledger entry in one transaction. An outcome that changes the
decision (撤销, 确认违法, 变更, 责令重作) takes the decision off the portal in
the same transaction, with the outcome as the public reason (PUB-09).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from zhifa import ledger
from zhifa.accounts.models import Role
from zhifa.accounts.selectors import officer_of, roles_of
from zhifa.cases.models import Case, Record
from zhifa.cases.services import row_digest
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.remedies.models import CHANGING, SELF_CORRECTION_OUTCOMES, Remedy
from zhifa.reviews.catalogue import decision_record

# The fields a remedy's digest covers (and its ledger entry records).
FIELDS = (
    "case_id",
    "channel",
    "instance",
    "outcome",
    "body",
    "document_number",
    "filed_on",
    "decided_on",
    "summary",
    "supersedes_id",
    "correction_reason",
)
Outcome = Remedy.Outcome


def may_record(actor, case: Case) -> bool:
    """The case agency's legal unit (its legal reviewers, or staff of a unit of
    the legal kind) or one of its leaders."""
    from zhifa.disclosures.services import is_legal_unit

    officer = officer_of(actor)
    if officer is None or officer.agency_id != case.agency_id:
        return False
    return Role.LEADER in roles_of(actor) or is_legal_unit(actor, case.agency)


def remedy_digest(remedy: Remedy) -> str:
    return row_digest(remedy, FIELDS)


INSTANCES = list(Remedy.Instance.values)  # 一审, 二审, 再审: in order


def is_appeal(earlier: Remedy, channel: str, instance: str) -> bool:
    """Whether an entry of ``channel``/``instance`` records a higher instance's
    judgment on ``earlier`` (上诉、再审) rather than correcting it: it supersedes
    the lower judgment, which then no longer counts, and needs no correction
    reason."""
    return (
        earlier.channel == channel == Remedy.Channel.LITIGATION
        and instance in INSTANCES
        and earlier.instance in INSTANCES
        and INSTANCES.index(instance) > INSTANCES.index(earlier.instance)
    )


def _clean(case: Case, data: dict, decision: Record, supersedes: Remedy | None) -> dict:
    channel, outcome = data.get("channel", ""), data.get("outcome", "")
    if channel not in Remedy.Channel.values:
        raise InvalidInput("请选择渠道：行政复议、行政诉讼或自行纠正。", code="remedy_channel")
    if outcome not in Outcome.values:
        raise InvalidInput("请选择结果。", code="remedy_outcome")
    body = (data.get("body") or "").strip()
    number = (data.get("document_number") or "").strip()
    summary = (data.get("summary") or "").strip()
    instance = data.get("instance") or ""
    filed_on: date | None = data.get("filed_on")
    decided_on: date | None = data.get("decided_on")
    today = timezone.localdate()
    decided_at = timezone.localdate(decision.occurred_at)
    external = channel != Remedy.Channel.SELF_CORRECTION

    if channel == Remedy.Channel.LITIGATION:
        if instance not in Remedy.Instance.values:
            raise InvalidInput("行政诉讼请选择审级（一审、二审或再审）。", code="remedy_instance")
    elif instance:
        raise InvalidInput("只有行政诉讼有审级。", code="remedy_instance")
    if external:
        if not body:
            raise InvalidInput(
                "请填写作出决定的复议机关或审理的人民法院。", code="remedy_body_required"
            )
        if filed_on is None:
            raise InvalidInput("请填写申请复议或起诉的日期。", code="remedy_filed_required")
    else:
        if outcome not in SELF_CORRECTION_OUTCOMES:
            allowed = "、".join(
                Outcome(o).label for o in Outcome.values if o in SELF_CORRECTION_OUTCOMES
            )
            raise InvalidInput(f"自行纠正的结果只能是：{allowed}。", code="remedy_outcome")
        body = body or case.agency.name
        filed_on = None
    if outcome == Outcome.PENDING:
        if decided_on is not None:
            raise InvalidInput("审理中的事项没有决定日期。", code="remedy_pending_decided")
    elif decided_on is None:
        raise InvalidInput("请填写复议决定、裁判或纠正的日期。", code="remedy_decided_required")
    for label, day in (("申请（起诉）日期", filed_on), ("决定（裁判）日期", decided_on)):
        if day is None:
            continue
        if day > today:
            raise InvalidInput(f"{label}不能晚于今天。", code="remedy_in_future")
        if day < decided_at:
            raise InvalidInput(
                f"{label}不能早于本案执法决定的日期（{decided_at:%Y-%m-%d}）。",
                code="remedy_before_decision",
            )
    if filed_on and decided_on and decided_on < filed_on:
        raise InvalidInput("决定（裁判）日期不能早于申请（起诉）日期。", code="remedy_dates")
    if outcome != Outcome.PENDING and external and not number:
        raise InvalidInput("请填写复议决定书或裁判文书的文号。", code="remedy_document_required")
    reason = (data.get("correction_reason") or "").strip()
    if (
        supersedes is not None
        and supersedes.outcome != Outcome.PENDING
        and not is_appeal(supersedes, channel, instance)
        and not reason
    ):
        raise InvalidInput("更正已登记的结果，请说明更正原因。", code="remedy_reason_required")
    return {
        "channel": channel,
        "instance": instance,
        "outcome": outcome,
        "body": body[:128],
        "document_number": number[:64],
        "filed_on": filed_on,
        "decided_on": decided_on,
        "summary": summary,
        "correction_reason": reason[:255],
    }


def _withdraw_publications(actor, case: Case, remedy: Remedy) -> list:
    """Take the case's published decisions off the portal and close its drafts of
    the changed decision, so that none is published later (PUB-09)."""
    from zhifa.disclosures.models import Disclosure
    from zhifa.disclosures.services import disclosure_withdraw, withhold_remedied

    reason = f"经{remedy.label}"
    if remedy.channel != Remedy.Channel.SELF_CORRECTION:
        reason += f"（{remedy.body}"
        reason += f"，{remedy.document_number}）" if remedy.document_number else "）"
    reason += "，原公示的行政执法决定撤下。"
    published = Disclosure.objects.filter(
        agency=case.agency,
        case_id_ref=case.pk,
        kind=Disclosure.Kind.DECISION,
        status=Disclosure.Status.PUBLISHED,
    ).order_by("pk")
    takedowns = [disclosure_withdraw(actor=actor, disclosure=d, reason=reason) for d in published]
    withhold_remedied(actor=actor, case_id=case.pk, ground=reason)
    return takedowns


def remedy_record(*, actor, case: Case, supersedes: Remedy | None = None, **data) -> Remedy:
    """Record one outcome of the case's decision; ``supersedes`` names the
    pending entry it concludes, or the mistaken entry it corrects (with
    ``correction_reason``)."""
    if not may_record(actor, case):
        raise Forbidden(
            "只有本机关法制机构人员或机关负责人可以登记复议、诉讼及纠错结果。",
            code="remedy_not_allowed",
        )
    decision = decision_record(case)
    if decision is None:
        raise Conflict(
            "本案尚无有效的执法决定，没有可登记的复议、诉讼或纠错结果。", code="remedy_no_decision"
        )
    with transaction.atomic():
        # One remedy of a case at a time: a second one waits and then sees the first.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        if supersedes is not None:
            supersedes = Remedy.objects.select_for_update().filter(pk=supersedes.pk).first()
            if supersedes is None or supersedes.case_id != case.pk:
                raise InvalidInput("要取代的登记不属于本案。", code="remedy_other_case")
            if Remedy.objects.filter(supersedes=supersedes).exists():
                raise Conflict("该登记已被取代，请在最新的登记上操作。", code="remedy_superseded")
        fields = _clean(case, data, decision, supersedes)
        remedy = Remedy(case=case, supersedes=supersedes, recorded_by=actor, **fields)
        remedy.digest = remedy_digest(remedy)
        remedy.save()
        takedowns = []
        if remedy.outcome in CHANGING and not (
            supersedes is not None and supersedes.outcome in CHANGING
        ):
            takedowns = _withdraw_publications(actor, case, remedy)
        ledger.append(
            actor=actor,
            action="remedy.record",
            obj=remedy,
            agency_id=case.agency_id,
            payload={
                "case": case.number,
                "digest": remedy.digest,
                "channel": remedy.channel,
                "outcome": remedy.outcome,
                "supersedes": remedy.supersedes_id,
                "withdrawn": [t.disclosure_id for t in takedowns],
            },
        )
    remedy.withdrawn = takedowns
    return remedy
