"""Writes to the public portal (PUB-01, PUB-06 … PUB-10, PUB-13). Each function
runs in one transaction, checks who is acting and appends its ledger entry.

Who may act [001 附件1 §8, §12]: officers of the agency prepare items and submit
them; the agency's legal unit (法制机构: its legal reviewers and the staff of a
unit of kind ``legal``) confirms, returns or withholds them, and with the
agency's leaders withdraws and corrects published ones. Nothing is published
without that confirmation, and nobody confirms or withholds an item they
prepared or submitted themselves (PUB-13, ``ZHIFA_DISCLOSURE_FOUR_EYES``).
"""

from __future__ import annotations

import calendar
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhifa import ledger
from zhifa.accounts.models import Agency, Role, Unit
from zhifa.accounts.selectors import is_sysadmin, officer_of, roles_of
from zhifa.catalogues.models import ActionKind, Matter
from zhifa.catalogues.workdays import workdays_add
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.disclosures import redaction, search
from zhifa.disclosures.models import (
    DeadlineRule,
    Disclosure,
    DisclosureEvent,
    PublicRequest,
    Takedown,
)

S = Disclosure.Status
TEXT_FIELDS = ("title", "violation_type", "facts", "basis", "conclusion", "body", "licence")
PUBLIC_FIELDS = (*TEXT_FIELDS, "party_name", "party_representative", "document_number")

# --- Who may act ------------------------------------------------------------------------


def _staff_of(actor, agency: Agency):
    officer = officer_of(actor)
    if officer and officer.agency_id == agency.pk and officer.is_active:
        return officer
    return None


def require_preparer(actor, agency: Agency) -> None:
    if is_sysadmin(actor) or _staff_of(actor, agency):
        return
    raise Forbidden("只有本机关在岗人员可以拟制公示信息。")


def is_legal_unit(actor, agency: Agency) -> bool:
    officer = _staff_of(actor, agency)
    if officer is None:
        return False
    if Role.REVIEWER in roles_of(actor):
        return True
    return officer.unit_id is not None and officer.unit.kind == Unit.Kind.LEGAL


def require_legal_unit(actor, agency: Agency) -> None:
    if is_legal_unit(actor, agency):
        return
    raise Forbidden(
        "公示信息须经本机关法制机构审核：只有本机关法制审核人员或法制机构人员可以操作。"
    )


def own_work(actor, disclosure: Disclosure) -> str:
    """Why ``actor`` may not confirm ``disclosure`` themselves: they prepared it
    (拟稿) or handed it to review (提交审核). Blank when someone else did both,
    or when the agency works without a second pair of eyes
    (``ZHIFA_DISCLOSURE_FOUR_EYES`` off, PUB-13)."""
    if not settings.ZHIFA_DISCLOSURE_FOUR_EYES or not getattr(actor, "is_authenticated", False):
        return ""
    if disclosure.created_by_id == actor.pk:
        return "您是该信息的拟稿人"
    submitted = disclosure.events.filter(action=DisclosureEvent.Action.SUBMIT, actor=actor)
    if submitted.exists():
        return "您提交了该信息的法制审核"
    return ""


def require_second_person(actor, disclosure: Disclosure, *, doing: str) -> None:
    """Publication and the decision not to publish are checked by someone other
    than who prepared or submitted the public version (PUB-13)."""
    reason = own_work(actor, disclosure)
    if reason:
        raise Forbidden(
            f"{reason}，不能{doing}：须由拟稿人和提交人以外的本机关法制机构人员审核。",
            code="own_item",
        )


def require_withdrawer(actor, agency: Agency) -> None:
    if is_legal_unit(actor, agency):
        return
    if _staff_of(actor, agency) and Role.LEADER in roles_of(actor):
        return
    raise Forbidden("只有本机关法制机构人员或机关负责人可以撤回、更正已公示的信息。")


# --- Dates ------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def deadline_workdays(action_kind: str, matter: Matter | None) -> int:
    """7 working days for 许可 and 处罚, 20 for the rest, unless the matter has
    its own rule (PUB-06; 001 附件1 §19)."""
    if matter is not None:
        rule = DeadlineRule.objects.filter(matter=matter).first()
        if rule is not None:
            return rule.workdays
    if action_kind in (ActionKind.LICENSING, ActionKind.PENALTY):
        return settings.ZHIFA_DISCLOSURE_WORKDAYS_DECISION
    return settings.ZHIFA_DISCLOSURE_WORKDAYS_OTHER


def decision_deadlines(instruments) -> list:
    """The publication deadline of each issued decision, for the queue: the
    matters' own rules in one query and the work calendar over the whole span in
    two, never a query per row (the queue lists up to 200 of them)."""
    from zhifa.catalogues.workdays import workdays_add_many

    instruments = list(instruments)
    if not instruments:
        return []
    matter_ids = {i.case.matter_id for i in instruments if i.case.matter_id}
    rules = dict(
        DeadlineRule.objects.filter(matter_id__in=matter_ids).values_list("matter_id", "workdays")
    )
    wanted = []
    for instrument in instruments:
        case = instrument.case
        days = rules.get(case.matter_id)
        if days is None:
            days = deadline_workdays(case.action_kind, None)
        wanted.append((timezone.localtime(instrument.issued_at).date(), days))
    return workdays_add_many(wanted)


def display_months(party_kind: str) -> int:
    """At least 2 years; 6 months where the party is a natural person (PUB-08)."""
    if party_kind == Disclosure.PartyKind.NATURAL:
        return settings.ZHIFA_DISCLOSURE_DISPLAY_MONTHS_NATURAL
    return settings.ZHIFA_DISCLOSURE_DISPLAY_MONTHS


# --- Preparing the public version (PUB-06, PUB-07) --------------------------------------


@dataclass
class PartyInput:
    """The party of the item, as the case knows it. Only ``public_name`` and, for
    organisations, the credit code and representative reach the portal."""

    kind: str = ""
    name: str = ""
    credit_code: str = ""
    representative: str = ""
    id_number: str = ""
    address: str = ""
    phone: str = ""

    @property
    def is_natural(self) -> bool:
        return self.kind == Disclosure.PartyKind.NATURAL

    @property
    def public_name(self) -> str:
        if self.is_natural:
            return redaction.mask_name(self.name)
        if self.kind == Disclosure.PartyKind.INDIVIDUAL_BUSINESS and self.representative:
            # A 个体工商户 without a 字号 goes by its operator's name: mask it.
            return redaction.redact(self.name.strip(), names=[self.representative]).text
        return self.name.strip()


