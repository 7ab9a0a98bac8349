"""Working-day arithmetic on the official calendar, and the ``zhifa workdays``
command. The 2026 dates are those of 国办发明电〔2025〕7号 as chinesecalendar 1.11
has them; 2027 is a year it does not know."""

from datetime import date, timedelta
from io import StringIO

import chinese_calendar
import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhifa.catalogues import services
from zhifa.catalogues.workdays import (
    DayInfo,
    Deadline,
    WorkdayCount,
    day_info,
    is_plain_workday,
    unknown_years,
    workdays_add,
    workdays_between,
)
from zhifa.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(sysadmin):
    services.calendar_seed(actor=sysadmin, years=[2025, 2026])


# --- National Day 2026: Oct 1–7 off, Sun 9-20 and Sat 10-10 worked -----------------


def test_national_day_week_is_off_and_its_weekday_holidays_are_named(seeded):
    for day in range(1, 8):
        assert not day_info(date(2026, 10, day)).is_workday
    assert day_info(date(2026, 10, 1)) == DayInfo(False, False, "国庆节")
    assert day_info(date(2026, 10, 8)) == DayInfo(True, False, "")


def test_the_tiaoxiu_saturday_after_national_day_is_a_working_day(seeded):
    assert day_info(date(2026, 10, 10)) == DayInfo(True, False, "国庆节调休")
    assert not day_info(date(2026, 10, 11)).is_workday


def test_seven_working_days_from_the_eve_of_national_day(seeded):
    # Oct 8, 9, 10 (Saturday worked), 12, 13, 14, 15.
    assert workdays_add(date(2026, 9, 30), 7) == Deadline(date(2026, 10, 15), False)
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 15)) == WorkdayCount(7, False)


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 9, 30), 1, date(2026, 10, 8)),  # the whole holiday is skipped
        (date(2026, 10, 3), 1, date(2026, 10, 8)),  # starting inside the holiday
        (date(2026, 10, 7), 1, date(2026, 10, 8)),  # the last day off
        (date(2026, 10, 8), 2, date(2026, 10, 10)),  # Friday, then the Saturday worked
        (date(2026, 10, 9), 2, date(2026, 10, 12)),  # Sunday 10-11 is off again
    ],
)
def test_adding_across_the_national_day_boundaries(seeded, start, n, expected):
    assert workdays_add(start, n).date == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(2026, 9, 30), date(2026, 10, 7), 0),
        (date(2026, 9, 30), date(2026, 10, 8), 1),
        (date(2026, 10, 9), date(2026, 10, 10), 1),
        (date(2026, 10, 10), date(2026, 10, 11), 0),
        (date(2026, 10, 15), date(2026, 9, 30), -7),
    ],
)
def test_counting_across_the_national_day_boundaries(seeded, a, b, expected):
    assert workdays_between(a, b) == WorkdayCount(expected, False)


# --- Mid-Autumn 2026: Fri 9-25 off; Sun 9-20 worked ---------------------------------


def test_mid_autumn_friday_is_off_and_the_sunday_before_is_worked(seeded):
    assert day_info(date(2026, 9, 25)) == DayInfo(False, False, "中秋")
    assert day_info(date(2026, 9, 20)).is_workday
    assert not day_info(date(2026, 9, 19)).is_workday


def test_working_days_around_mid_autumn(seeded):
    assert workdays_add(date(2026, 9, 18), 1).date == date(2026, 9, 20)
    assert workdays_add(date(2026, 9, 24), 1).date == date(2026, 9, 28)
    # Sun 20, Mon 21 – Thu 24; not Fri 25 nor the weekend.
    assert workdays_between(date(2026, 9, 18), date(2026, 9, 27)).count == 5


# --- Edges ---------------------------------------------------------------------------


def test_zero_working_days_is_the_start_itself(seeded):
    assert workdays_add(date(2026, 10, 3), 0) == Deadline(date(2026, 10, 3), False)
    assert workdays_between(date(2026, 10, 3), date(2026, 10, 3)) == WorkdayCount(0, False)


def test_a_negative_number_of_working_days_is_refused(seeded):
    with pytest.raises(InvalidInput, match="不能为负数"):
        workdays_add(date(2026, 10, 3), -1)


def test_a_long_span_is_read_with_two_queries(seeded, django_assert_num_queries):
    # One for the known years, one for the special days: never one per day.
    with django_assert_num_queries(2):
        count = workdays_between(date(2025, 1, 1), date(2026, 12, 31))
    expected = sum(
        chinese_calendar.is_workday(date(2025, 1, 1) + timedelta(days=i)) for i in range(1, 730)
    )
    assert count == WorkdayCount(expected, False)
    with django_assert_num_queries(2):
        workdays_add(date(2025, 1, 1), 400)


# --- Years the calendar does not know --------------------------------------------------


