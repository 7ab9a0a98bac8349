"""The figures of the 行政执法统计年报 (PUB-11), computed from case data only.

A case counts in the year by what happened in it that year: started (立案/受理)
by its ``started_on``, decided by the time of its decision record (行政执法决定
or 当场行政处罚决定, the latest version where one was corrected), closed by its
move to 结案. Amounts are the fines written on those decisions. A penalty's
kinds (行政处罚法第九条) are read from the decision's conclusion text, the one
place the record holds them today; a case may carry several kinds.

Reconsiderations (行政复议), litigation (行政诉讼) and the agency's own corrections
count from the remedy outcomes in force (``zhifa.remedies``): filed by the day
the application or suit was filed, concluded (and by outcome) by the day of the
reconsideration decision, judgment or correction.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.db.models import Count, Q, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone

from zhifa.accounts.models import Agency
from zhifa.cases.models import Case, Record, Stage, StageChange
from zhifa.cases.records import DECISION_KINDS
from zhifa.catalogues.models import ActionKind

# 行政处罚的种类 and the words that name them in a decision's conclusion. Order
# matters only for display; a conclusion may name several.
PENALTY_KINDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("warning", "警告、通报批评", ("警告", "通报批评")),
    ("fine", "罚款", ("罚款",)),
    ("confiscate_gains", "没收违法所得", ("没收违法所得",)),
    ("confiscate_property", "没收非法财物", ("没收非法财物",)),
    ("suspend_licence", "暂扣许可证件", ("暂扣",)),
    ("lower_qualification", "降低资质等级", ("降低资质等级",)),
    ("revoke_licence", "吊销许可证件", ("吊销",)),
    ("restrict_business", "限制开展生产经营活动", ("限制开展生产经营活动",)),
    ("suspend_business", "责令停产停业", ("责令停产停业", "责令停业")),
    ("close", "责令关闭", ("责令关闭", "关闭取缔")),
    ("restrict_practice", "限制从业", ("限制从业",)),
    ("detention", "行政拘留", ("行政拘留",)),
)
PENALTY_OTHER = ("other", "其他或未注明")


def penalty_kinds_of(conclusion: str, fine: Decimal) -> tuple[str, ...]:
    """The penalty kinds a decision names; a fine amount above zero is a 罚款."""
    return _penalty_kinds(conclusion or "", fine > 0)


@lru_cache(maxsize=4096)
def _penalty_kinds(text: str, fined: bool) -> tuple[str, ...]:
    # Cached: an agency's conclusions repeat the same few phrasings.
    found = [code for code, _label, words in PENALTY_KINDS if any(w in text for w in words)]
    if fined and "fine" not in found:
        found.append("fine")
    return tuple(found) or (PENALTY_OTHER[0],)


def amount_of(value) -> Decimal:
    try:
        return Decimal(str(value)) if value not in (None, "") else Decimal("0")
    except InvalidOperation:
        return Decimal("0")


@dataclass
class KindRow:
    """One line of the table by action kind."""

    kind: str
    label: str
    started: int = 0
    decided: int = 0
    closed: int = 0
    fine_count: int = 0
    fine_total: Decimal = Decimal("0")


@dataclass
class AnnualStats:
    """The figures of one agency's (or one region's) year."""

    title: str
    year: int
    agencies: list[Agency]
    by_kind: list[KindRow]
    penalty_kinds: list[tuple[str, str, int]]
    by_month: list[int]  # decisions per month, January first
    procedures: dict[str, int]
    hearings_requested: int
    hearings_held: int
    coercive_measures: int
    coercive_executions: int
    court_applications: int
    corrected_decisions: int
    remedies: dict[str, Counter] = field(default_factory=dict)
    per_agency: list[tuple[Agency, int, int, Decimal]] = field(default_factory=list)
    generated_at: datetime = field(default_factory=timezone.now)

    @property
    def totals(self) -> KindRow:
        row = KindRow("total", "合计")
        for r in self.by_kind:
            row.started += r.started
            row.decided += r.decided
            row.closed += r.closed
            row.fine_count += r.fine_count
            row.fine_total += r.fine_total
        return row


def year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(date(year, 1, 1), time.min, tzinfo=tz),
        datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=tz),
    )


def decisions_in(cases: QuerySet[Case], year: int) -> QuerySet[Record]:
    """The decisions in force made in ``year`` in ``cases``: one per case at most
    counts (the latest), corrected versions do not."""
    first, after = year_bounds(year)
    return Record.objects.filter(
        case__in=cases,
        kind__in=DECISION_KINDS,
        superseded_by__isnull=True,
        occurred_at__gte=first,
        occurred_at__lt=after,
    )


def annual_stats(agencies: QuerySet[Agency], year: int, *, title: str) -> AnnualStats:
    """The figures of ``year`` for the cases of ``agencies``; a handful of queries
    whatever the number of cases (decision contents are streamed)."""
    cases = Case.objects.filter(agency__in=agencies)
    first, after = year_bounds(year)
    rows = {kind: KindRow(kind, label) for kind, label in ActionKind.choices}

    started = (
        cases.filter(started_on__year=year).values("action_kind").order_by().annotate(n=Count("pk"))
    )
    for item in started:
        rows[item["action_kind"]].started = item["n"]
    closed = (
        StageChange.objects.filter(
            case__in=cases, to_stage=Stage.CLOSED, changed_at__gte=first, changed_at__lt=after
        )
        .values("case__action_kind")
        .order_by()
        .annotate(n=Count("case", distinct=True))
    )
    for item in closed:
        rows[item["case__action_kind"]].closed = item["n"]

    penalty = Counter()
    by_month = [0] * 12
    procedures: Counter = Counter()
    decided_cases: dict[int, tuple] = {}
    per_agency: dict[int, list] = defaultdict(lambda: [0, 0, Decimal("0")])
    decisions = (
        decisions_in(cases, year)
        .order_by("case_id", "occurred_at", "pk")
        .values_list(
            "case_id",
            "case__agency_id",
            "case__action_kind",
            "case__procedure",
            "occurred_at",
            KT("content__fine_amount"),
            KT("content__conclusion"),
        )
    )
    # The latest decision of a case wins (a case has one decision in force).
    for case_id, agency_id, kind, procedure, at, fine, conclusion in decisions.iterator(
        chunk_size=5000
    ):
        decided_cases[case_id] = (agency_id, kind, procedure, at, amount_of(fine), conclusion)
    tz = timezone.get_current_timezone()
    for agency_id, kind, procedure, at, fine, conclusion in decided_cases.values():
        row = rows[kind]
        row.decided += 1
        if fine > 0:
            row.fine_count += 1
            row.fine_total += fine
        by_month[at.astimezone(tz).month - 1] += 1
        procedures[procedure] += 1
        if kind == ActionKind.PENALTY:
            penalty.update(penalty_kinds_of(conclusion, fine))
        per_agency[agency_id][1] += 1
        per_agency[agency_id][2] += fine

    for agency_id, n in (
        cases.filter(started_on__year=year)
        .values_list("agency_id")
        .order_by()
        .annotate(n=Count("pk"))
    ):
        per_agency[agency_id][0] = n

    records = Record.objects.filter(
        case__in=cases, occurred_at__gte=first, occurred_at__lt=after, superseded_by__isnull=True
    )
    counts = records.aggregate(
        hearings_requested=Count("case", filter=Q(kind="hearing_application"), distinct=True),
        hearings_held=Count("case", filter=Q(kind="hearing_minutes"), distinct=True),
        coercive_measures=Count("pk", filter=Q(kind="coercive_measure")),
        coercive_executions=Count("pk", filter=Q(kind="coercive_execution")),
        court_applications=Count("pk", filter=Q(kind="court_application")),
    )
    corrected = Record.objects.filter(
        case__in=cases,
        kind__in=DECISION_KINDS,
        superseded_by__isnull=False,
        occurred_at__gte=first,
        occurred_at__lt=after,
    ).count()

    from zhifa.remedies.selectors import year_counts

    agency_list = list(agencies.order_by("name"))
    labels = dict(PENALTY_KINDS_LABELS)
    return AnnualStats(
        title=title,
        year=year,
        agencies=agency_list,
        by_kind=list(rows.values()),
        penalty_kinds=[(code, labels[code], penalty[code]) for code in labels if penalty[code]],
        by_month=by_month,
        procedures=dict(procedures),
        corrected_decisions=corrected,
        remedies=year_counts(cases, year),
        per_agency=[
            (a, *per_agency[a.pk])
            for a in agency_list
            if a.pk in per_agency or len(agency_list) > 1
        ],
        **counts,
    )


PENALTY_KINDS_LABELS = [(code, label) for code, label, _words in PENALTY_KINDS] + [PENALTY_OTHER]
