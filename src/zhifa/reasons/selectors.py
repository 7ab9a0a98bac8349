"""Reads of the reasons app, and the checker applied to a real case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from zhifa.cases.models import Case, Record
from zhifa.cases.selectors import case_scope
from zhifa.catalogues.benchmarks import money
from zhifa.catalogues.models import ActionKind, DiscretionBenchmark
from zhifa.core.errors import InvalidInput
from zhifa.reasons import checker
from zhifa.reasons.models import (
    DetailedGround,
    OralReasons,
    Reasons,
    ReasonsExemption,
    ReasonsRequest,
)

DECISION_KINDS = ("decision", "onspot_decision")
STATEMENT_KINDS = ("statements", "hearing_minutes")


def reasons_latest(case: Case) -> Reasons | None:
    return Reasons.objects.filter(case=case).order_by("-number").first()


def latest_record(case: Case, kinds) -> Record | None:
    return (
        Record.objects.filter(case=case, kind__in=kinds, superseded_by__isnull=True)
        .order_by("occurred_at", "pk")
        .last()
    )


def exemption_active(case: Case) -> ReasonsExemption | None:
    return ReasonsExemption.objects.filter(case=case, cancelled_at__isnull=True).first()


def detailed_required(case: Case) -> list[str]:
    """Why this decision needs detailed, structured reasons (RSN-02, 001 附件4 §5):
    a hearing was held or asked for, the case is major (重大执法决定), or the
    handler recorded a ground of §5 that does not make it major."""
    from zhifa.cases.major import major_reasons

    why = []
    if Record.objects.filter(
        case=case, kind__in=("hearing_minutes", "hearing_application")
    ).exists():
        why.append("经过听证程序")
    why += [r.label for r in major_reasons(case) if r.code != "below_minimum"]
    for ground in grounds_active(case):
        label = ground.get_ground_display()
        if label not in why:
            why.append(label)
    return why


def grounds_active(case: Case) -> QuerySet[DetailedGround]:
    return DetailedGround.objects.filter(case=case, withdrawn_at__isnull=True)


def _others(case: Case) -> dict[str, str]:
    """Texts of the latest reasons of other cases of another matter → their number."""
    out: dict[str, str] = {}
    # Only each case's latest version, in one query (not every version of every case).
    newer = Reasons.objects.filter(case_id=OuterRef("case_id"), number__gt=OuterRef("number"))
    rows = (
        Reasons.objects.exclude(case=case)
        .exclude(case__matter_id=case.matter_id)
        .filter(~Exists(newer))
        .values_list("content", "case__number")
        .order_by("case_id")
    )
    floor = settings.ZHIFA_REASONS_BOILERPLATE_MIN_CHARS
    for content, number in rows.iterator():
        for _place, text in checker.boilerplate_texts(content):
            key = checker.plain(text)
            if len(key) >= floor:
                out.setdefault(key, number)
    return out


def checker_context(
    case: Case, *, on: date | None = None, with_others: bool = True
) -> checker.Context:
    record = latest_record(case, DECISION_KINDS)
    content = record.content if record is not None else {}
    try:
        amount = money(content.get("fine_amount"))
    except InvalidInput:
        amount = None
    return checker.Context(
        on=on or timezone.localdate(),
        penalty=case.action_kind == ActionKind.PENALTY,
        conclusion_amount=amount if amount else None,
        conclusion_text=str(content.get("conclusion") or ""),
        statements_on_file=Record.objects.filter(case=case, kind__in=STATEMENT_KINDS).exists(),
        others=_others(case) if with_others else None,
        vocabulary=case_vocabulary(case),
    )


def case_vocabulary(case: Case) -> str:
    """The case's own data as text, what its reasons must speak of (RSN-04): title,
    matter, parties, and the content of its records other than the decision,
    whose reasons are what is checked."""
    parts = [case.title, case.matter.name, case.source_detail]
    for party in case.parties.all():
        parts += [party.get_kind_display(), party.name, party.representative, party.address]
    for record in Record.objects.filter(case=case, superseded_by__isnull=True).exclude(
        kind__in=DECISION_KINDS
    ):
        parts.append(record.kind_label)
        parts += [str(v) for v in (record.content or {}).values() if v]
    return "\n".join(p for p in parts if p)


def case_findings(
    case: Case, content: dict | None = None, *, on: date | None = None, with_others: bool = True
):
    """The checker's findings on the case's latest reasons (or on ``content``);
    ``with_others=False`` skips the comparison with other cases (boilerplate)."""
    if content is None:
        latest = reasons_latest(case)
        if latest is None:
            return []
        content = latest.content
    ctx = checker_context(case, on=on, with_others=with_others)
    bench_id = content["discretion"]["benchmark"]
    if bench_id is not None:
        ctx.benchmark = DiscretionBenchmark.objects.filter(pk=bench_id, agency=case.agency).first()
    return checker.check(content, ctx)


def free_text_findings(case: Case, *, on: date | None = None):
    """The checker's findings on the decision record's free text (no structured reasons)."""
    record = latest_record(case, ("decision",))
    if record is None:
        return []
    return checker.check_free_text(record.content, checker_context(case, on=on, with_others=False))


def below_minimum(case: Case) -> tuple[Decimal, Decimal] | None:
    """(amount, statutory minimum) when the reasons fine below the statutory minimum."""
    latest = reasons_latest(case)
    if latest is None:
        return None
    d = latest.content["discretion"]
    if not d["amount"] or d["benchmark"] is None:
        return None
    bench = DiscretionBenchmark.objects.filter(pk=d["benchmark"]).first()
    amount = Decimal(d["amount"])
    if bench is not None and amount < bench.statutory_min:
        return amount, bench.statutory_min
    return None


# --- Lists, limited to what the actor may see ----------------------------------------


def request_list(*, actor) -> QuerySet[ReasonsRequest]:
    scope = case_scope(actor)
    if scope is None:
        return ReasonsRequest.objects.none()
    cases = Case.objects.filter(scope).values("pk")
    return ReasonsRequest.objects.filter(case__in=cases).select_related("case", "case__agency")


def requests_overdue(*, actor, today: date | None = None) -> QuerySet[ReasonsRequest]:
    today = today or timezone.localdate()
    return request_list(actor=actor).filter(answered_on__isnull=True, deadline__lt=today)


def oral_list(case: Case) -> QuerySet[OralReasons]:
    return OralReasons.objects.filter(case=case)
