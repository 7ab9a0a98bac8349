"""Writes of the reasons app: drafts, oral reasons, requests and exemptions (RSN-01 … RSN-06)."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhifa import ledger
from zhifa.accounts.models import Unit
from zhifa.accounts.selectors import officer_of
from zhifa.cases.models import Case, Party, Procedure, Record
from zhifa.cases.selectors import is_case_leader, is_case_reviewer, is_handler
from zhifa.cases.services import require_handler, require_open
from zhifa.catalogues.models import DiscretionBenchmark
from zhifa.catalogues.workdays import workdays_add
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.reasons import content as shape
from zhifa.reasons.models import (
    DetailedGround,
    OralReasons,
    Reasons,
    ReasonsExemption,
    ReasonsFingerprint,
    ReasonsRequest,
)


def _digest(content: dict) -> str:
    raw = json.dumps(content, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(raw).hexdigest()


def reasons_save(
    *, actor, case: Case, content: dict, note: str = "", fill_quotes: bool = False
) -> Reasons:
    """Save a new version of the case's structured reasons (a draft may be
    incomplete: the checker says what is missing). ``fill_quotes`` puts the
    library's text into provisions cited without their text."""
    require_handler(actor, case)
    require_open(case)
    clean = shape.clean(content)
    if fill_quotes:
        from zhifa.catalogues.provisions import citation_resolve

        for p in clean["provisions"]:
            if p["citation"] and not p["quoted_text"]:
                found = citation_resolve(p["citation"], timezone.localdate())
                if found.ok:
                    p["quoted_text"] = found.provision.text
    record_ids = {e["record"] for e in clean["evidence"] if e["record"] is not None}
    if record_ids:
        known = set(
            Record.objects.filter(case=case, pk__in=record_ids).values_list("pk", flat=True)
        )
        if record_ids - known:
            raise InvalidInput("证据关联的记录不属于本案。", code="reasons_record_foreign")
    bench = clean["discretion"]["benchmark"]
    if (
        bench is not None
        and not DiscretionBenchmark.objects.filter(pk=bench, agency=case.agency).exists()
    ):
        raise InvalidInput("所选裁量基准不属于本机关。", code="reasons_benchmark_foreign")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        last = Reasons.objects.filter(case=case).order_by("-number").first()
        number = (last.number if last else 0) + 1
        version = Reasons.objects.create(
            case=case, number=number, content=clean, saved_by=actor, note=note.strip()[:255]
        )
        fingerprints_replace(version)
        ledger.append(
            actor=actor,
            action="reasons.save",
            obj=case,
            payload={
                "case": case.number,
                "version": number,
                "sha256": _digest(clean),
                "parts": {k: len(clean[k]) for k in ("facts", "evidence", "provisions", "points")},
                "note": version.note,
            },
        )
    return version


def fingerprints_replace(version: Reasons) -> None:
    """Make ``version`` the one whose passages the boilerplate check compares
    other cases with (RSN-04); called under the case's row lock."""
    from zhifa.reasons.fingerprints import passages

    ReasonsFingerprint.objects.filter(case_id=version.case_id).delete()
    ReasonsFingerprint.objects.bulk_create(
        ReasonsFingerprint(case_id=version.case_id, reasons=version, digest=digest)
        for digest in set(passages(version.content).values())
    )


# --- Simplified procedure: oral reasons (RSN-05) ----------------------------------------


def oral_reasons_record(
    *,
    actor,
    case: Case,
    given_at: datetime,
    facts: str,
    basis: str,
    reasons: str,
    party_statement: str = "",
    av_reference: str = "",
) -> OralReasons:
    require_handler(actor, case)
    require_open(case)
    if case.procedure != Procedure.SIMPLE:
        raise InvalidInput("口头说明理由只适用于简易程序。", code="oral_not_simple")
    if not (facts.strip() and basis.strip() and reasons.strip()):
        raise InvalidInput("请记录口头告知的事实、依据和理由。", code="oral_incomplete")
    if given_at > timezone.now() + timedelta(minutes=settings.ZHIFA_CLOCK_TOLERANCE_MINUTES):
        raise InvalidInput("说明时间不能晚于现在。", code="oral_in_future")
    with transaction.atomic():
        oral = OralReasons.objects.create(
            case=case,
            given_at=given_at,
            facts=facts.strip(),
            basis=basis.strip(),
            reasons=reasons.strip(),
            party_statement=party_statement.strip(),
            av_reference=av_reference.strip(),
            recorded_by=actor,
        )
        ledger.append(
            actor=actor,
            action="reasons.oral",
            obj=case,
            payload={"case": case.number, "given_at": given_at, "av": oral.av_reference},
        )
    return oral


