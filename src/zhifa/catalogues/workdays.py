"""Working days (工作日) for deadlines, read from the work calendar.

A year is known once its holiday arrangement is published in the work
calendar. Days in a year that is not known are counted on the plain week
(Monday to Friday) and every result that looked at such a day is marked
provisional, so a deadline is never silently wrong — only visibly tentative.

Writes to the calendar are in ``zhifa.catalogues.services``.
"""

from __future__ import annotations

from bisect import bisect_left
from calendar import FRIDAY
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet

from zhifa.catalogues.models import WorkCalendarDay, WorkCalendarYear
from zhifa.catalogues.selectors import calendar_year_known
from zhifa.core.errors import InvalidInput

ONE_DAY = timedelta(days=1)

# How far past the plain estimate (two calendar days per working day) one load
# of the calendar reaches. Longer than the longest official break (春节, nine
# days), so one query nearly always suffices; ``workdays_add`` loads further
# windows when it does not, so the result never depends on this value.
_WINDOW_SLACK_DAYS = 14
_DAYS_PER_WORKDAY_ESTIMATE = 2


@dataclass(frozen=True)
class DayInfo:
    is_workday: bool
    provisional: bool
    name: str = ""


@dataclass(frozen=True)
class Deadline:
    date: date
    provisional: bool


@dataclass(frozen=True)
class WorkdayCount:
    count: int
    provisional: bool


def is_plain_workday(day: date) -> bool:
    """What the plain week says, before holidays and make-up days (调休)."""
    return day.weekday() <= FRIDAY


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += ONE_DAY


class _Span:
    """The work calendar from ``first`` to ``last``, loaded once: one query for
    the known years and one for the special days, never one per day."""

    def __init__(self, first: date, last: date) -> None:
        self.known = set(
            WorkCalendarYear.objects.filter(
                is_published=True, year__range=(first.year, last.year)
            ).values_list("year", flat=True)
        )
        # Days of a year still being entered do not count until it is published.
        self.special = {
            day: (is_workday, name)
            for day, is_workday, name in WorkCalendarDay.objects.filter(
                day__range=(first, last), year__is_published=True
            ).values_list("day", "is_workday", "name")
        }

    def info(self, day: date) -> DayInfo:
        if day.year not in self.known:
            return DayInfo(is_plain_workday(day), provisional=True)
        is_workday, name = self.special.get(day, (is_plain_workday(day), ""))
        return DayInfo(is_workday, provisional=False, name=name)


def day_info(day: date) -> DayInfo:
    return _Span(day, day).info(day)


def workdays_add(start: date, n: int) -> Deadline:
    """The ``n``-th working day after ``start`` (``start`` itself is not
    counted, so ``n=0`` gives ``start``)."""
    if n < 0:
        raise InvalidInput("工作日数不能为负数。")
    day, remaining, provisional = start, n, False
    try:
        while remaining:
            first = day + ONE_DAY
            last = first + timedelta(
                days=remaining * _DAYS_PER_WORKDAY_ESTIMATE + _WINDOW_SLACK_DAYS
            )
            span = _Span(first, last)
            # ``day`` is left on the answer when the count runs out.
            for day in _days(first, last):
                info = span.info(day)
                provisional = provisional or info.provisional
                if info.is_workday:
                    remaining -= 1
                    if not remaining:
                        break
    except OverflowError:
        raise InvalidInput("计算结果超出可表示的日期范围。") from None
    return Deadline(day, provisional)


def workdays_add_many(pairs: Iterable[tuple[date, int]]) -> list[Deadline]:
    """``workdays_add(start, n)`` for each ``(start, n)``, in order, with the work
    calendar read once for all of them (two queries), not once per pair: lists
    of deadlines and due dates stay at a fixed number of queries."""
    pairs = list(pairs)
    if not pairs:
        return []
    if any(n < 0 for _, n in pairs):
        raise InvalidInput("工作日数不能为负数。")
    first = min(start for start, _ in pairs)
    last = max(start for start, _ in pairs) + timedelta(
        days=max(n for _, n in pairs) * _DAYS_PER_WORKDAY_ESTIMATE + _WINDOW_SLACK_DAYS
    )
    span = _Span(first, last)
    # counted[i] / unsure[i]: working / provisional days d with first < d <= first + i.
    counted, unsure = [0], [0]
    for day in _days(first + ONE_DAY, last):
        info = span.info(day)
        counted.append(counted[-1] + info.is_workday)
        unsure.append(unsure[-1] + info.provisional)
    out = []
    for start, n in pairs:
        at = (start - first).days
        i = bisect_left(counted, counted[at] + n) if n else at
        if i < len(counted):
            out.append(Deadline(first + timedelta(days=i), unsure[i] > unsure[at]))
        else:  # beyond the span read: count it alone
            out.append(workdays_add(start, n))
    return out


def workdays_between(a: date, b: date) -> WorkdayCount:
    """The number of working days ``d`` with ``a < d <= b``; negative when
    ``b`` is before ``a``. ``workdays_between(a, workdays_add(a, n).date)`` is ``n``."""
    if b < a:
        reverse = workdays_between(b, a)
        return WorkdayCount(-reverse.count, reverse.provisional)
    if a == b:
        return WorkdayCount(0, False)
    span = _Span(a + ONE_DAY, b)
    count, provisional = 0, False
    for day in _days(a + ONE_DAY, b):
        info = span.info(day)
        count += info.is_workday
        provisional = provisional or info.provisional
    return WorkdayCount(count, provisional)


def unknown_years(after: date, through: date) -> list[int]:
    """The years of the days ``d`` with ``after < d <= through`` whose calendar
    is not known: what a provisional result should name."""
    first, last = sorted((after, through))
    if first == last:
        return []
    return [
        year
        for year in range((first + ONE_DAY).year, last.year + 1)
        if not calendar_year_known(year)
    ]


# --- Reads for the calendar page and the command line -------------------------------


def calendar_year_get(year: int) -> WorkCalendarYear | None:
    return WorkCalendarYear.objects.filter(year=year).first()


def calendar_days(year: int) -> QuerySet[WorkCalendarDay]:
    """The special days entered for ``year``, published or not."""
    return WorkCalendarDay.objects.filter(year_id=year).order_by("day")


def calendar_years() -> QuerySet[WorkCalendarYear]:
    return WorkCalendarYear.objects.order_by("year")