@dataclass
class DraftInput:
    kind: str
    title: str
    topic: str = ""
    action_kind: str = ""
    matter: Matter | None = None
    decided_on: date | None = None
    document_number: str = ""
    party: PartyInput = field(default_factory=PartyInput)
    violation_type: str = ""
    facts: str = ""
    basis: str = ""
    conclusion: str = ""
    body: str = ""
    fine_amount: Decimal | None = None
    confiscated_amount: Decimal | None = None
    licence: str = ""
    # Further natural persons named in the texts (witnesses, relatives, a 个体工商户's
    # operator) and addresses to hide.
    private_names: tuple[str, ...] = ()
    private_addresses: tuple[str, ...] = ()
    case_id_ref: int | None = None
    record_id_ref: int | None = None
    instrument_id_ref: int | None = None
    inspection_id_ref: int | None = None


def _hidden_names(draft: DraftInput) -> list[str]:
    names = [n.strip() for n in draft.private_names if n and n.strip()]
    party = draft.party
    if party.is_natural and party.name.strip():
        names.append(party.name.strip())
    if party.kind == Disclosure.PartyKind.INDIVIDUAL_BUSINESS and party.representative.strip():
        names.append(party.representative.strip())
    if party.kind in ("legal", "other_org"):
        # A legal person's representative is published with it (双公示 法定代表人).
        names = [n for n in names if n not in (party.representative.strip(), party.name.strip())]
    return sorted(set(names))


def _hidden_addresses(draft: DraftInput) -> list[str]:
    addresses = [a.strip() for a in draft.private_addresses if a and a.strip()]
    if (
        draft.party.kind
        in (
            Disclosure.PartyKind.NATURAL,
            Disclosure.PartyKind.INDIVIDUAL_BUSINESS,
        )
        and draft.party.address.strip()
    ):
        addresses.append(draft.party.address.strip())
    return sorted(set(addresses))


def _check(draft: DraftInput) -> None:
    if draft.kind not in Disclosure.Kind.values:
        raise InvalidInput(f"公示类型“{draft.kind}”无效。", code="kind_invalid")
    if not (draft.title or "").strip():
        raise InvalidInput("标题不能为空。", code="title_required")
    if draft.kind == Disclosure.Kind.EX_ANTE and draft.topic not in Disclosure.Topic.values:
        raise InvalidInput("请选择事前公开信息的类别。", code="topic_invalid")
    if draft.kind != Disclosure.Kind.EX_ANTE and draft.topic:
        raise InvalidInput("只有事前公开信息有类别。", code="topic_invalid")
    if draft.action_kind and draft.action_kind not in ActionKind.values:
        raise InvalidInput(f"执法类别“{draft.action_kind}”无效。", code="action_kind_invalid")
    if draft.party.kind and draft.party.kind not in Disclosure.PartyKind.values:
        raise InvalidInput(f"当事人类型“{draft.party.kind}”无效。", code="party_kind_invalid")
    if draft.kind != Disclosure.Kind.EX_ANTE and draft.decided_on is None:
        raise InvalidInput("请填写决定或办结日期：公开期限从该日起计算。", code="date_required")
    for amount in (draft.fine_amount, draft.confiscated_amount):
        if amount is not None and Decimal(amount) < 0:
            raise InvalidInput("金额不能为负数。", code="amount_negative")


def _kept(agency: Agency) -> list[str]:
    """What redaction leaves alone: the agency's name and its public phones."""
    return [a for a in (agency.name, agency.phone, agency.complaint_phone) if a]


def _public_fields(draft: DraftInput, agency: Agency) -> tuple[dict, dict, list[str]]:
    names = _hidden_names(draft)
    addresses = _hidden_addresses(draft)
    keep = _kept(agency)
    public: dict = {}
    marks: dict = {}
    for name in TEXT_FIELDS:
        # Stripped before redacting, so the marks point into the text as published.
        result = redaction.redact(
            (getattr(draft, name) or "").strip(), names=names, addresses=addresses, keep=keep
        )
        public[name] = result.text
        if result.marks:
            marks[name] = [list(mark) for mark in result.marks]
    party = draft.party
    public["party_name"] = party.public_name
    public["party_credit_code"] = "" if party.is_natural else party.credit_code.strip()
    # A legal person's representative is public (双公示 法定代表人); a natural
    # person has none, and a 个体工商户's operator is a natural person.
    public["party_representative"] = (
        party.representative.strip() if party.kind in ("legal", "other_org") else ""
    )
    public["document_number"] = draft.document_number.strip()
    return public, marks, names


def _event(disclosure: Disclosure, actor, action: str, from_status: str, note: str = ""):
    return DisclosureEvent.objects.create(
        disclosure=disclosure,
        action=action,
        from_status=from_status,
        to_status=disclosure.status,
        note=note,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=timezone.now(),
    )


@transaction.atomic
def disclosure_prepare(
    *,
    actor,
    agency: Agency,
    draft: DraftInput,
    supersedes: Disclosure | None = None,
    explanation: str = "",
) -> Disclosure:
    """Build the public version of an item from its structured fields, redacted,
    with its publication deadline (PUB-06). It starts as a draft."""
    require_preparer(actor, agency)
    _check(draft)
    if draft.matter is not None and draft.matter.agency_id != agency.pk:
        raise InvalidInput("执法事项不属于本机关。", code="matter_other_agency")
    if (
        draft.instrument_id_ref
        and Disclosure.objects.filter(instrument_id_ref=draft.instrument_id_ref).exists()
    ):
        raise Conflict("该决定书已拟制公示信息。", code="already_prepared")
    public, marks, names = _public_fields(draft, agency)
    due_on, provisional = None, False
    if draft.decided_on is not None:
        deadline = workdays_add(
            draft.decided_on, deadline_workdays(draft.action_kind, draft.matter)
        )
        due_on, provisional = deadline.date, deadline.provisional
    disclosure = Disclosure.objects.create(
        agency=agency,
        kind=draft.kind,
        topic=draft.topic,
        action_kind=draft.action_kind,
        matter=draft.matter,
        case_id_ref=draft.case_id_ref,
        record_id_ref=draft.record_id_ref,
        instrument_id_ref=draft.instrument_id_ref,
        inspection_id_ref=draft.inspection_id_ref,
        party_kind=draft.party.kind,
        fine_amount=draft.fine_amount,
        confiscated_amount=draft.confiscated_amount,
        decided_on=draft.decided_on,
        due_on=due_on,
        due_provisional=provisional,
        redactions=marks,
        private_names=names,
        supersedes=supersedes,
        explanation=(explanation or "").strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **public,
    )
    _event(disclosure, actor, DisclosureEvent.Action.PREPARE, "")
    ledger.append(
        actor=actor,
        action="disclosure.prepare",
        obj=disclosure,
        payload={
            "kind": disclosure.kind,
            "title": disclosure.title,
            "due_on": due_on,
            "redactions": sum(len(v) for v in marks.values()),
            "supersedes": supersedes.pk if supersedes else None,
        },
    )
    return disclosure