def test_a_deadline_in_an_unknown_year_is_provisional_and_counts_the_plain_week(seeded):
    # 2027-01-01 is a Friday: surely a holiday, but 2027 is not announced yet.
    assert day_info(date(2027, 1, 1)) == DayInfo(True, True, "")
    assert workdays_add(date(2026, 12, 31), 1) == Deadline(date(2027, 1, 1), True)
    assert workdays_between(date(2026, 12, 31), date(2027, 1, 4)) == WorkdayCount(2, True)
    assert unknown_years(date(2026, 12, 31), date(2027, 1, 4)) == [2027]


def test_a_deadline_inside_a_known_year_is_not_provisional(seeded):
    assert workdays_add(date(2026, 12, 1), 5) == Deadline(date(2026, 12, 8), False)
    assert unknown_years(date(2026, 12, 1), date(2026, 12, 8)) == []


def test_publishing_2027_makes_its_holidays_count(seeded, sysadmin):
    services.calendar_year_add(actor=sysadmin, year=2027, notice="国办发明电〔2026〕1号")
    services.calendar_day_set(actor=sysadmin, day=date(2027, 1, 1), is_workday=False, name="元旦")
    # Entered but not yet published: still the plain week, still provisional.
    assert workdays_add(date(2026, 12, 31), 1) == Deadline(date(2027, 1, 1), True)

    services.calendar_year_publish(actor=sysadmin, year=2027)
    assert day_info(date(2027, 1, 1)) == DayInfo(False, False, "元旦")
    assert workdays_add(date(2026, 12, 31), 1) == Deadline(date(2027, 1, 4), False)
    assert workdays_between(date(2026, 12, 31), date(2027, 1, 4)) == WorkdayCount(1, False)
    assert unknown_years(date(2026, 12, 31), date(2027, 1, 4)) == []


# --- Properties over 2025–2027 ---------------------------------------------------------


def _official(day: date) -> bool:
    """The oracle: chinesecalendar where it knows the year, else the plain week."""
    return chinese_calendar.is_workday(day) if day.year <= 2026 else is_plain_workday(day)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 30)),
    n=st.integers(min_value=0, max_value=300),
)
def test_between_undoes_add(seeded, start, n):
    deadline = workdays_add(start, n)
    assert workdays_between(start, deadline.date) == WorkdayCount(n, deadline.provisional)
    assert workdays_between(deadline.date, start) == WorkdayCount(-n, deadline.provisional)
    # Only the days after the start are examined; n=0 examines none.
    assert deadline.provisional == (n > 0 and deadline.date.year >= 2027)
    if n:
        assert _official(deadline.date)
        # The deadline is the first day reaching n: the day before it is short by one.
        assert workdays_between(start, deadline.date - timedelta(days=1)).count == n - 1


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    a=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
    b=st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
)
def test_between_agrees_with_the_official_calendar(seeded, a, b):
    first, last = sorted((a, b))
    expected = sum(_official(first + timedelta(days=i)) for i in range(1, (last - first).days + 1))
    result = workdays_between(a, b)
    assert result.count == (expected if a <= b else -expected)
    assert result.provisional == (last.year >= 2027 and first != last)


# --- The command line ------------------------------------------------------------------


def _run(*args) -> list[str]:
    out = StringIO()
    call_command("workdays", *args, stdout=out)
    return out.getvalue().splitlines()


def test_cli_add_prints_the_date(seeded):
    assert _run("add", "2026-09-30", "7") == ["2026-10-15"]


def test_cli_between_prints_the_count(seeded):
    assert _run("between", "2026-09-30", "2026-10-15") == ["7"]
    assert _run("between", "2026-10-15", "2026-09-30") == ["-7"]


def test_cli_says_when_the_answer_is_provisional(seeded):
    lines = _run("add", "2026-12-31", "1")
    assert lines[0] == "2027-01-01"
    assert lines[1].startswith("暂定：") and "2027" in lines[1]
    lines = _run("between", "2026-12-31", "2027-01-04")
    assert lines[0] == "2"
    assert lines[1].startswith("暂定：2027 年")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "2026-13-01", "7"), "日期“2026-13-01”无效"),
        (("add", "2026-09-30", "七"), "工作日数“七”无效"),
        (("add", "2026-09-30", "-1"), "工作日数“-1”无效"),
        (("between", "2026-09-30", "明天"), "日期“明天”无效"),
    ],
)
def test_cli_refuses_bad_input_in_chinese(seeded, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_many_deadlines_at_once_equal_each_one_alone(seeded):
    """Around 中秋/国庆 2026 (调休 Sundays and Saturdays included), with a year
    not yet published at the far end."""
    from zhifa.catalogues.workdays import workdays_add, workdays_add_many

    pairs = [
        (date(2026, 9, 18), 0),
        (date(2026, 9, 18), 1),
        (date(2026, 9, 19), 5),
        (date(2026, 9, 30), 1),
        (date(2026, 10, 1), 3),
        (date(2026, 10, 9), 2),
        (date(2026, 12, 25), 15),
        (date(2026, 6, 1), 90),
    ]
    assert workdays_add_many(pairs) == [workdays_add(s, n) for s, n in pairs]
    assert workdays_add_many([]) == []
