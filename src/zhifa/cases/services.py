"""Writes to cases: opening, parties, handling officers, records, signatures,
stage changes (REC-01 … REC-03, REC-06, REC-08, REC-09) and the suspensions of
a case's time limit (SUP-01, SUP-05).

Each function checks who is acting and what is valid, writes in one
transaction and appends its ledger entry there. Records carry the SHA-256 of
their content into the ledger, so a record changed behind the system's back
no longer matches its entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from stdnum.cn import ric, uscc

from zhifa import ledger
from zhifa.accounts.models import Officer, Role, Unit
from zhifa.accounts.selectors import officer_of, roles_of
from zhifa.accounts.services import officer_assert_can_enforce
from zhifa.cases import clock, rules
from zhifa.cases.models import (
    Case,
    CaseOfficer,
    Party,
    Procedure,
    Record,
    Signature,
    Source,
    Stage,
    StageChange,
    Suspension,
)
from zhifa.cases.numbering import number_next
from zhifa.cases.records import KINDS
from zhifa.cases.selectors import is_case_leader, is_case_reviewer, is_handler
from zhifa.catalogues.models import Matter
from zhifa.core.errors import Conflict, Forbidden, InvalidInput

# --- Who may act -------------------------------------------------------------------


def require_handler(actor, case: Case) -> None:
    if not is_handler(actor, case):
        raise Forbidden("只有本案的承办人员可以执行此操作。", code="not_a_handler")


def require_open(case: Case) -> None:
    if case.stage in (Stage.CLOSED, Stage.ARCHIVED):
        raise Conflict(
            f"案件已{case.get_stage_display()}，不能再修改；归档后的补充材料另行编目。",
            code="case_closed",
        )


def _now():
    return timezone.now()


def _check_moment(case: Case, moment: datetime, label: str) -> None:
    """Refuse a time in the future or before the case started."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    tolerance = timedelta(minutes=settings.ZHIFA_CLOCK_TOLERANCE_MINUTES)
    if moment > _now() + tolerance:
        raise InvalidInput(f"{label}不能晚于当前时间。", code="time_in_future")
    if timezone.localtime(moment).date() < case.started_on:
        raise InvalidInput(
            f"{label}不能早于案件启动日期（{case.started_on:%Y-%m-%d}）。",
            code="time_before_start",
        )


# --- Opening a case ----------------------------------------------------------------


@dataclass
class PartyInput:
    kind: str
    name: str
    id_number: str = ""
    credit_code: str = ""
    representative: str = ""
    address: str = ""
    phone: str = ""


def _clean_party(data: PartyInput | dict) -> dict:
    if isinstance(data, dict):
        allowed = PartyInput.__dataclass_fields__
        unknown = set(data) - set(allowed)
        if unknown:
            raise InvalidInput(f"当事人信息含未知字段：{'、'.join(sorted(unknown))}。")
        data = PartyInput(**data)
    fields = {k: (str(v or "")).strip() for k, v in data.__dict__.items()}
    if fields["kind"] not in Party.Kind.values:
        raise InvalidInput("当事人类型不正确。", code="party_kind")
    if not fields["name"]:
        raise InvalidInput("当事人名称或姓名不能为空。", code="party_name_required")
    if fields["id_number"]:
        fields["id_number"] = fields["id_number"].upper()
        if not ric.is_valid(fields["id_number"]):
            raise InvalidInput(
                f"居民身份证号码“{fields['id_number']}”不正确（校验位不符）。", code="bad_id_number"
            )
    if fields["credit_code"]:
        fields["credit_code"] = fields["credit_code"].upper()
        if not uscc.is_valid(fields["credit_code"]):
            raise InvalidInput(
                f"统一社会信用代码“{fields['credit_code']}”不正确。", code="bad_credit_code"
            )
    if fields["kind"] == Party.Kind.LEGAL and not fields["credit_code"]:
        raise InvalidInput("法人当事人须填写统一社会信用代码。", code="credit_code_required")
    if fields["kind"] == Party.Kind.NATURAL and fields["credit_code"]:
        raise InvalidInput("自然人当事人不填统一社会信用代码，请填写身份证号码。")
    return fields