# --- Requests for written reasons (RSN-05, RSN-06 (三)) --------------------------------


def request_deadline(requested_on: date):
    """The day written reasons are due: ``ZHIFA_REASONS_REQUEST_DAYS`` after the
    request, in working days when ``ZHIFA_REASONS_REQUEST_WORKDAYS`` (行政处罚法
    第八十五条: 七日 means working days)."""
    days = settings.ZHIFA_REASONS_REQUEST_DAYS
    if settings.ZHIFA_REASONS_REQUEST_WORKDAYS:
        found = workdays_add(requested_on, days)
        return found.date, found.provisional
    return requested_on + timedelta(days=days), False


def may_register_request(actor, case: Case) -> bool:
    """Who registers a request on a party's behalf: the case's handling officers
    and leaders, and the agency's legal unit (法制机构 or 法制审核人员)."""
    if is_handler(actor, case) or is_case_leader(actor, case) or is_case_reviewer(actor, case):
        return True
    officer = officer_of(actor)
    return (
        officer is not None
        and officer.agency_id == case.agency_id
        and officer.unit_id is not None
        and officer.unit.kind == Unit.Kind.LEGAL
    )


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _tracking_number(today: date) -> str:
    return f"SL{today:%Y%m%d}{secrets.randbelow(10**6):06d}"


def reasons_request_register(
    *,
    actor,
    case: Case,
    requester: str,
    content: str,
    channel: str = ReasonsRequest.Channel.WORKBENCH,
    requested_on: date | None = None,
    contact: str = "",
    decision_number: str = "",
) -> ReasonsRequest:
    """Register a party's request for written reasons. The public portal calls
    this with ``actor=None`` and ``channel="portal"`` after it has identified
    the party (``reasons_request_submit``); the request then gets a tracking
    number and an access code, the code returned once on ``access_code``. The
    case's handling officers and leaders and the agency's legal unit register
    the others."""
    if channel not in ReasonsRequest.Channel.values:
        raise InvalidInput("申请渠道无效。", code="request_channel")
    if actor is None:
        if channel != ReasonsRequest.Channel.PORTAL:
            raise Forbidden("只有门户网站可以匿名提交申请。", code="request_anonymous")
    elif not may_register_request(actor, case):
        raise Forbidden(
            "只有本案承办人员、负责人或本机关法制机构可以代当事人登记说明理由申请。",
            code="request_not_staff",
        )
    requester, content = (requester or "").strip(), (content or "").strip()
    if not requester or not content:
        raise InvalidInput("请填写申请人和申请内容。", code="request_incomplete")
    today = timezone.localdate()
    requested_on = requested_on or today
    if requested_on > today:
        raise InvalidInput("申请日期不能晚于今天。", code="request_in_future")
    deadline, provisional = request_deadline(requested_on)
    code, tracking = "", None
    if actor is None:
        code = secrets.token_urlsafe(9)
        tracking = _tracking_number(today)
        while ReasonsRequest.objects.filter(tracking_number=tracking).exists():
            tracking = _tracking_number(today)
    with transaction.atomic():
        request = ReasonsRequest.objects.create(
            case=case,
            requester=requester[:128],
            contact=(contact or "").strip()[:128],
            channel=channel,
            content=content,
            requested_on=requested_on,
            deadline=deadline,
            deadline_provisional=provisional,
            registered_by=actor,
            decision_number=(decision_number or "").strip()[:64],
            tracking_number=tracking,
            access_code_hash=_hash_code(code) if code else "",
        )
        ledger.append(
            actor=actor,
            action="reasons.request",
            obj=case,
            agency_id=case.agency_id,
            payload={
                "case": case.number,
                "request": request.pk,
                "channel": channel,
                "requested_on": requested_on,
                "deadline": deadline,
                "provisional": provisional,
                "tracking_number": tracking,
            },
        )
    request.access_code = code
    return request


def _decision_of(number: str):
    from zhifa.instruments.models import Instrument, Kind

    return (
        Instrument.objects.filter(
            number=number,
            kind__in=(Kind.DECISION, Kind.ONSPOT_DECISION),
            superseded_by__isnull=True,
        )
        .select_related("case")
        .first()
    )


def _party_matches(case: Case, party: str) -> bool:
    given = (party or "").strip().upper()
    if not given:
        return False
    for p in Party.objects.filter(case=case):
        known = {p.name.strip().upper()}
        for field in ("credit_code", "id_number"):
            value = getattr(p, field, "") or ""
            if value:
                known.add(value.strip().upper())
        if given in known:
            return True
    return False