def _case_people(case) -> tuple[PartyInput, list[str], list[str]]:
    """The case's first party, and the natural persons' names and addresses to
    hide from every public text of the case (other parties, a 个体工商户's
    operator, witnesses, other signers who are not officers)."""
    from zhifa.cases.models import Party, Signature

    parties = list(Party.objects.filter(case=case).order_by("pk"))
    first = parties[0] if parties else None
    party = (
        PartyInput(
            kind=first.kind,
            name=first.name,
            credit_code=first.credit_code,
            representative=first.representative,
            id_number=first.id_number,
            address=first.address,
            phone=first.phone,
        )
        if first
        else PartyInput()
    )
    others = [p for p in parties[1:]]
    names = [p.name for p in others if p.kind == Party.Kind.NATURAL]
    names += [p.representative for p in parties if p.kind == "individual_business"]
    witnesses = Signature.objects.filter(record__case=case).exclude(witness_name="")
    names += list(witnesses.values_list("witness_name", flat=True))
    names += list(
        Signature.objects.filter(
            record__case=case,
            role__in=[r for r in Signature.Role.values if r not in ("officer", "leader")],
        ).values_list("name", flat=True)
    )
    addresses = [p.address for p in others if p.kind == Party.Kind.NATURAL and p.address]
    return party, names, addresses


def decision_draft(instrument) -> DraftInput:
    """The structured fields of an issued 行政处罚决定书 and its decision record."""
    case = instrument.case
    record = instrument.record
    content = record.content if record is not None else {}
    party, names, addresses = _case_people(case)
    amount = content.get("fine_amount") or None
    decided = timezone.localtime(instrument.issued_at).date()
    party_label = party.public_name
    return DraftInput(
        kind=Disclosure.Kind.DECISION,
        title=f"{instrument.title} {instrument.number}".strip()
        + (f"（{party_label}）" if party_label else ""),
        action_kind=case.action_kind,
        matter=case.matter,
        decided_on=decided,
        document_number=instrument.number,
        party=party,
        violation_type=case.matter.name if case.matter_id else "",
        facts=content.get("facts", ""),
        basis=content.get("basis", ""),
        conclusion=content.get("conclusion", ""),
        fine_amount=Decimal(str(amount)) if amount else None,
        private_names=tuple(n for n in names if n),
        private_addresses=tuple(addresses),
        case_id_ref=case.pk,
        record_id_ref=record.pk if record is not None else None,
        instrument_id_ref=instrument.pk,
    )


def decision_prepare(*, actor, instrument) -> Disclosure:
    """Prepare the public version of an issued decision (PUB-06)."""
    from zhifa.cases.selectors import case_list
    from zhifa.cases.services import case_viewed
    from zhifa.instruments.models import Kind

    if instrument.kind not in (Kind.DECISION,):
        raise InvalidInput("只有行政执法决定书需要公示。", code="not_a_decision")
    # The public version is drawn from the case's records: only those who may
    # read the case prepare it, and the look is on record (REC-12).
    if not case_list(actor=actor).filter(pk=instrument.case_id).exists():
        raise Forbidden(
            "只有能查阅该案件的人员（承办人员、机关负责人、法制审核人员）可以拟制其公示信息。"
        )
    case_viewed(actor=actor, case=instrument.case, what=f"instrument:{instrument.pk}:disclosure")
    remedy = _changing_remedy(instrument.case_id)
    if remedy is not None and instrument.issued_at < remedy.recorded_at:
        raise Conflict(
            f"本案执法决定已经{remedy.label}，原决定书不再公示；请公示重新作出的决定。",
            code="decision_remedied",
        )
    original, explanation = _changed_by_remedy(instrument.case, remedy)
    with transaction.atomic():
        item = disclosure_prepare(
            actor=actor,
            agency=instrument.agency,
            draft=decision_draft(instrument),
            supersedes=original,
            explanation=explanation,
        )
        if original is not None:
            Takedown.objects.filter(disclosure=original, replacement__isnull=True).update(
                replacement=item
            )
    return item


def remedied(disclosure: Disclosure):
    """The remedy outcome in force that revoked, varied, remade or confirmed
    illegal the decision ``disclosure`` was made from (PUB-09), or ``None``.

    An item made from an instrument issued (or a record entered) before the
    outcome was recorded shows the changed decision and may no longer be
    published; the replacement of a withdrawn item and an item of the decision
    made afterwards may."""
    if (
        disclosure.kind != Disclosure.Kind.DECISION
        or not disclosure.case_id_ref
        or disclosure.supersedes_id
    ):
        return None
    remedy = _changing_remedy(disclosure.case_id_ref)
    if remedy is None:
        return None
    return remedy if _made_at(disclosure) < remedy.recorded_at else None


def _changing_remedy(case_id: int):
    """The latest remedy outcome in force that changed the case's decision."""
    from zhifa.remedies.models import CHANGING, Remedy

    return (
        Remedy.objects.filter(case_id=case_id, superseded_by__isnull=True, outcome__in=CHANGING)
        .order_by("-recorded_at", "-pk")
        .first()
    )


def _made_at(disclosure: Disclosure):
    """When the decision an item shows was made in the system: its instrument's
    issue, else its record's entry, else the item's own drafting."""
    if disclosure.instrument_id_ref:
        from zhifa.instruments.models import Instrument

        issued = (
            Instrument.objects.filter(pk=disclosure.instrument_id_ref)
            .values_list("issued_at", flat=True)
            .first()
        )
        if issued:
            return issued
    if disclosure.record_id_ref:
        from zhifa.cases.models import Record

        entered = (
            Record.objects.filter(pk=disclosure.record_id_ref)
            .values_list("created_at", flat=True)
            .first()
        )
        if entered:
            return entered
    return disclosure.created_at