def _may_open(actor, matter: Matter) -> None:
    officer = officer_of(actor)
    roles = roles_of(actor)
    if (
        officer is None
        or officer.agency_id != matter.agency_id
        or not roles & {Role.OFFICER, Role.UNIT_HEAD, Role.LEADER}
    ):
        raise Forbidden("只有本机关的执法人员或负责人可以登记案件。", code="cannot_open_case")
    if Role.REVIEWER in roles:
        raise Forbidden("法制审核人员不得承办执法案件。", code="reviewer_cannot_enforce")


def _assignable(case: Case, officer: Officer, on: date) -> str:
    if officer.agency_id != case.agency_id:
        raise Forbidden(
            f"{officer.name}不是本机关人员，不能承办本案。", code="officer_other_agency"
        )
    return officer_assert_can_enforce(officer, on=on).number


def case_open(
    *,
    actor,
    matter: Matter,
    title: str,
    procedure: str,
    source: str,
    started_on: date,
    officers: list[Officer],
    parties: list[PartyInput | dict] = (),
    unit: Unit | None = None,
    source_detail: str = "",
    is_emergency: bool = False,
) -> Case:
    """Register a case with its handling officers and parties (REC-01, REC-02)."""
    _may_open(actor, matter)
    title = (title or "").strip()
    if not title:
        raise InvalidInput("案件名称不能为空。", code="title_required")
    if procedure not in Procedure.values:
        raise InvalidInput("程序类型不正确。", code="procedure")
    if source not in Source.values:
        raise InvalidInput("案件来源不正确。", code="source")
    if not matter.is_active:
        raise InvalidInput(f"执法事项“{matter.name}”已停用。", code="matter_inactive")
    if procedure == Procedure.SIMPLE and matter.action_kind != "penalty":
        raise InvalidInput("简易程序只适用于行政处罚。", code="simple_only_penalty")
    if started_on > timezone.localdate():
        raise InvalidInput("启动日期不能晚于今天。", code="time_in_future")
    if unit is not None and unit.agency_id != matter.agency_id:
        raise InvalidInput("承办机构须是本机关的内设机构。", code="unit_other_agency")
    officers = list(dict.fromkeys(officers))
    least = 1 if procedure == Procedure.SIMPLE else settings.ZHIFA_CASE_MIN_OFFICERS
    if len(officers) < least:
        raise InvalidInput(
            f"{Procedure(procedure).label}须至少指派 {least} 名持有效执法证件的承办人员。",
            code="too_few_officers",
        )
    cleaned = [_clean_party(p) for p in parties]
    with transaction.atomic():
        n = number_next(agency=matter.agency, name="case", year=started_on.year)
        now = _now()
        case = Case(
            agency=matter.agency,
            unit=unit or matter.unit,
            number=f"{started_on.year}-{n:04d}",
            title=title,
            matter=matter,
            action_kind=matter.action_kind,
            procedure=procedure,
            source=source,
            source_detail=(source_detail or "").strip(),
            started_on=started_on,
            is_emergency=bool(is_emergency),
            emergency_started_at=now if is_emergency else None,
            created_by=actor,
        )
        assignments = [
            CaseOfficer(
                case=case,
                officer=o,
                credential_number=_assignable(case, o, started_on),
                is_lead=i == 0,
            )
            for i, o in enumerate(officers)
        ]
        case.save()
        for a in assignments:
            a.case = case
        assignments = CaseOfficer.objects.bulk_create(assignments)
        parties = Party.objects.bulk_create([Party(case=case, **p) for p in cleaned])
        StageChange.objects.create(
            case=case, from_stage="", to_stage=Stage.START, changed_at=now, changed_by=actor
        )
        ledger.append(
            actor=actor,
            action="case.open",
            obj=case,
            payload={
                "number": case.number,
                "matter": matter.code,
                "procedure": procedure,
                "source": source,
                "started_on": started_on,
                "emergency": case.is_emergency,
                "officers": [[a.officer.name, a.credential_number] for a in assignments],
                "parties": [[p["name"], p["id_number"] or p["credit_code"]] for p in cleaned],
                "digest": row_digest(case, CASE_FIXED),
                "party_digests": {str(p.pk): row_digest(p, PARTY_FIXED) for p in parties},
                "assignment_digests": {
                    str(a.pk): row_digest(a, ASSIGNMENT_FIXED) for a in assignments
                },
            },
        )
    return case