def reasons_request_submit(
    *, decision_number: str, party: str, requester: str, content: str, contact: str = ""
) -> ReasonsRequest:
    """A party asks on the portal for written reasons of a decision (RSN-05,
    PUB-10): the decision is named by its 文书号 and the party by its name,
    credit code or ID number, checked against the case. Any mismatch gives one
    message that says nothing about what exists."""
    decision_number = (decision_number or "").strip()
    instrument = _decision_of(decision_number) if decision_number else None
    if instrument is None or not _party_matches(instrument.case, party):
        raise InvalidInput(
            "未能核对到该决定书，请核对决定书文号和当事人信息。", code="request_not_matched"
        )
    return reasons_request_register(
        actor=None,
        case=instrument.case,
        requester=requester,
        content=content,
        channel=ReasonsRequest.Channel.PORTAL,
        contact=contact,
        decision_number=instrument.number,
    )


def reasons_request_lookup(*, tracking_number: str, access_code: str) -> ReasonsRequest | None:
    """The portal request with this tracking number, to whoever holds its code."""
    request = (
        ReasonsRequest.objects.filter(tracking_number=(tracking_number or "").strip())
        .select_related("case__agency", "instrument")
        .first()
    )
    if request is None or not secrets.compare_digest(
        request.access_code_hash, _hash_code((access_code or "").strip())
    ):
        return None
    return request


def reasons_request_answer(
    *, actor, request: ReasonsRequest, answer: str, answered_on: date | None = None
) -> ReasonsRequest:
    """Answer in writing: the answer is kept and issued as a numbered 说明理由书
    (RSN-05) through the instruments app, in the same transaction, and that
    instrument is what is served on the party."""
    case = request.case
    if not (is_handler(actor, case) or is_case_leader(actor, case)):
        raise Forbidden("只有本案承办人员或负责人可以答复。", code="request_not_handler")
    answer = (answer or "").strip()
    if len(answer) < settings.ZHIFA_REASONS_MIN_CHARS:
        raise InvalidInput("请写明书面说明的理由。", code="request_answer_empty")
    answered_on = answered_on or timezone.localdate()
    if answered_on < request.requested_on or answered_on > timezone.localdate():
        raise InvalidInput("答复日期须在申请日期和今天之间。", code="request_answer_date")
    with transaction.atomic():
        request = ReasonsRequest.objects.select_for_update().get(pk=request.pk)
        if request.answered_on is not None:
            raise Conflict("该申请已答复。", code="request_answered")
        request.answer, request.answered_on, request.answered_by = answer, answered_on, actor
        request.instrument = _statement_issue(actor, request)
        request.save(update_fields=["answer", "answered_on", "answered_by", "instrument"])
        ledger.append(
            actor=actor,
            action="reasons.answer",
            obj=case,
            payload={
                "case": case.number,
                "request": request.pk,
                "answered_on": answered_on,
                "late": answered_on > request.deadline,
                "sha256": hashlib.sha256(answer.encode()).hexdigest(),
                "instrument": request.instrument.number,
            },
        )
    return request


def _decision_label(request: ReasonsRequest) -> str:
    from zhifa.instruments.models import Instrument, Kind

    decision = (
        Instrument.objects.filter(
            case=request.case,
            kind__in=(Kind.DECISION, Kind.ONSPOT_DECISION),
            superseded_by__isnull=True,
        )
        .order_by("issued_at", "pk")
        .last()
    )
    if decision is not None:
        return f"{decision.number}{decision.title}"
    return request.decision_number or "本机关作出的行政执法决定"


def _statement_issue(actor, request: ReasonsRequest):
    from zhifa.instruments.models import Kind
    from zhifa.instruments.services import IssueRequest, instruments_issue
    from zhifa.reasons.rendering import request_context

    extra = {"request": request_context(request, _decision_label(request))}
    return instruments_issue(
        actor=actor,
        case=request.case,
        items=[IssueRequest(Kind.REASONS_STATEMENT, extra=extra)],
    )[0]


# --- Exemptions (RSN-06) -----------------------------------------------------------------


