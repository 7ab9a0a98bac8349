"""The case clock: a case's time limit and its suspensions (SUP-01, SUP-05).

A case is to be handled within its matter's ``time_limit_days`` working days
from the day it started, that day not counted. The working days of a
suspension (``Suspension``: 听证, 检测鉴定, 公告 …) do not count: from the day
it began up to the day before it ended (恢复之日起继续计算). While a suspension
is open the clock stands still: the case has no due date, so it is neither
past nor near its limit.

``services.case_suspend`` accepts a suspension only while the case is within
its limit (its due date is today or later, and a suspension begins no later
than today). Every working day left out therefore lies before the due date,
and the due date is simply

    workdays_add(started_on, time_limit_days + limit_extension_workdays)

where ``Case.limit_extension_workdays`` is the sum over the ended suspensions,
kept on the case by the services with ``Case.suspended_since``. The
supervisor's counts read the cases whose clock never stopped with one SQL
predicate per distinct limit, and the few others through ``due_dates``, which
reads the work calendar once for all of them (``supervision.watches``).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from zhifa.catalogues.workdays import (
    ONE_DAY,
    workdays_add,
    workdays_add_many,
    workdays_between,
)


def today() -> date:
    """The day the services judge suspensions by (tests set it)."""
    return timezone.localdate()


def excluded_workdays(case_started_on: date, begins: date, ends: date) -> int:
    """The working days a suspension from ``begins`` to ``ends`` leaves out of
    the clock: those ``d`` with ``begins <= d < ends``, after the case's start
    day (which the clock never counts)."""
    low = max(begins - ONE_DAY, case_started_on)
    high = ends - ONE_DAY
    if high <= low:
        return 0
    return workdays_between(low, high).count


@dataclass(frozen=True)
class CaseClock:
    limit_days: int  # 0: the matter sets no time limit
    extension: int  # working days of the ended suspensions
    suspended_since: date | None
    due_on: date | None  # None without a limit or while suspended
    provisional: bool  # a year of the work calendar is not yet published

    @property
    def suspended(self) -> bool:
        return self.suspended_since is not None

    def past(self, on: date) -> bool:
        return self.due_on is not None and self.due_on < on


def case_clock(case) -> CaseClock:
    limit = case.matter.time_limit_days or 0
    extension = case.limit_extension_workdays
    if not limit or case.suspended_since is not None:
        return CaseClock(limit, extension, case.suspended_since, None, False)
    due = workdays_add(case.started_on, limit + extension)
    return CaseClock(limit, extension, None, due.date, due.provisional)


def limit_due_on(case) -> date | None:
    """The last working day of the case's time limit, suspensions left out;
    ``None`` without a limit or while the clock is suspended."""
    return case_clock(case).due_on


def due_dates(rows: Iterable[tuple[Hashable, date, int]]) -> dict[Hashable, date]:
    """``workdays_add(start, n).date`` for each ``(key, start, n)``, with the work
    calendar read once for all rows (two queries), not once per row."""
    rows = list(rows)
    deadlines = workdays_add_many((start, n) for _, start, n in rows)
    return {key: d.date for (key, _, _), d in zip(rows, deadlines, strict=True)}
