"""The work calendar page: everyone sees a year and whether it is known; only
the system administrator enters, sets and publishes, and others are refused
with nothing changed."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.catalogues import services
from zhifa.catalogues.models import WorkCalendarDay, WorkCalendarYear
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import entries_for

pytestmark = pytest.mark.django_db

CALENDAR = reverse("catalogues:calendar")
YEAR_ADD = reverse("catalogues:calendar-year-add")
DAY_SET = reverse("catalogues:calendar-day-set")
PUBLISH_2027 = reverse("catalogues:calendar-year-publish", args=[2027])


@pytest.fixture
def seeded(sysadmin):
    services.calendar_seed(actor=sysadmin, years=[2026])


@pytest.fixture
def officer(build, county):
    return build.officer(county.market).user


def _text(response) -> str:
    return response.content.decode()


def test_anonymous_users_are_sent_to_login(client):
    for url in (CALENDAR, PUBLISH_2027):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))
    response = client.post(YEAR_ADD, {"year": 2027})
    assert response.status_code == 302
    assert not WorkCalendarYear.objects.exists()


def test_any_officer_sees_a_known_year_with_its_holidays_and_makeup_days(
    client_for, officer, seeded
):
    response = client_for(officer).get(CALENDAR, {"year": 2026})
    assert response.status_code == 200
    page = _text(response)
    assert "2026 年工作日历" in page and "已确认" in page
    assert 'class="holiday" title="国庆节">1<small>休</small>' in page
    assert 'class="makeup" title="国庆节调休">10<small>班</small>' in page
    assert 'title="中秋">25<small>休</small>' in page
    assert "2026-10-10" in page and "班（上班）" in page
    # The maintenance forms are the administrator's only.
    assert "维护工作日历" not in page and YEAR_ADD not in page


def test_a_year_not_entered_is_shown_as_provisional(client_for, officer, seeded):
    page = _text(client_for(officer).get(CALENDAR, {"year": 2027}))
    assert "暂定" in page and "2027 年的放假安排尚未录入" in page


def test_a_year_being_entered_is_shown_as_not_yet_published(client_for, officer, sysadmin):
    services.calendar_year_add(actor=sysadmin, year=2027, notice="国办发明电〔2026〕1号")
    services.calendar_day_set(actor=sysadmin, day=date(2027, 1, 1), is_workday=False, name="元旦")
    page = _text(client_for(officer).get(CALENDAR, {"year": 2027}))
    assert "暂定" in page and "正在录入" in page and "确认前不计入期限" in page
    assert 'title="元旦">1<small>休</small>' in page


@pytest.mark.parametrize("param", [None, "明年", "0"])
def test_the_page_defaults_to_the_current_year(client_for, officer, param):
    response = client_for(officer).get(CALENDAR, {"year": param} if param else {})
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year


def test_the_administrator_adds_sets_and_publishes_a_year(client_for, sysadmin, seeded):
    client = client_for(sysadmin)
    assert "维护工作日历" in _text(client.get(CALENDAR, {"year": 2027}))

    response = client.post(YEAR_ADD, {"year": 2027, "notice": "国办发明电〔2026〕1号"})
    assert response.status_code == 302 and response.url == f"{CALENDAR}?year=2027"
    response = client.post(DAY_SET, {"day": "2027-01-01", "is_workday": "0", "name": "元旦"})
    assert response.status_code == 302
    assert WorkCalendarDay.objects.get(day=date(2027, 1, 1)).name == "元旦"
    assert PUBLISH_2027 in _text(client.get(CALENDAR, {"year": 2027}))

    # Publishing asks first, and says what will take effect.
    confirm = client.get(PUBLISH_2027)
    assert confirm.status_code == 200
    assert "国办发明电〔2026〕1号" in _text(confirm) and "节假日 1 天" in _text(confirm)
    assert not WorkCalendarYear.objects.get(year=2027).is_published
    client.post(PUBLISH_2027)  # not confirmed: shows the question again
    assert not WorkCalendarYear.objects.get(year=2027).is_published

    response = client.post(PUBLISH_2027, {"confirmed": "1"})
    assert response.status_code == 302
    year = WorkCalendarYear.objects.get(year=2027)
    assert year.is_published
    assert set(entries_for(year).values_list("action", flat=True)) == {
        "calendar.year_add",
        "calendar.day_set",
        "calendar.year_publish",
    }
    assert "已确认" in _text(client.get(CALENDAR, {"year": 2027}))


def test_the_administrator_sees_business_errors_in_chinese(client_for, sysadmin, seeded):
    client = client_for(sysadmin)
    response = client.post(YEAR_ADD, {"year": 2026})
    assert response.status_code == 409
    assert "2026 年的工作日历已存在" in _text(response)
    response = client.post(DAY_SET, {"day": "2030-01-02", "is_workday": "0"})
    assert response.status_code == 404
    assert "2030 年的工作日历尚未建立" in _text(response)
    response = client.post(DAY_SET, {"day": "不是日期", "is_workday": "0"})
    assert response.status_code == 400
    response = client.post(PUBLISH_2027, {"confirmed": "1"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("post", YEAR_ADD, {"year": 2028, "notice": "x"}),
        ("post", YEAR_ADD, {"year": "不是年份"}),
        ("post", DAY_SET, {"day": "2027-01-04", "is_workday": "0", "name": "假"}),
        ("get", PUBLISH_2027, {}),
        ("post", PUBLISH_2027, {"confirmed": "1"}),
    ],
)
@pytest.mark.parametrize("who", ["officer", "market_admin", "supervisor"])
def test_others_are_refused_and_nothing_changes(
    client_for, county, officer, draft_2027, method, url, data, who
):
    user = officer if who == "officer" else getattr(county, who)
    entries = LedgerEntry.objects.count()
    response = getattr(client_for(user), method)(url, data)
    assert response.status_code == 403
    assert "只有系统管理员可以执行此操作" in _text(response)
    assert LedgerEntry.objects.count() == entries
    assert list(WorkCalendarYear.objects.values_list("year", "is_published")) == [(2027, False)]
    assert list(WorkCalendarDay.objects.values_list("day", flat=True)) == [date(2027, 1, 1)]