def exemption_record(*, actor, case: Case, ground: str, explanation: str) -> ReasonsExemption:
    require_handler(actor, case)
    require_open(case)
    if ground not in ReasonsExemption.Ground.values:
        raise InvalidInput("不说明理由的情形无效。", code="exemption_ground")
    explanation = (explanation or "").strip()
    if len(explanation) < settings.ZHIFA_REASONS_MIN_CHARS:
        raise InvalidInput("请具体说明符合该情形的理由。", code="exemption_explanation")
    with transaction.atomic():
        if ReasonsExemption.objects.filter(case=case, cancelled_at__isnull=True).exists():
            raise Conflict("本案已记录不说明理由的情形。", code="exemption_exists")
        exemption = ReasonsExemption.objects.create(
            case=case, ground=ground, explanation=explanation, recorded_by=actor
        )
        ledger.append(
            actor=actor,
            action="reasons.exemption",
            obj=case,
            payload={"case": case.number, "ground": ground},
        )
    return exemption


def exemption_object(
    *, actor, exemption: ReasonsExemption, objector: str, objection: str
) -> ReasonsExemption:
    """A third party objects: the "favourable to the party" exemption no longer
    holds (001 附件4 §16 (一)) and reasons are required again."""
    case = exemption.case
    if not (is_handler(actor, case) or is_case_leader(actor, case)):
        raise Forbidden(
            "只有本案承办人员或负责人可以登记第三人异议。", code="objection_not_handler"
        )
    objector, objection = (objector or "").strip(), (objection or "").strip()
    if not objector or not objection:
        raise InvalidInput("请填写提出异议的第三人及异议内容。", code="objection_incomplete")
    with transaction.atomic():
        exemption = ReasonsExemption.objects.select_for_update().get(pk=exemption.pk)
        if exemption.cancelled_at is not None:
            raise Conflict("该情形已撤销。", code="exemption_cancelled")
        if exemption.ground != ReasonsExemption.Ground.FAVOURABLE:
            raise Conflict(
                "第三人异议只影响“有利于当事人”的情形。", code="objection_not_applicable"
            )
        exemption.cancelled_at = timezone.now()
        exemption.objector = objector[:128]
        exemption.cancellation = objection
        exemption.save(update_fields=["cancelled_at", "objector", "cancellation"])
        ledger.append(
            actor=actor,
            action="reasons.exemption_cancel",
            obj=case,
            payload={"case": case.number, "exemption": exemption.pk, "objector": objector},
        )
    return exemption


# --- Grounds for detailed reasons (RSN-02) ---------------------------------------------


def detailed_ground_record(*, actor, case: Case, ground: str, note: str) -> DetailedGround:
    """The handler records why this decision must state detailed reasons though the
    case is not major (001 附件4 §5); the gate then requires structured reasons."""
    require_handler(actor, case)
    require_open(case)
    if ground not in DetailedGround.Ground.values:
        raise InvalidInput("须详细说明理由的情形无效。", code="ground_invalid")
    note = (note or "").strip()
    if len(note) < settings.ZHIFA_REASONS_MIN_CHARS:
        raise InvalidInput("请具体说明本案符合该情形的情况。", code="ground_note")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if DetailedGround.objects.filter(
            case=case, ground=ground, withdrawn_at__isnull=True
        ).exists():
            raise Conflict("本案已记录该情形。", code="ground_exists")
        made = DetailedGround.objects.create(case=case, ground=ground, note=note, recorded_by=actor)
        ledger.append(
            actor=actor,
            action="reasons.detailed_ground",
            obj=case,
            payload={"case": case.number, "ground": ground, "ground_id": made.pk},
        )
    return made


def detailed_ground_withdraw(*, actor, ground: DetailedGround, reason: str) -> DetailedGround:
    """Withdraw a ground recorded in error, with the reason, once."""
    case = ground.case
    if not (is_handler(actor, case) or is_case_leader(actor, case)):
        raise Forbidden("只有本案承办人员或负责人可以撤回。", code="ground_not_handler")
    require_open(case)
    reason = (reason or "").strip()
    if len(reason) < settings.ZHIFA_REASONS_MIN_CHARS:
        raise InvalidInput("请说明撤回的原因。", code="ground_withdrawal_reason")
    with transaction.atomic():
        ground = DetailedGround.objects.select_for_update().get(pk=ground.pk)
        if ground.withdrawn_at is not None:
            raise Conflict("该情形已撤回。", code="ground_withdrawn")
        ground.withdrawn_at, ground.withdrawal = timezone.now(), reason
        ground.save(update_fields=["withdrawn_at", "withdrawal"])
        ledger.append(
            actor=actor,
            action="reasons.detailed_ground_withdraw",
            obj=case,
            payload={"case": case.number, "ground": ground.ground, "ground_id": ground.pk},
        )
    return ground
