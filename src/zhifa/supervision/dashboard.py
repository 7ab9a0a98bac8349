"""The figures of the supervisor dashboard (SUP-01): watch-item counts, cases
per agency, and the chart series (cases by kind, by stage, by month)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from zhifa.cases.models import Stage
from zhifa.cases.selectors import open_stages
from zhifa.catalogues.models import ActionKind
from zhifa.supervision.watch import LEVELS, WatchItem, watch_items


@dataclass(frozen=True)
class WatchCount:
    item: WatchItem
    count: int

    @property
    def level_label(self) -> str:
        return LEVELS[self.item.level]


def watch_counts(scope) -> list[WatchCount]:
    return [WatchCount(item, item.count(scope)) for item in watch_items()]


def months_back(today: date, n: int = 12) -> list[date]:
    """The first days of the last ``n`` months, oldest first, this month last."""
    year, month = today.year, today.month
    out = []
    for _ in range(n):
        out.append(date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def cases_by_kind(scope) -> list[tuple[str, int]]:
    counts = dict(scope.cases.values_list("action_kind").order_by().annotate(n=Count("pk")))
    return [(label, counts.get(kind, 0)) for kind, label in ActionKind.choices]


def cases_by_stage(scope) -> list[tuple[str, int]]:
    counts = dict(scope.cases.values_list("stage").order_by().annotate(n=Count("pk")))
    return [(label, counts.get(stage, 0)) for stage, label in Stage.choices]


def cases_by_month(scope, today: date | None = None) -> list[tuple[str, int]]:
    """Cases started in each of the last twelve months."""
    months = months_back(today or timezone.localdate())
    # Grouped by day, then bucketed here: SQLite has no native month extraction,
    # and at most a year of days comes back.
    counts: dict[tuple[int, int], int] = {}
    for day, n in (
        scope.cases.filter(started_on__gte=months[0])
        .values_list("started_on")
        .order_by()
        .annotate(n=Count("pk"))
    ):
        counts[(day.year, day.month)] = counts.get((day.year, day.month), 0) + n
    return [(f"{d:%Y-%m}", counts.get((d.year, d.month), 0)) for d in months]


def agency_rows(scope, today: date | None = None) -> list[tuple]:
    """Per agency: ``(agency, cases, open cases, started this year)``, in one query."""
    year = (today or timezone.localdate()).year
    agencies = scope.agencies.annotate(
        total=Count("cases"),
        open=Count("cases", filter=Q(cases__stage__in=open_stages())),
        this_year=Count("cases", filter=Q(cases__started_on__year=year)),
    ).order_by("name")
    return [(a, a.total, a.open, a.this_year) for a in agencies]