def party_add(*, actor, case: Case, **fields) -> Party:
    require_handler(actor, case)
    require_open(case)
    cleaned = _clean_party(fields)
    with transaction.atomic():
        party = Party.objects.create(case=case, **cleaned)
        ledger.append(
            actor=actor,
            action="case.party_add",
            obj=case,
            payload={
                "party": party.pk,
                "name": party.name,
                "kind": party.kind,
                "digest": row_digest(party, PARTY_FIXED),
            },
        )
    return party


def officer_assign(*, actor, case: Case, officer: Officer) -> CaseOfficer:
    """Add a handling officer; the case's leader or a handling officer may (REC-03)."""
    if not (is_handler(actor, case) or is_case_leader(actor, case)):
        raise Forbidden("只有本案承办人员或负责人可以调整承办人员。")
    require_open(case)
    if CaseOfficer.objects.filter(case=case, officer=officer, released_at__isnull=True).exists():
        raise Conflict(f"{officer.name}已是本案承办人员。", code="already_assigned")
    number = _assignable(case, officer, timezone.localdate())
    with transaction.atomic():
        assignment = CaseOfficer.objects.create(
            case=case, officer=officer, credential_number=number
        )
        ledger.append(
            actor=actor,
            action="case.officer_assign",
            obj=case,
            payload={
                "officer": officer.name,
                "credential": number,
                "assignment": assignment.pk,
                "digest": row_digest(assignment, ASSIGNMENT_FIXED),
            },
        )
    return assignment


def officer_release(*, actor, case: Case, officer: Officer, reason: str) -> None:
    if not (is_handler(actor, case) or is_case_leader(actor, case)):
        raise Forbidden("只有本案承办人员或负责人可以调整承办人员。")
    require_open(case)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请说明调整承办人员的原因（如回避）。", code="reason_required")
    with transaction.atomic():
        active = CaseOfficer.objects.select_for_update().filter(case=case, released_at__isnull=True)
        assignment = next((a for a in active if a.officer_id == officer.pk), None)
        if assignment is None:
            raise InvalidInput(f"{officer.name}不是本案承办人员。")
        if len(active) - 1 < rules.minimum_officers(case):
            raise Conflict(
                "调整后承办人员将少于规定人数，请先指派新的承办人员。", code="too_few_officers"
            )
        assignment.released_at = _now()
        assignment.save(update_fields=["released_at"])
        ledger.append(
            actor=actor,
            action="case.officer_release",
            obj=case,
            payload={
                "officer": officer.name,
                "reason": reason,
                "assignment": assignment.pk,
                "released_at": assignment.released_at,
            },
        )


# --- The case clock (SUP-01, SUP-05) -------------------------------------------------


def require_case_leader(actor, case: Case) -> None:
    if not is_case_leader(actor, case):
        raise Forbidden(
            "只有本机关负责人或承办机构负责人可以中止或恢复计算案件办理期限。",
            code="not_case_leader",
        )


def _locked(case: Case) -> Case:
    # Re-read under a row lock: two leaders acting at once must not both pass the checks.
    return Case.objects.select_for_update(of=("self",)).select_related("matter").get(pk=case.pk)


