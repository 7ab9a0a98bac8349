"""Writes to the work calendar: seeding from chinesecalendar, entering and
publishing a year by hand, who may do it, and the ledger entry of each."""

from datetime import date
from io import StringIO

import chinese_calendar
import pytest
from django.core.management import CommandError, call_command

from zhifa.catalogues import services
from zhifa.catalogues.models import WorkCalendarDay, WorkCalendarYear
from zhifa.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import entries_for, ledger_verify

pytestmark = pytest.mark.django_db

LAST_KNOWN_YEAR = max(chinese_calendar.holidays).year


def _special(year: int) -> dict[date, tuple[bool, str]]:
    return {
        row.day: (row.is_workday, row.name) for row in WorkCalendarDay.objects.filter(year_id=year)
    }


# --- Seeding ---------------------------------------------------------------------------


def test_seeding_stores_only_the_days_that_differ_from_the_plain_week(sysadmin):
    assert services.calendar_seed(actor=sysadmin, years=[2026]) == [2026]
    year = WorkCalendarYear.objects.get(year=2026)
    assert year.source == WorkCalendarYear.Source.SEEDED
    assert year.is_published
    special = _special(2026)
    assert special[date(2026, 10, 1)] == (False, "国庆节")
    assert special[date(2026, 9, 25)] == (False, "中秋")
    assert special[date(2026, 10, 10)] == (True, "国庆节调休")
    assert special[date(2026, 9, 20)] == (True, "国庆节调休")
    # A holiday that falls on a weekend is already a day off.
    assert date(2026, 10, 3) not in special
    # Every stored day is one where chinesecalendar disagrees with Monday–Friday.
    assert all(chinese_calendar.is_workday(day) == w for day, (w, _) in special.items())
    assert all(w == (day.weekday() >= 5) for day, (w, _) in special.items())


def test_seeding_writes_one_ledger_entry_per_year_with_its_days(sysadmin):
    services.calendar_seed(actor=sysadmin, years=[2025, 2026])
    entry = entries_for(WorkCalendarYear.objects.get(year=2026)).get(action="calendar.seed")
    assert entry.payload["special_days"] == WorkCalendarDay.objects.filter(year_id=2026).count()
    assert {"国庆节", "中秋", "春节", "国庆节调休"} <= set(entry.payload["names"])
    assert LedgerEntry.objects.filter(action="calendar.seed").count() == 2
    assert ledger_verify().ok


def test_seeding_again_changes_nothing(sysadmin):
    services.calendar_seed(actor=sysadmin, years=[2025, 2026])
    before = _special(2026)
    entries = LedgerEntry.objects.count()
    assert services.calendar_seed(actor=sysadmin, years=[2025, 2026]) == []
    assert _special(2026) == before
    assert LedgerEntry.objects.count() == entries


def test_seeding_by_default_reaches_the_last_year_chinesecalendar_knows(db, settings):
    settings.ZHIFA_CALENDAR_SEED_FIRST_YEAR = LAST_KNOWN_YEAR - 2
    written = services.calendar_seed(actor=None)
    assert written == [LAST_KNOWN_YEAR - 2, LAST_KNOWN_YEAR - 1, LAST_KNOWN_YEAR]
    assert not WorkCalendarYear.objects.filter(year=LAST_KNOWN_YEAR + 1).exists()
    # From the command line the ledger records the system as the actor.
    assert set(
        LedgerEntry.objects.filter(action="calendar.seed").values_list("actor_name", flat=True)
    ) == {"系统"}


def test_seeding_a_year_chinesecalendar_does_not_know_is_refused(sysadmin):
    with pytest.raises(InvalidInput, match=str(LAST_KNOWN_YEAR + 1)):
        services.calendar_seed(actor=sysadmin, years=[LAST_KNOWN_YEAR, LAST_KNOWN_YEAR + 1])
    assert not WorkCalendarYear.objects.exists()


def test_seeding_never_overwrites_a_year_entered_by_hand(sysadmin):
    services.calendar_year_add(actor=sysadmin, year=2026, notice="国办发明电〔2025〕7号")
    assert services.calendar_seed(actor=sysadmin, years=[2025, 2026]) == [2025]
    year = WorkCalendarYear.objects.get(year=2026)
    assert (year.source, year.is_published, year.days.count()) == ("manual", False, 0)


def test_a_corrected_seeded_year_becomes_manual_and_keeps_the_correction(sysadmin):
    services.calendar_seed(actor=sysadmin, years=[2026])
    # Say a day is added after the seed (as the 2015 anniversary holiday was).
    services.calendar_day_set(actor=sysadmin, day=date(2026, 9, 3), is_workday=False, name="纪念日")
    year = WorkCalendarYear.objects.get(year=2026)
    assert year.source == WorkCalendarYear.Source.MANUAL
    entry = entries_for(year).get(action="calendar.day_set")
    assert entry.payload["source"] == {"from": "seeded", "to": "manual"}
    assert services.calendar_seed(actor=sysadmin, years=[2026]) == []
    assert _special(2026)[date(2026, 9, 3)] == (False, "纪念日")


# --- Entering a year by hand -------------------------------------------------------------


