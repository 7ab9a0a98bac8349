"""The registry of watch items (督办事项) on the supervisor dashboard (SUP-01).

A watch item is one kind of thing that is overdue or at risk: cases past their
time limit, recordings stored late, case files not archived in time, expired
credentials, agencies short of reviewers … Each app registers its own with
``@watch`` in a module imported from its ``AppConfig.ready()``::

    from zhifa.supervision.watch import watch, case_columns

    @watch(
        "review_overdue",
        label="法制审核超期",
        requirement="REV-05",
        columns=case_columns(),
        link=lambda case: reverse("cases:case-detail", args=[case.pk]),
    )
    def review_overdue(scope):
        return scope.cases.filter(...)        # a QuerySet of the items

The function takes a ``zhifa.supervision.selectors.Scope`` (the agencies the
reader may see: ``scope.agencies``, ``scope.cases``) and returns a QuerySet of
the rows behind the item, already limited to that scope. The dashboard shows
``count()`` of it and links to a list page of the rows (search, sort, pages,
Excel export through ``zhifa.core.listing``), each row linking to the item's
own page through ``link``. ``level`` is ``overdue`` (a deadline has passed or
a standard is not met) or ``at_risk`` (it soon will be).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse

from zhifa.core.listing import Column

OVERDUE = "overdue"
AT_RISK = "at_risk"
LEVELS = {OVERDUE: "已逾期或不达标", AT_RISK: "临近期限"}


@dataclass(frozen=True)
class WatchItem:
    key: str
    label: str
    requirement: str
    level: str
    rows: Callable  # (scope) -> QuerySet
    columns: Sequence[Column]
    link: Callable | None
    search_fields: Sequence[str] = ()
    default_sort: str = ""
    order: int = 100

    def queryset(self, scope) -> QuerySet:
        return self.rows(scope)

    def count(self, scope) -> int:
        return self.rows(scope).count()


WATCHES: dict[str, WatchItem] = {}


def watch(
    key: str,
    *,
    label: str,
    requirement: str,
    columns: Sequence[Column],
    link: Callable | None = None,
    level: str = OVERDUE,
    search_fields: Sequence[str] = (),
    default_sort: str = "",
    order: int = 100,
):
    """Register ``fn(scope) -> QuerySet`` as the watch item ``key``."""
    if level not in LEVELS:
        raise ValueError(f"unknown watch level {level!r}")

    def register(fn):
        WATCHES[key] = WatchItem(
            key,
            label,
            requirement,
            level,
            fn,
            tuple(columns),
            link,
            tuple(search_fields),
            default_sort,
            order,
        )
        return fn

    return register


def watch_items() -> list[WatchItem]:
    return sorted(WATCHES.values(), key=lambda w: (w.order, w.key))


def watch_get(key: str) -> WatchItem | None:
    return WATCHES.get(key)


def case_url(case) -> str:
    return reverse("cases:case-detail", args=[case.pk])


def case_columns(*extra: Column) -> list[Column]:
    """The usual columns of a list of cases; ``extra`` columns follow."""
    return [
        Column("案件编号", "number", sort="number", link=case_url),
        Column("案件名称", "title"),
        Column("执法主体", "agency.name", sort="agency__name"),
        Column("执法类别", lambda c: c.get_action_kind_display()),
        Column("当前环节", lambda c: c.get_stage_display(), sort="stage"),
        Column("启动日期", "started_on", sort="started_on"),
        *extra,
    ]