def case_suspend(*, actor, case: Case, ground: str, started_on: date, note: str = "") -> Suspension:
    """Stop the case's clock from ``started_on`` (案件中止; SUP-01, SUP-05).

    The start may lie in the past (a suspension recorded late), but never
    before the case started, before the end of an earlier suspension, or in
    the future. A case already past its time limit cannot be suspended at all,
    whatever the start date: a suspension recorded after the limit ran out
    would otherwise hide an overdue case retroactively. So the due date a
    supervisor has once seen pass stays passed.
    """
    require_case_leader(actor, case)
    if ground not in Suspension.Ground.values:
        raise InvalidInput("中止事由不正确。", code="suspension_ground")
    note = (note or "").strip()
    if ground == Suspension.Ground.OTHER and not note:
        raise InvalidInput("中止事由为“其他”的，须说明具体情形和依据。", code="note_required")
    if started_on is None:
        raise InvalidInput("请填写中止日期。", code="date_required")
    today = clock.today()
    if started_on > today:
        raise InvalidInput("中止日期不能晚于今天。", code="time_in_future")
    with transaction.atomic():
        case = _locked(case)
        require_open(case)
        if started_on < case.started_on:
            raise InvalidInput(
                f"中止日期不能早于案件启动日期（{case.started_on:%Y-%m-%d}）。",
                code="time_before_start",
            )
        if not case.matter.time_limit_days:
            raise Conflict("本案的执法事项未设办理时限，无需中止。", code="no_time_limit")
        if case.suspended_since is not None:
            raise Conflict(
                f"案件办理期限已自 {case.suspended_since:%Y-%m-%d} 起中止，请先登记恢复计算。",
                code="already_suspended",
            )
        last_end = max(
            Suspension.objects.filter(case=case).values_list("ended_on", flat=True), default=None
        )
        if last_end is not None and started_on < last_end:
            raise Conflict(
                f"中止日期不能早于上一次中止的恢复日期（{last_end:%Y-%m-%d}），中止期间不得重叠。",
                code="suspension_overlap",
            )
        due = clock.limit_due_on(case)
        if due < today:
            raise Conflict(
                f"案件办理时限已于 {due:%Y-%m-%d} 届满，已超过时限的案件不能再登记中止"
                "（包括补登此前的中止），超期情况如实保留。",
                code="limit_passed",
            )
        suspension = Suspension.objects.create(
            case=case, ground=ground, note=note, started_on=started_on, started_by=actor
        )
        case.suspended_since = started_on
        case.save(update_fields=["suspended_since"])
        ledger.append(
            actor=actor,
            action="case.suspend",
            obj=case,
            payload={
                "number": case.number,
                "suspension": suspension.pk,
                "ground": ground,
                "started_on": started_on,
                "note": note,
                "due_before": due,
                "digest": row_digest(suspension, SUSPENSION_FIXED),
                "suspended_since": started_on,
                "extension": case.limit_extension_workdays,
            },
        )
    return suspension


def case_resume(*, actor, case: Case, ended_on: date) -> Suspension:
    """End the open suspension: the clock runs again from ``ended_on``, and the
    working days it stood still move the due date on (SUP-01, SUP-05)."""
    require_case_leader(actor, case)
    if ended_on is None:
        raise InvalidInput("请填写恢复日期。", code="date_required")
    if ended_on > clock.today():
        raise InvalidInput("恢复日期不能晚于今天。", code="time_in_future")
    with transaction.atomic():
        case = _locked(case)
        require_open(case)
        suspension = Suspension.objects.filter(case=case, ended_on__isnull=True).first()
        if suspension is None:
            raise Conflict("案件办理期限未中止，无需恢复计算。", code="not_suspended")
        if ended_on < suspension.started_on:
            raise InvalidInput(
                f"恢复日期不能早于中止日期（{suspension.started_on:%Y-%m-%d}）。",
                code="ends_before_start",
            )
        days = clock.excluded_workdays(case.started_on, suspension.started_on, ended_on)
        suspension.ended_on = ended_on
        suspension.workdays = days
        suspension.ended_by = actor
        suspension.ended_at = _now()
        suspension.save(update_fields=["ended_on", "workdays", "ended_by", "ended_at"])
        case.suspended_since = None
        case.limit_extension_workdays += days
        case.save(update_fields=["suspended_since", "limit_extension_workdays"])
        ledger.append(
            actor=actor,
            action="case.resume",
            obj=case,
            payload={
                "number": case.number,
                "suspension": suspension.pk,
                "ended_on": ended_on,
                "workdays": days,
                "resumption_digest": row_digest(suspension, RESUMPTION_FIXED),
                "suspended_since": None,
                "extension": case.limit_extension_workdays,
                "due_on": clock.limit_due_on(case),
            },
        )
    return suspension


# --- Records and signatures --------------------------------------------------------


@dataclass
class SignatureInput:
    role: str
    name: str
    method: str
    signed_at: datetime
    image: object | None = None  # a StoredFile
    officer: Officer | None = None
    refusal_note: str = ""
    witness_name: str = ""