def test_a_year_added_by_hand_is_unpublished_until_published(sysadmin):
    year = services.calendar_year_add(actor=sysadmin, year=2027, notice="国办发明电〔2026〕1号")
    assert (year.source, year.is_published) == ("manual", False)
    assert entries_for(year).get(action="calendar.year_add").payload == {
        "year": 2027,
        "notice": "国办发明电〔2026〕1号",
    }
    with pytest.raises(Conflict, match="2027 年的工作日历已存在"):
        services.calendar_year_add(actor=sysadmin, year=2027)


def test_setting_a_day_creates_updates_and_removes_its_row(sysadmin):
    services.calendar_year_add(actor=sysadmin, year=2027)
    friday, saturday = date(2027, 1, 1), date(2027, 1, 9)

    row = services.calendar_day_set(actor=sysadmin, day=friday, is_workday=False, name="元旦")
    assert (row.is_workday, row.name) == (False, "元旦")
    services.calendar_day_set(actor=sysadmin, day=friday, is_workday=False, name="元旦节")
    assert _special(2027) == {friday: (False, "元旦节")}

    services.calendar_day_set(actor=sysadmin, day=saturday, is_workday=True, name="春节调休")
    assert _special(2027)[saturday] == (True, "春节调休")

    # Back to what the plain week says: the row goes.
    assert services.calendar_day_set(actor=sysadmin, day=friday, is_workday=True) is None
    assert friday not in _special(2027)

    entries = (
        entries_for(WorkCalendarYear.objects.get(year=2027))
        .filter(action="calendar.day_set")
        .order_by("seq")
    )
    assert [e.payload["to"] for e in entries] == [
        {"is_workday": False, "name": "元旦"},
        {"is_workday": False, "name": "元旦节"},
        {"is_workday": True, "name": "春节调休"},
        {"is_workday": True, "name": ""},
    ]
    assert entries.last().payload["from"] == {"is_workday": False, "name": "元旦节"}
    assert entries.first().payload["from"] == {"is_workday": True, "name": ""}


def test_setting_a_day_to_what_it_already_is_writes_nothing(sysadmin):
    services.calendar_year_add(actor=sysadmin, year=2027)
    entries = LedgerEntry.objects.count()
    assert services.calendar_day_set(actor=sysadmin, day=date(2027, 1, 4), is_workday=True) is None
    assert LedgerEntry.objects.count() == entries


def test_a_day_of_a_year_not_added_is_refused(sysadmin):
    with pytest.raises(NotFound, match="2027 年的工作日历尚未建立"):
        services.calendar_day_set(actor=sysadmin, day=date(2027, 1, 1), is_workday=False)


def test_publishing_needs_an_entered_year(sysadmin):
    with pytest.raises(NotFound):
        services.calendar_year_publish(actor=sysadmin, year=2027)
    services.calendar_year_add(actor=sysadmin, year=2027)
    with pytest.raises(InvalidInput, match="尚未录入任何节假日"):
        services.calendar_year_publish(actor=sysadmin, year=2027)
    services.calendar_day_set(actor=sysadmin, day=date(2027, 1, 1), is_workday=False, name="元旦")
    year = services.calendar_year_publish(actor=sysadmin, year=2027)
    assert year.is_published
    assert entries_for(year).get(action="calendar.year_publish").payload["holidays"] == 1
    with pytest.raises(Conflict, match="已确认生效"):
        services.calendar_year_publish(actor=sysadmin, year=2027)
    assert ledger_verify().ok


# --- Who may write ------------------------------------------------------------------------


WRITES = {
    "seed": lambda actor: services.calendar_seed(actor=actor, years=[2026]),
    "year_add": lambda actor: services.calendar_year_add(actor=actor, year=2028),
    "day_set": lambda actor: services.calendar_day_set(
        actor=actor, day=date(2027, 1, 4), is_workday=False
    ),
    "year_publish": lambda actor: services.calendar_year_publish(actor=actor, year=2027),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
@pytest.mark.parametrize("who", ["market_admin", "supervisor"])
def test_only_the_system_administrator_writes_the_calendar(county, draft_2027, write, who):
    entries = LedgerEntry.objects.count()
    with pytest.raises(Forbidden, match="只有系统管理员"):
        write(getattr(county, who))
    assert LedgerEntry.objects.count() == entries
    assert list(WorkCalendarYear.objects.values_list("year", "is_published")) == [(2027, False)]
    assert _special(2027) == {date(2027, 1, 1): (False, "元旦")}


# --- The command line ---------------------------------------------------------------------


def _run(*args) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


def test_cli_seed_and_show(db):
    assert _run("seed", "2026") == "已导入 2026 年的工作日历。\n"
    assert "没有需要导入" in _run("seed", "2026")
    shown = _run("show", "2026").splitlines()
    assert shown[0] == "2026 年：已确认（chinesecalendar 导入）"
    assert "2026-10-01 周四 休 国庆节" in shown
    assert "2026-10-10 周六 班 国庆节调休" in shown
    assert "2026-09-25 周五 休 中秋" in shown


def test_cli_show_a_year_not_entered(db):
    assert "2027 年：尚未录入" in _run("show", "2027")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("show",), "请指定一个年份"),
        (("show", "明年"), "年份“明年”无效"),
        (("seed", "2099"), "2099"),
    ],
)
def test_cli_refuses_bad_input_in_chinese(db, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)