def _refuse_remedied(disclosure: Disclosure) -> None:
    remedy = remedied(disclosure)
    if remedy is not None:
        raise Conflict(
            f"本案执法决定已经{remedy.label}，原决定不再公示；请公示重新作出的决定。",
            code="decision_remedied",
        )


def withhold_remedied(*, actor, case_id: int, ground: str) -> list[Disclosure]:
    """Close the case's decision items not yet published that show a decision a
    remedy outcome has just changed: they are withheld with the outcome as the
    ground, so none of them is published later or counted as overdue (PUB-09).
    Called by ``remedies.services.remedy_record`` in its transaction; the
    recorder is the legal unit or a leader, and this is no confirmation of a
    draft's content, so the four-eyes rule does not apply."""
    closed = []
    for disclosure in (
        Disclosure.objects.select_for_update()
        .filter(
            case_id_ref=case_id,
            kind=Disclosure.Kind.DECISION,
            status__in=(S.DRAFT, S.IN_REVIEW),
        )
        .order_by("pk")
    ):
        if remedied(disclosure) is None:
            continue
        _withhold(actor, disclosure, ground)
        closed.append(disclosure)
    return closed


def _changed_by_remedy(case, remedy) -> tuple[Disclosure | None, str]:
    """A case whose published decision was taken down because a reconsideration,
    a court or the agency itself changed it (``zhifa.remedies``): the withdrawn
    item and the explanation its new decision's publication carries (PUB-09).
    ``remedy`` is the case's changing outcome in force (``_changing_remedy``)."""
    from zhifa.remedies.models import Remedy

    if remedy is None:
        return None, ""
    original = (
        Disclosure.objects.filter(
            case_id_ref=case.pk,
            kind=Disclosure.Kind.DECISION,
            status=S.WITHDRAWN,
            superseded_by__isnull=True,
        )
        .order_by("-pk")
        .first()
    )
    if original is None:
        return None, ""
    source = remedy.body if remedy.channel != Remedy.Channel.SELF_CORRECTION else ""
    if remedy.document_number:
        source = f"{source}，{remedy.document_number}" if source else remedy.document_number
    return original, (
        f"原行政执法决定（{original.document_number or original.title}）经{remedy.label}"
        + (f"（{source}）" if source else "")
        + "，原公示已撤下；现公示重新作出的决定。"
    )


ACTIVE = (S.DRAFT, S.IN_REVIEW, S.PUBLISHED)


def inspection_result_prepare(*, actor, inspection) -> Disclosure:
    """Prepare the public version of an approved inspection result (INS-02,
    PUB-06) from its structured fields (主体, 对象, 依据, 检查情况, 结论, 日期)
    and hand it to the legal unit: the result was already reviewed, the legal
    unit still confirms what the public sees (PUB-13). Called by
    ``inspections.services.result_review`` in the approving transaction."""
    from zhifa.inspections.disclosure import inspection_draft
    from zhifa.inspections.models import Inspection

    if inspection.status != Inspection.Status.APPROVED:
        raise Conflict("只有审核通过的抽查结果可以拟制公示信息。", code="not_approved")
    if Disclosure.objects.filter(inspection_id_ref=inspection.pk, status__in=ACTIVE).exists():
        raise Conflict("该抽查结果已拟制公示信息。", code="already_prepared")
    draft = inspection_draft(inspection)
    draft.inspection_id_ref = inspection.pk
    item = disclosure_prepare(actor=actor, agency=inspection.plan.agency, draft=draft)
    return disclosure_submit(actor=actor, disclosure=item)


def _inspection_of(disclosure: Disclosure):
    if disclosure.kind != Disclosure.Kind.INSPECTION_RESULT or not disclosure.inspection_id_ref:
        return None
    from zhifa.inspections.models import Inspection

    return Inspection.objects.filter(pk=disclosure.inspection_id_ref).first()


# Execution records whose result is published as 执行信息 (PUB-06), and the
# content field holding the result. The 催告情况 is process information and stays internal (PUB-07).
EXECUTION_KINDS = {"coercive_execution": "result", "court_application": "outcome"}


def execution_draft(record) -> DraftInput:
    """执行信息 (PUB-06: 决定书编号, 执行主体, 对象, 依据, 结果) from an execution record
    and the case's issued decision."""
    from zhifa.instruments.models import Instrument, Kind

    case = record.case
    content = record.content or {}
    decision = (
        Instrument.objects.filter(case=case, kind=Kind.DECISION)
        .order_by("-issued_at", "-pk")
        .first()
    )
    number = decision.number if decision is not None else ""
    party, names, addresses = _case_people(case)
    if record.kind == "coercive_execution":
        basis = "；".join(
            x
            for x in (
                f"{decision.title} {number}".strip() if decision is not None else "",
                f"强制执行决定 {content.get('decision', '')}".strip(),
            )
            if x and x != "强制执行决定"
        )
        body = f"执行方式：{content.get('manner', '') or '—'}"
    else:
        basis = f"{decision.title} {number}".strip() if decision is not None else ""
        body = (
            f"申请人民法院强制执行：{content.get('application', '')}；"
            f"受理法院：{content.get('court', '') or '—'}"
        )
    label = party.public_name
    return DraftInput(
        kind=Disclosure.Kind.EXECUTION,
        title=f"执行信息 {number}".strip() + (f"（{label}）" if label else ""),
        action_kind=ActionKind.COERCION,
        matter=case.matter,
        decided_on=timezone.localtime(record.occurred_at).date(),
        document_number=number,
        party=party,
        violation_type=case.matter.name if case.matter_id else "",
        basis=basis,
        conclusion=content.get(EXECUTION_KINDS[record.kind], ""),
        body=body,
        private_names=tuple(n for n in names if n),
        private_addresses=tuple(addresses),
        case_id_ref=case.pk,
        record_id_ref=record.pk,
    )