# Fields fixed once a row is written; their digest goes into the ledger entry
# that wrote the row, so ``zhifa verify`` names a row changed behind the system.
CASE_FIXED = (
    "agency_id",
    "unit_id",
    "number",
    "title",
    "matter_id",
    "action_kind",
    "procedure",
    "source",
    "source_detail",
    "started_on",
    "is_emergency",
    "emergency_started_at",
    "created_by_id",
)
PARTY_FIXED = (
    "case_id",
    "kind",
    "name",
    "id_number",
    "credit_code",
    "representative",
    "address",
    "phone",
)
ASSIGNMENT_FIXED = ("case_id", "officer_id", "credential_number", "is_lead")
SUSPENSION_FIXED = ("case_id", "ground", "note", "started_on", "started_by_id")
RESUMPTION_FIXED = ("ended_on", "workdays", "ended_by_id", "ended_at")


def row_digest(row, fields: tuple[str, ...]) -> str:
    """SHA-256 of ``fields`` of ``row`` as canonical JSON, times in UTC."""
    values = {}
    for name in fields:
        value = getattr(row, name)
        if isinstance(value, datetime) and timezone.is_aware(value):
            value = value.astimezone(UTC)
        values[name] = value
    canonical = json.dumps(values, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record_digest(record: Record) -> str:
    """SHA-256 of the record's canonical JSON; times in UTC, so that the digest
    is the same before and after the database round trip."""
    occurred_at = record.occurred_at
    if timezone.is_aware(occurred_at):
        occurred_at = occurred_at.astimezone(UTC)
    canonical = json.dumps(
        {
            "case": record.case_id,
            "kind": record.kind,
            "stage": record.stage,
            "occurred_at": occurred_at,
            "place": record.place,
            "content": record.content,
            "supersedes": record.supersedes_id,
        },
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _clean_content(spec, content: dict) -> dict:
    content = dict(content or {})
    unknown = set(content) - {f.name for f in spec.fields}
    if unknown:
        raise InvalidInput(f"{spec.label}含未知字段：{'、'.join(sorted(unknown))}。")
    cleaned = {}
    for f in spec.fields:
        value = content.get(f.name)
        value = "" if value is None else str(value).strip()
        if not value:
            if f.required:
                raise InvalidInput(f"{spec.label}：“{f.label}”不能为空。", code="field_required")
            continue
        if f.kind == "choice" and value not in dict(f.choices):
            raise InvalidInput(f"{spec.label}：“{f.label}”的取值不正确。", code="bad_choice")
        if f.kind == "date" and parse_date(value) is None:
            raise InvalidInput(f"{spec.label}：“{f.label}”不是有效日期（YYYY-MM-DD）。")
        if f.kind == "datetime" and parse_datetime(value) is None:
            raise InvalidInput(f"{spec.label}：“{f.label}”不是有效时间（YYYY-MM-DD HH:MM）。")
        if f.kind == "money":
            try:
                amount = Decimal(value)
            except InvalidOperation:
                raise InvalidInput(f"{spec.label}：“{f.label}”须是金额数字。") from None
            if amount < 0 or amount != amount.quantize(Decimal("0.01")):
                raise InvalidInput(f"{spec.label}：“{f.label}”须是非负金额，最多两位小数。")
            value = str(amount.quantize(Decimal("0.01")))
        cleaned[f.name] = value
    return cleaned


def _require_record_author(actor, case: Case, spec) -> None:
    if spec.by == "leader":
        if not is_case_leader(actor, case):
            raise Forbidden(f"{spec.label}须由本机关负责人或承办机构负责人作出。")
    elif spec.by == "reviewer":
        if not is_case_reviewer(actor, case):
            raise Forbidden(f"{spec.label}须由本机关法制审核人员作出。")
    else:
        require_handler(actor, case)


def _clean_signature(case: Case, record_moment: datetime, s: SignatureInput) -> SignatureInput:
    if s.role not in Signature.Role.values:
        raise InvalidInput("签名人身份不正确。")
    if s.method not in Signature.Method.values:
        raise InvalidInput("签名方式不正确。")
    s.name = (s.name or "").strip()
    if s.officer is not None:
        if not CaseOfficer.objects.filter(
            case=case, officer=s.officer, released_at__isnull=True
        ).exists():
            raise InvalidInput(f"{s.officer.name}不是本案承办人员，不能以执法人员身份签名。")
        s.name = s.officer.name
    elif s.role == Signature.Role.OFFICER:
        raise InvalidInput("执法人员签名须指明是哪位承办人员。")
    if not s.name:
        raise InvalidInput("签名人姓名不能为空。", code="signer_name_required")
    if s.method == Signature.Method.REFUSED:
        s.witness_name = (s.witness_name or "").strip()
        if not s.witness_name:
            raise InvalidInput(f"{s.name}拒绝签名的，须记录见证人。", code="refusal_needs_witness")
        if not (s.refusal_note or "").strip():
            raise InvalidInput("请记录拒绝签名的情况。", code="refusal_note_required")
        s.image = None
    elif s.image is None:
        raise InvalidInput(f"{s.name}的签名须有屏幕手写签名图像或纸质签名扫描件。")
    if s.signed_at is None:
        raise InvalidInput("签名时间不能为空。")
    _check_moment(case, s.signed_at, "签名时间")
    if s.signed_at < record_moment - timedelta(minutes=settings.ZHIFA_CLOCK_TOLERANCE_MINUTES):
        raise InvalidInput("签名时间不能早于记录时间。", code="signature_before_record")
    return s


def _signature_row(record: Record, s: SignatureInput, actor) -> Signature:
    return Signature(
        record=record,
        role=s.role,
        name=s.name,
        officer=s.officer,
        method=s.method,
        signed_at=s.signed_at,
        image=s.image,
        refusal_note=(s.refusal_note or "").strip(),
        witness_name=s.witness_name,
        recorded_by=actor,
    )


def signature_payload(s: Signature) -> dict:
    return {
        "role": s.role,
        "name": s.name,
        "method": s.method,
        "signed_at": s.signed_at,
        # ``image`` is None where its row is gone (``zhifa verify`` reads such rows).
        "image_sha256": s.image.sha256 if s.image_id and s.image else "",
        "witness": s.witness_name,
        "officer": s.officer_id,
        "refusal_note": s.refusal_note,
    }


def record_add(
    *,
    actor,
    case: Case,
    kind: str,
    occurred_at: datetime,
    content: dict,
    place: str = "",
    signatures: list[SignatureInput] = (),
    supersedes: Record | None = None,
) -> Record:
    """Add a text record to ``case``; a correction names the record it supersedes."""
    spec = KINDS.get(kind)
    if spec is None:
        raise InvalidInput("记录类型不正确。", code="record_kind")
    _require_record_author(actor, case, spec)
    require_open(case)
    if case.procedure not in spec.procedures:
        raise InvalidInput(
            f"{case.get_procedure_display()}的案件不使用“{spec.label}”。",
            code="kind_not_for_procedure",
        )
    if Stage.order(spec.stage) > Stage.order(case.stage):
        raise Conflict(
            f"“{spec.label}”属于{Stage(spec.stage).label}环节，案件当前处于"
            f"{case.get_stage_display()}环节。",
            code="wrong_stage",
        )
    if occurred_at is None:
        raise InvalidInput("请填写记录时间。", code="time_required")
    _check_moment(case, occurred_at, "记录时间")
    cleaned = _clean_content(spec, content)
    if supersedes is not None:
        if supersedes.case_id != case.pk or supersedes.kind != kind:
            raise InvalidInput("更正的记录须是本案同类记录。")
        if Record.objects.filter(supersedes=supersedes).exists():
            raise Conflict("该记录已被更正过，请更正最新的记录。", code="already_superseded")
    signatures = [_clean_signature(case, occurred_at, s) for s in signatures]
    with transaction.atomic():
        record = Record(
            case=case,
            kind=kind,
            stage=case.stage,
            occurred_at=occurred_at,
            place=(place or "").strip(),
            content=cleaned,
            supersedes=supersedes,
            created_by=actor,
        )
        record.digest = record_digest(record)
        record.save()
        rows = Signature.objects.bulk_create([_signature_row(record, s, actor) for s in signatures])
        if kind == "emergency_approval" and case.is_emergency and not case.emergency_approved_at:
            case.emergency_approved_at = occurred_at
            case.save(update_fields=["emergency_approved_at"])
        ledger.append(
            actor=actor,
            action="record.correct" if supersedes else "record.add",
            obj=record,
            agency_id=case.agency_id,
            payload={
                "case": case.number,
                "kind": kind,
                "digest": record.digest,
                "supersedes": supersedes.pk if supersedes else None,
                "signatures": [signature_payload(s) for s in rows],
            },
        )
    return record


def signature_add(*, actor, record: Record, signature: SignatureInput) -> Signature:
    """Sign a record after it was made (for example the party signs later)."""
    case = record.case
    require_handler(actor, case)
    require_open(case)
    s = _clean_signature(case, record.occurred_at, signature)
    with transaction.atomic():
        row = _signature_row(record, s, actor)
        row.save()
        ledger.append(
            actor=actor,
            action="record.sign",
            obj=record,
            agency_id=case.agency_id,
            payload={
                "case": case.number,
                "record_digest": record.digest,
                **signature_payload(row),
            },
        )
    return row


# --- Stages ------------------------------------------------------------------------


def _stage_set(*, actor, case: Case, to_stage: str, note: str = "", payload=None) -> None:
    """Write a stage change; the caller holds the transaction and checked the rules."""
    StageChange.objects.create(
        case=case,
        from_stage=case.stage,
        to_stage=to_stage,
        changed_at=_now(),
        changed_by=actor,
        note=note[:255],
    )
    previous, case.stage = case.stage, to_stage
    case.save()
    ledger.append(
        actor=actor,
        action="case.stage",
        obj=case,
        payload={"from": previous, "to": to_stage, "note": note, **(payload or {})},
    )


def case_advance(*, actor, case: Case, to_stage: str, note: str = "", ended_on=None) -> Case:
    """Move ``case`` to its next stage once it has what that stage needs (REC-01)."""
    if not (is_handler(actor, case) or is_case_leader(actor, case)):
        raise Forbidden("只有本案承办人员或负责人可以推进案件环节。")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        require_open(case)
        expected = rules.next_stage(case)
        if to_stage != expected:
            label = Stage(to_stage).label if to_stage in Stage.values else to_stage
            raise Conflict(
                f"案件处于{case.get_stage_display()}环节，下一环节是"
                f"{Stage(expected).label}，不能直接进入{label}。",
                code="wrong_stage_order",
            )
        missing = rules.needs(case, to_stage)
        if missing:
            raise Conflict(
                f"进入{Stage(to_stage).label}环节前尚需：" + "；".join(missing) + "。",
                code="stage_needs",
            )
        extra = {}
        if to_stage == Stage.CLOSED:
            ended_on = ended_on or timezone.localdate()
            if ended_on > timezone.localdate() or ended_on < case.started_on:
                raise InvalidInput("执法行为终结日期不能晚于今天，也不能早于启动日期。")
            case.action_ended_on = ended_on
            case.archive_due_on = ended_on + timedelta(days=settings.ZHIFA_ARCHIVE_DAYS)
            extra = {"action_ended_on": ended_on, "archive_due_on": case.archive_due_on}
        _stage_set(
            actor=actor, case=case, to_stage=to_stage, note=(note or "").strip(), payload=extra
        )
    return case


def case_mark_archived(*, actor, case: Case, note: str = "") -> Case:
    """Called by the case-file service in its own transaction once the file is bound."""
    if case.stage != Stage.CLOSED:
        raise Conflict("只有已结案的案件可以归档。", code="not_closed")
    case.archived_at = _now()
    _stage_set(actor=actor, case=case, to_stage=Stage.ARCHIVED, note=note)
    return case


# --- Reading (调阅监督, REC-12) ------------------------------------------------------


def case_items_viewed(*, actor, case_param: str | None, what: str) -> None:
    """Put on record a list of one case's items (``?case=`` on an API list): the
    list shows what the case holds, so it is a look at the case (REC-12). Nothing
    is logged for a list across cases, or for a case the actor may not see (the
    list is empty then)."""
    from zhifa.cases.selectors import case_list

    if not case_param or not case_param.isdigit():
        return
    case = case_list(actor=actor).filter(pk=int(case_param)).first()
    if case is not None:
        case_viewed(actor=actor, case=case, what=what)


def case_viewed(*, actor, case: Case, what: str) -> None:
    """Record that ``actor`` looked at ``case`` or at part of it (``what``: the
    page or object shown, such as ``"records"`` or ``"instrument:12"``).

    The caller has read the case through ``selectors.case_get`` (or a selector
    built on it), which decides who may see it; this only puts the look on record.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden("请先登录。", code="not_authenticated")
    with transaction.atomic():
        ledger.append(
            actor=actor,
            action="case.view",
            obj=case,
            payload={"number": case.number, "what": what},
        )
