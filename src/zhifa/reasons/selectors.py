"""Reads of the reasons app, and the checker applied to a real case."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from zhifa.cases.models import Case, Record
from zhifa.cases.records import DECISION_KINDS
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
    ReasonsFingerprint,
    ReasonsRequest,
)

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


BELOW_MINIMUM = "罚款低于法定最低额（减轻处罚）"


def detailed_required(case: Case) -> list[str]:
    """Why this decision needs detailed, structured reasons (RSN-02, 001 附件4 §5):
    a hearing was held or asked for, the case is major (重大执法决定), its fine
    lies below the statutory minimum (减轻处罚, 行政处罚法 第三十二条, whose
    grounds the checker reads from the structured reasons), or the handler
    recorded a ground of §5 that does not make it major."""
    from zhifa.cases.major import major_reasons
    from zhifa.reviews.catalogue import fine_below_minimum

    why = []
    if Record.objects.filter(
        case=case, kind__in=("hearing_minutes", "hearing_application")
    ).exists():
        why.append("经过听证程序")
    # The draft decision's fine is read as the legal review reads it, so that a
    # free-text decision cannot reduce the fine without reasoning the reduction;
    # the major source of the same code is named here once, in these words.
    if fine_below_minimum(case) is not None or below_minimum(case) is not None:
        why.append(BELOW_MINIMUM)
    why += [r.label for r in major_reasons(case) if r.code != "below_minimum"]
    for ground in grounds_active(case):
        label = ground.get_ground_display()
        if label not in why:
            why.append(label)
    return why


def grounds_active(case: Case) -> QuerySet[DetailedGround]:
    return DetailedGround.objects.filter(case=case, withdrawn_at__isnull=True)


# How many cases the boilerplate finding names for one passage.
TWINS_NAMED = 3


def _others(case: Case, content: dict, *, actor) -> dict[str, checker.Twins]:
    """Plain text → the other cases, of another matter, whose latest reasons hold
    the same passage (RSN-04), for the passages of ``content`` long enough to
    count. Looked up by fingerprint through an index, in a fixed number of
    queries whatever the number of cases; only cases ``actor`` may see are
    named, the others are counted."""
    from zhifa.reasons.fingerprints import passages

    mine = passages(content, floor=settings.ZHIFA_REASONS_BOILERPLATE_MIN_CHARS)
    if not mine:
        return {}
    matches = (
        ReasonsFingerprint.objects.filter(digest__in=set(mine.values()))
        .exclude(case_id=case.pk)
        .exclude(case__matter_id=case.matter_id)
    )
    scope = case_scope(actor) if actor is not None else None
    own = Q(case__agency_id=case.agency_id)
    if scope is None:
        seen = Q(pk__isnull=True)  # nothing: the row's own key is never null
    else:
        seen = Q(case_id__in=Case.objects.filter(scope).values("pk"))
    counts = matches.values("digest").annotate(
        total=Count("pk"),
        seen=Count("pk", filter=seen),
        hidden_own=Count("pk", filter=own & ~seen),
    )
    named: dict[str, list[str]] = {}
    if scope is not None:
        ranked = (
            matches.filter(seen)
            .annotate(
                rank=Window(RowNumber(), partition_by=F("digest"), order_by=F("case__number").asc())
            )
            .filter(rank__lte=TWINS_NAMED)
            .order_by("digest", "case__number")
            .values_list("digest", "case__number")
        )
        for digest, number in ranked:
            named.setdefault(digest, []).append(number)
    twins = {}
    for row in counts:
        numbers = tuple(named.get(row["digest"], ()))
        twins[row["digest"]] = checker.Twins(
            numbers=numbers,
            more_seen=row["seen"] - len(numbers),
            hidden_own=row["hidden_own"],
            hidden_other=row["total"] - row["seen"] - row["hidden_own"],
        )
    return {key: twins[digest] for key, digest in mine.items() if digest in twins}


def checker_context(
    case: Case,
    *,
    on: date | None = None,
    with_others: bool = True,
    content: dict | None = None,
    actor=None,
) -> checker.Context:
    """What the checker needs to know of the case; ``with_others`` compares
    ``content`` with other cases' reasons, telling ``actor`` only of those they
    may see."""
    record = latest_record(case, DECISION_KINDS)
    decision = record.content if record is not None else {}
    try:
        amount = money(decision.get("fine_amount"))
    except InvalidInput:
        amount = None
    others = None
    if with_others and content is not None:
        others = _others(case, content, actor=actor)
    return checker.Context(
        on=on or timezone.localdate(),
        penalty=case.action_kind == ActionKind.PENALTY,
        conclusion_amount=amount if amount else None,
        conclusion_text=str(decision.get("conclusion") or ""),
        statements_on_file=Record.objects.filter(case=case, kind__in=STATEMENT_KINDS).exists(),
        others=others,
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
    case: Case,
    content: dict | None = None,
    *,
    on: date | None = None,
    with_others: bool = True,
    actor=None,
):
    """The checker's findings on the case's latest reasons (or on ``content``);
    ``with_others=False`` skips the comparison with other cases (boilerplate),
    whose finding names only the cases ``actor`` may see (none without one)."""
    if content is None:
        latest = reasons_latest(case)
        if latest is None:
            return []
        content = latest.content
    ctx = checker_context(case, on=on, with_others=with_others, content=content, actor=actor)
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