def execution_prepare(*, actor, record) -> Disclosure:
    """Prepare the public version of a recorded execution (PUB-06)."""
    from zhifa.cases.selectors import case_list
    from zhifa.cases.services import case_viewed

    if record.kind not in EXECUTION_KINDS:
        raise InvalidInput("只有强制执行的执行结果需要作为执行信息公示。", code="not_execution")
    if not (record.content or {}).get(EXECUTION_KINDS[record.kind]):
        raise InvalidInput("该记录尚未载明执行结果，不能公示执行信息。", code="no_result")
    if type(record).objects.filter(supersedes=record).exists():
        raise Conflict("该记录已被更正，请对更正后的记录拟制。", code="superseded")
    if not case_list(actor=actor).filter(pk=record.case_id).exists():
        raise Forbidden(
            "只有能查阅该案件的人员（承办人员、机关负责人、法制审核人员）可以拟制其公示信息。"
        )
    if Disclosure.objects.filter(
        kind=Disclosure.Kind.EXECUTION, record_id_ref=record.pk, status__in=ACTIVE
    ).exists():
        raise Conflict("该执行记录已拟制公示信息。", code="already_prepared")
    case_viewed(actor=actor, case=record.case, what=f"record:{record.pk}:disclosure")
    return disclosure_prepare(actor=actor, agency=record.case.agency, draft=execution_draft(record))


# --- Review and publication (PUB-01, PUB-13) --------------------------------------------


def _locked(disclosure: Disclosure) -> Disclosure:
    return Disclosure.objects.select_for_update().get(pk=disclosure.pk)


def _require_status(disclosure: Disclosure, *allowed: str, doing: str) -> None:
    if disclosure.status not in allowed:
        raise Conflict(
            f"该公示信息当前状态为“{disclosure.get_status_display()}”，不能{doing}。",
            code="wrong_status",
        )


@transaction.atomic
def disclosure_submit(*, actor, disclosure: Disclosure) -> Disclosure:
    """Hand the draft to the legal unit for review (001 附件1 §12)."""
    require_preparer(actor, disclosure.agency)
    disclosure = _locked(disclosure)
    _require_status(disclosure, S.DRAFT, doing="提交审核")
    disclosure.status = S.IN_REVIEW
    disclosure.save(update_fields=["status"])
    _event(disclosure, actor, DisclosureEvent.Action.SUBMIT, S.DRAFT)
    ledger.append(actor=actor, action="disclosure.submit", obj=disclosure, payload={})
    return disclosure


@transaction.atomic
def disclosure_return(*, actor, disclosure: Disclosure, reason: str) -> Disclosure:
    require_legal_unit(actor, disclosure.agency)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请说明退回的理由。", code="reason_required")
    disclosure = _locked(disclosure)
    _require_status(disclosure, S.IN_REVIEW, doing="退回")
    disclosure.status = S.DRAFT
    disclosure.save(update_fields=["status"])
    _event(disclosure, actor, DisclosureEvent.Action.RETURN, S.IN_REVIEW, reason)
    ledger.append(
        actor=actor, action="disclosure.return", obj=disclosure, payload={"reason": reason}
    )
    return disclosure


def remaining_leaks(disclosure: Disclosure) -> list[tuple[str, str]]:
    """A last guard before publication: anything the redaction patterns would
    still hide in the public fields."""
    found = []
    keep = _kept(disclosure.agency)
    for name in PUBLIC_FIELDS:
        text = getattr(disclosure, name) or ""
        found += redaction.leaks(text, names=disclosure.private_names, keep=keep)
    return found


def search_text(disclosure: Disclosure) -> str:
    return " ".join(
        [disclosure.agency.name, disclosure.party_credit_code]
        + [getattr(disclosure, name) or "" for name in PUBLIC_FIELDS]
    )


@transaction.atomic
def disclosure_publish(*, actor, disclosure: Disclosure) -> Disclosure:
    """The legal unit confirms the public version and it is published (PUB-13),
    by someone other than who prepared or submitted it. An item past its
    deadline is still published, and stays marked late."""
    require_legal_unit(actor, disclosure.agency)
    disclosure = _locked(disclosure)
    _require_status(disclosure, S.IN_REVIEW, doing="公示")
    require_second_person(actor, disclosure, doing="审核通过并公示")
    _refuse_remedied(disclosure)
    leaks = remaining_leaks(disclosure)
    if leaks:
        kinds = "、".join(sorted({redaction.LABELS[kind] for kind, _ in leaks}))
        raise Conflict(
            f"公开版中仍有未隐去的个人信息（{kinds}），请退回修改后再公示。", code="not_redacted"
        )
    now = timezone.now()
    today = timezone.localdate(now)
    disclosure.status = S.PUBLISHED
    disclosure.published_at = now
    disclosure.is_late = disclosure.due_on is not None and today > disclosure.due_on
    if disclosure.kind == Disclosure.Kind.EX_ANTE:
        # Ex-ante lists stay until they are updated or withdrawn (PUB-03), not for a period.
        disclosure.display_until = date.max
    else:
        disclosure.display_until = add_months(today, display_months(disclosure.party_kind))
    disclosure.search_tokens = " ".join(search.tokens(search_text(disclosure)))
    disclosure.save(
        update_fields=["status", "published_at", "is_late", "display_until", "search_tokens"]
    )
    search.index_put(disclosure.pk, search_text(disclosure))
    _event(
        disclosure,
        actor,
        DisclosureEvent.Action.PUBLISH,
        S.IN_REVIEW,
        "逾期公开" if disclosure.is_late else "",
    )
    inspection = _inspection_of(disclosure)
    if inspection is not None and inspection.status == inspection.Status.APPROVED:
        # The inspection record follows its publication (INS-02 已公示), in this transaction.
        from zhifa.inspections.services import inspection_mark_published

        inspection_mark_published(actor=actor, inspection=inspection, reference=f"{disclosure.pk}")
    ledger.append(
        actor=actor,
        action="disclosure.publish",
        obj=disclosure,
        payload={
            "display_until": disclosure.display_until,
            "is_late": disclosure.is_late,
            "due_on": disclosure.due_on,
        },
    )
    return disclosure


@transaction.atomic
def disclosure_withhold(*, actor, disclosure: Disclosure, ground: str) -> Disclosure:
    """Decide not to publish an item at all, with its ground (不公开依据, PUB-07);
    like publication, not by who prepared or submitted it (PUB-13)."""
    require_legal_unit(actor, disclosure.agency)
    ground = (ground or "").strip()
    if not ground:
        raise InvalidInput(
            "不予公开须写明依据（如涉及国家秘密、商业秘密、个人隐私及其法律依据）。",
            code="ground_required",
        )
    disclosure = _locked(disclosure)
    _require_status(disclosure, S.DRAFT, S.IN_REVIEW, doing="决定不予公开")
    require_second_person(actor, disclosure, doing="决定不予公开")
    return _withhold(actor, disclosure, ground)


