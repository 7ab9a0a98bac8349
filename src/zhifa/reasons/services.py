"""Writes of the reasons app: drafts, oral reasons, requests and exemptions (RSN-01 … RSN-06)."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from zhifa import ledger
from zhifa.accounts.selectors import officer_of
from zhifa.cases.models import Case, Procedure, Record
from zhifa.cases.selectors import is_case_leader, is_handler
from zhifa.cases.services import require_handler, require_open
from zhifa.catalogues.models import DiscretionBenchmark
from zhifa.catalogues.workdays import workdays_add
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.reasons import content as shape
from zhifa.reasons.models import OralReasons, Reasons, ReasonsExemption, ReasonsRequest


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


def _agency_staff(actor, case: Case) -> bool:
    officer = officer_of(actor)
    return officer is not None and officer.agency_id == case.agency_id


def reasons_request_register(
    *,
    actor,
    case: Case,
    requester: str,
    content: str,
    channel: str = ReasonsRequest.Channel.WORKBENCH,
    requested_on: date | None = None,
    contact: str = "",
) -> ReasonsRequest:
    """Register a party's request for written reasons. The public portal calls
    this with ``actor=None`` and ``channel="portal"`` after it has identified
    the party; staff of the case's agency register the others."""
    if channel not in ReasonsRequest.Channel.values:
        raise InvalidInput("申请渠道无效。", code="request_channel")
    if actor is None:
        if channel != ReasonsRequest.Channel.PORTAL:
            raise Forbidden("只有门户网站可以匿名提交申请。", code="request_anonymous")
    elif not _agency_staff(actor, case):
        raise Forbidden("只有本机关人员可以登记说明理由申请。", code="request_not_staff")
    requester, content = (requester or "").strip(), (content or "").strip()
    if not requester or not content:
        raise InvalidInput("请填写申请人和申请内容。", code="request_incomplete")
    today = timezone.localdate()
    requested_on = requested_on or today
    if requested_on > today:
        raise InvalidInput("申请日期不能晚于今天。", code="request_in_future")
    deadline, provisional = request_deadline(requested_on)
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
            },
        )
    return request


def reasons_request_answer(
    *, actor, request: ReasonsRequest, answer: str, answered_on: date | None = None
) -> ReasonsRequest:
    """Answer in writing; the answer is what is served on the party."""
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
        request.save(update_fields=["answer", "answered_on", "answered_by"])
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
            },
        )
    return request


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