def _withhold(actor, disclosure: Disclosure, ground: str) -> Disclosure:
    before = disclosure.status
    disclosure.status = S.WITHHELD
    disclosure.withholding_ground = ground
    disclosure.save(update_fields=["status", "withholding_ground"])
    _event(disclosure, actor, DisclosureEvent.Action.WITHHOLD, before, ground)
    inspection = _inspection_of(disclosure)
    if inspection is not None and inspection.status == inspection.Status.APPROVED:
        # The inspection no longer waits for publication (INS-02), in this transaction.
        from zhifa.inspections.services import inspection_publication_withheld

        inspection_publication_withheld(actor=actor, inspection=inspection, ground=ground)
    ledger.append(
        actor=actor, action="disclosure.withhold", obj=disclosure, payload={"ground": ground}
    )
    return disclosure


def _take_down(
    actor,
    disclosure: Disclosure,
    *,
    status: str,
    action: str,
    reason: str,
    kind: str,
    replacement: Disclosure | None = None,
) -> Takedown:
    disclosure.status = status
    disclosure.save(update_fields=["status"])
    search.index_drop(disclosure.pk)
    _event(disclosure, actor, action, S.PUBLISHED, reason)
    return Takedown.objects.create(
        disclosure=disclosure,
        agency=disclosure.agency,
        kind=kind,
        document_number=disclosure.document_number,
        # The title names a natural person only as 张某某: no content beyond it.
        title=disclosure.title,
        reason=reason,
        replacement=replacement,
        at=timezone.now(),
    )


@transaction.atomic
def disclosure_withdraw(*, actor, disclosure: Disclosure, reason: str) -> Takedown:
    """Take a published item off the portal at once, with a public reason (PUB-09)."""
    require_withdrawer(actor, disclosure.agency)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请说明撤回原因（将在撤下记录中公开）。", code="reason_required")
    disclosure = _locked(disclosure)
    _require_status(disclosure, S.PUBLISHED, doing="撤回")
    takedown = _take_down(
        actor,
        disclosure,
        status=S.WITHDRAWN,
        action=DisclosureEvent.Action.WITHDRAW,
        reason=reason,
        kind=Takedown.Kind.WITHDRAWN,
    )
    inspection = _inspection_of(disclosure)
    if inspection is not None and inspection.status == inspection.Status.PUBLISHED:
        from zhifa.inspections.services import inspection_publication_withdrawn

        inspection_publication_withdrawn(actor=actor, inspection=inspection, reason=reason)
    ledger.append(
        actor=actor, action="disclosure.withdraw", obj=disclosure, payload={"reason": reason}
    )
    return takedown


@transaction.atomic
def disclosure_correct(
    *, actor, disclosure: Disclosure, explanation: str, draft: DraftInput
) -> Disclosure:
    """The decision was revoked, confirmed illegal or remade (PUB-09): the
    original leaves the portal at once, and the changed item is prepared with
    its explanation; once the legal unit confirms it, its display period runs
    from its own publication."""
    require_withdrawer(actor, disclosure.agency)
    explanation = (explanation or "").strip()
    if not explanation:
        raise InvalidInput("请写明变更说明（将随变更后的信息公开）。", code="explanation_required")
    original = _locked(disclosure)
    _require_status(original, S.PUBLISHED, doing="更正")
    if draft.instrument_id_ref == original.instrument_id_ref:
        draft.instrument_id_ref = None
    replacement = disclosure_prepare(
        actor=actor,
        agency=original.agency,
        draft=draft,
        supersedes=original,
        explanation=explanation,
    )
    _take_down(
        actor,
        original,
        status=S.SUPERSEDED,
        action=DisclosureEvent.Action.SUPERSEDE,
        reason=explanation,
        kind=Takedown.Kind.CORRECTED,
        replacement=replacement,
    )
    ledger.append(
        actor=actor,
        action="disclosure.correct",
        obj=original,
        payload={"explanation": explanation, "replacement": replacement.pk},
    )
    return replacement


@transaction.atomic
def disclosures_expire(*, today: date | None = None) -> int:
    """Take items whose display period has ended off the portal; they stay in
    the database (PUB-08). Run daily (``zhifa disclosures_expire``)."""
    today = today or timezone.localdate()
    expired = 0
    for disclosure in Disclosure.objects.select_for_update().filter(
        status=S.PUBLISHED, display_until__lt=today
    ):
        disclosure.status = S.EXPIRED
        disclosure.save(update_fields=["status"])
        search.index_drop(disclosure.pk)
        _event(disclosure, None, DisclosureEvent.Action.EXPIRE, S.PUBLISHED)
        ledger.append(
            actor=None,
            action="disclosure.expire",
            obj=disclosure,
            payload={"display_until": disclosure.display_until},
        )
        expired += 1
    return expired


@transaction.atomic
def deadline_rule_set(*, actor, matter: Matter, workdays: int, basis: str) -> DeadlineRule:
    """A matter's own publication period, where a law says otherwise (PUB-06)."""
    require_legal_unit(actor, matter.agency)
    basis = (basis or "").strip()
    if not basis:
        raise InvalidInput("请写明规定公开期限的法律、法规或规章条款。", code="basis_required")
    if workdays is None or int(workdays) < 1:
        raise InvalidInput("公开期限须至少 1 个工作日。", code="workdays_invalid")
    rule, _ = DeadlineRule.objects.update_or_create(
        matter=matter, defaults={"workdays": int(workdays), "basis": basis}
    )
    ledger.append(
        actor=actor,
        action="disclosure.deadline_rule",
        obj=matter,
        payload={"workdays": rule.workdays, "basis": basis},
    )
    return rule


# --- Requests and complaints from the public (PUB-10) ------------------------------------

EVIDENCE_TYPES = {
    "application/pdf": b"%PDF",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG",
}


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _tracking_number(now) -> str:
    return f"GS{timezone.localtime(now):%Y%m%d}{secrets.randbelow(10**6):06d}"


def _check_evidence(upload) -> None:
    if upload is None:
        return
    limit = settings.ZHIFA_DISCLOSURE_EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise InvalidInput(
            f"证据材料不能超过 {limit // 1024 // 1024} MB。", code="evidence_too_large"
        )
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in EVIDENCE_TYPES.values()):
        raise InvalidInput("证据材料只接受 PDF、JPEG 或 PNG 文件。", code="evidence_type")


@transaction.atomic
def public_request_submit(
    *,
    kind: str,
    agency: Agency,
    disclosure: Disclosure | None,
    requester_name: str,
    requester_contact: str,
    content: str,
    evidence=None,
) -> tuple[PublicRequest, str]:
    """Receive a correction request or complaint from the public. Returns the
    request and its access code, shown once to the requester (PUB-10)."""
    if kind not in PublicRequest.Kind.values:
        raise InvalidInput("请求类型无效。", code="kind_invalid")
    requester_name = (requester_name or "").strip()
    requester_contact = (requester_contact or "").strip()
    content = (content or "").strip()
    if not requester_name or not requester_contact:
        raise InvalidInput("请填写姓名或名称以及联系方式。", code="requester_required")
    if len(requester_name) > 64 or len(requester_contact) > 128:
        raise InvalidInput("姓名或联系方式过长。", code="requester_too_long")
    if not content:
        raise InvalidInput("请写明请求内容。", code="content_required")
    if len(content) > 5000:
        raise InvalidInput("请求内容不能超过 5000 字。", code="content_too_long")
    if disclosure is not None and disclosure.agency_id != agency.pk:
        raise InvalidInput("所涉公示信息不属于该机关。", code="disclosure_other_agency")
    if kind == PublicRequest.Kind.CORRECTION and disclosure is None:
        raise InvalidInput("更正申请须指明要更正的公示信息。", code="disclosure_required")
    _check_evidence(evidence)
    stored = None
    if evidence is not None:
        from zhifa.ledger.services import file_store

        stored = file_store(
            actor=None,
            stream=evidence,
            original_name=(evidence.name or "evidence")[:200],
            content_type=evidence.content_type or "",
        )
    now = timezone.now()
    code = secrets.token_urlsafe(9)
    number = _tracking_number(now)
    while PublicRequest.objects.filter(tracking_number=number).exists():
        number = _tracking_number(now)
    due = workdays_add(timezone.localdate(now), settings.ZHIFA_DISCLOSURE_REQUEST_WORKDAYS).date
    request = PublicRequest.objects.create(
        kind=kind,
        tracking_number=number,
        access_code_hash=_hash_code(code),
        agency=agency,
        disclosure=disclosure,
        requester_name=requester_name,
        requester_contact=requester_contact,
        content=content,
        evidence=stored,
        received_at=now,
        due_on=due,
    )
    ledger.append(
        actor=None,
        action="disclosure.request_receive",
        obj=request,
        agency_id=agency.pk,
        payload={"kind": kind, "tracking_number": number, "due_on": due},
    )
    return request, code


def public_request_lookup(*, tracking_number: str, access_code: str) -> PublicRequest | None:
    """The request with this number, only for the holder of its access code."""
    request = PublicRequest.objects.filter(tracking_number=(tracking_number or "").strip()).first()
    if request is None:
        return None
    if not secrets.compare_digest(
        request.access_code_hash, _hash_code((access_code or "").strip())
    ):
        return None
    return request


@transaction.atomic
def public_request_answer(*, actor, request: PublicRequest, answer: str) -> PublicRequest:
    """The agency's decision on a request (within 3 working days, PUB-10)."""
    require_withdrawer(actor, request.agency)
    answer = (answer or "").strip()
    if not answer:
        raise InvalidInput("请填写处理结果。", code="answer_required")
    request = PublicRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == PublicRequest.Status.ANSWERED:
        raise Conflict("该请求已处理。", code="answered")
    request.status = PublicRequest.Status.ANSWERED
    request.answer = answer
    request.answered_at = timezone.now()
    request.answered_by = actor
    request.save(update_fields=["status", "answer", "answered_at", "answered_by"])
    late = timezone.localdate(request.answered_at) > request.due_on
    ledger.append(
        actor=actor,
        action="disclosure.request_answer",
        obj=request,
        agency_id=request.agency_id,
        payload={"tracking_number": request.tracking_number, "late": late},
    )
    return request


# --- Service windows and their boards (PUB-05) --------------------------------------------

WINDOW_SHEET_HEADERS = (
    "窗口名称",
    "办公地点",
    "办公时间",
    "咨询电话",
    "监督电话",
    "办理事项编码",
    "工作人员",
    "在用",
)
_SEPARATORS = str.maketrans({"｜": "|", "，": "|", ",": "|", "\t": "|", "/": "|"})


def require_window_editor(actor, agency: Agency) -> None:
    """The agency's legal unit, administrators and leaders keep its windows
    (the dedicated persons of PUB-13); nobody outside the agency does."""
    if is_sysadmin(actor) or is_legal_unit(actor, agency):
        return
    if _staff_of(actor, agency) and roles_of(actor) & {Role.AGENCY_ADMIN, Role.LEADER}:
        return
    raise Forbidden(
        "只有本机关的法制机构人员、机关管理员或机关负责人可以维护服务窗口。",
        code="not_window_editor",
    )


@dataclass
class StaffInput:
    name: str
    post: str
    credential_number: str = ""


def parse_staff(text: str) -> list[StaffInput]:
    """``姓名|岗位|执法证件编号`` per person, one a line or separated by “；”;
    the certificate number only for enforcement officers."""
    people = []
    for number, raw in enumerate(
        (piece for line in (text or "").splitlines() for piece in line.split("；")), start=1
    ):
        line = raw.strip().translate(_SEPARATORS)
        if not line:
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2 or len(parts) > 3 or not parts[0] or not parts[1]:
            raise InvalidInput(
                f"工作人员第 {number} 项“{raw.strip()}”格式不对：应为“姓名|岗位|执法证件编号”，"
                "非执法人员可不填证件编号。",
                code="staff_invalid",
            )
        people.append(StaffInput(parts[0], parts[1], parts[2] if len(parts) == 3 else ""))
    return people


def staff_text(window) -> str:
    return "\n".join(
        "|".join(p for p in (s.name, s.post, s.credential_number) if p) for s in window.staff.all()
    )


def _staff_rows(agency: Agency, people: list[StaffInput]) -> list[dict]:
    from zhifa.accounts.models import Credential

    rows = []
    today = timezone.localdate()
    for person in people:
        if len(person.name) > 64 or len(person.post) > 64:
            raise InvalidInput(f"工作人员“{person.name[:20]}”的姓名或岗位过长。", code="too_long")
        officer, number = None, person.credential_number.upper()
        if number:
            credential = (
                Credential.objects.select_related("officer")
                .filter(number__iexact=number, officer__agency=agency, officer__is_active=True)
                .first()
            )
            if credential is None or credential.status_on(today) != Credential.Status.VALID:
                raise InvalidInput(
                    f"执法证件编号“{number}”不是本机关在岗执法人员的有效证件。",
                    code="credential_invalid",
                )
            if credential.officer.name != person.name:
                raise InvalidInput(
                    f"执法证件“{number}”的持证人是{credential.officer.name}，不是{person.name}。",
                    code="credential_other_person",
                )
            officer, number = credential.officer, credential.number
        rows.append(
            {
                "name": person.name,
                "post": person.post,
                "officer": officer,
                "credential_number": number,
            }
        )
    return rows


def _window_matters(agency: Agency, codes) -> list[Matter]:
    codes = [c.strip() for c in codes if c and c.strip()]
    found = {
        m.code: m for m in Matter.objects.filter(agency=agency, is_active=True, code__in=codes)
    }
    missing = [c for c in codes if c not in found]
    if missing:
        raise InvalidInput(
            f"本机关执法事项清单中没有在用的事项：{'、'.join(missing)}。", code="matter_unknown"
        )
    return [found[c] for c in dict.fromkeys(codes)]


@dataclass
class WindowInput:
    name: str
    location: str
    supervision_phone: str
    hours: str = ""
    phone: str = ""
    matter_codes: tuple[str, ...] = ()
    staff: str = ""
    is_active: bool = True


def _clean_window(data: WindowInput) -> dict:
    from zhifa.disclosures.models import Window

    fields = {}
    for name in ("name", "location", "hours", "phone", "supervision_phone"):
        value = (getattr(data, name) or "").strip()
        field_ = Window._meta.get_field(name)
        if len(value) > field_.max_length:
            raise InvalidInput(f"{field_.verbose_name}过长。", code="too_long")
        fields[name] = value
    if not fields["name"]:
        raise InvalidInput("请填写窗口名称。", code="name_required")
    if not fields["location"]:
        raise InvalidInput("请填写办公地点。", code="location_required")
    if not fields["supervision_phone"]:
        raise InvalidInput("请填写监督电话：公示牌须公开投诉监督渠道。", code="phone_required")
    fields["is_active"] = bool(data.is_active)
    return fields


@transaction.atomic
def window_save(*, actor, agency: Agency, data: WindowInput, window=None):
    """Create or update a window with its matters and staff on duty (PUB-05)."""
    from zhifa.disclosures.models import Window, WindowStaff

    require_window_editor(actor, agency)
    if window is not None and window.agency_id != agency.pk:
        raise Forbidden("该窗口不属于本机关。", code="other_agency")
    fields = _clean_window(data)
    matters = _window_matters(agency, data.matter_codes)
    staff = _staff_rows(agency, parse_staff(data.staff))
    clash = Window.objects.filter(agency=agency, name=fields["name"])
    if window is not None:
        clash = clash.exclude(pk=window.pk)
    if clash.exists():
        raise Conflict(f"本机关已有名为“{fields['name']}”的窗口。", code="window_exists")
    if window is None:
        window = Window.objects.create(agency=agency, **fields)
        action = "window.create"
    else:
        window = Window.objects.select_for_update().get(pk=window.pk)
        for name, value in fields.items():
            setattr(window, name, value)
        window.save()
        window.staff.all().delete()
        action = "window.update"
    window.matters.set(matters)
    WindowStaff.objects.bulk_create(
        WindowStaff(window=window, position=n, **row) for n, row in enumerate(staff)
    )
    ledger.append(
        actor=actor,
        action=action,
        obj=window,
        agency_id=agency.pk,
        payload={
            **fields,
            "matters": [m.code for m in matters],
            "staff": [[r["name"], r["post"], r["credential_number"]] for r in staff],
        },
    )
    return window


def window_rows(windows) -> list[list]:
    """Windows as the import sheet reads them (PUB-05 Excel export)."""
    return [
        [
            w.name,
            w.location,
            w.hours,
            w.phone,
            w.supervision_phone,
            "、".join(m.code for m in w.matters.all()),
            "；".join(
                "|".join(p for p in (s.name, s.post, s.credential_number) if p)
                for s in w.staff.all()
            ),
            "是" if w.is_active else "否",
        ]
        for w in windows
    ]


@transaction.atomic
def window_import(*, actor, agency: Agency, data: bytes) -> tuple[int, int]:
    """Create or update the agency's windows from a workbook, by window name.
    Any bad row refuses the whole file, naming every bad row. Returns
    ``(created, updated)``."""
    from zhifa.core.excel import read_rows
    from zhifa.disclosures.models import Window

    require_window_editor(actor, agency)
    rows = read_rows(data, headers=WINDOW_SHEET_HEADERS)
    if not rows:
        raise InvalidInput("表格中没有窗口。", code="empty")
    existing = {w.name: w for w in Window.objects.filter(agency=agency)}
    created = updated = 0
    errors, seen = [], set()
    for number, row in rows:
        text = {k: "" if v is None else str(v).strip() for k, v in row.items()}
        if text["窗口名称"] in seen:
            errors.append(f"第 {number} 行：窗口“{text['窗口名称']}”重复。")
            continue
        seen.add(text["窗口名称"])
        codes = text["办理事项编码"].replace("，", "、").replace(",", "、").split("、")
        data_ = WindowInput(
            name=text["窗口名称"],
            location=text["办公地点"],
            hours=text["办公时间"],
            phone=text["咨询电话"],
            supervision_phone=text["监督电话"],
            matter_codes=tuple(codes),
            staff=text["工作人员"],
            is_active=text["在用"] not in ("否", "停用", "0"),
        )
        try:
            # Each row in its own savepoint, so every bad row is named; then all roll back.
            with transaction.atomic():
                window_save(actor=actor, agency=agency, data=data_, window=existing.get(data_.name))
        except (InvalidInput, Conflict) as exc:
            errors.append(f"第 {number} 行：{exc.message}")
            continue
        if data_.name in existing:
            updated += 1
        else:
            created += 1
    if errors:
        # Raising rolls back the rows already saved: a file is imported whole or not at all.
        raise InvalidInput(
            f"表格中有 {len(errors)} 行有误，未导入任何窗口。",
            code="import_invalid",
            details=errors,
        )
    return created, updated
