"""SUP-01: every count on the supervisor dashboard equals an independent query
over the same data; the 司法局 sees its region, an agency's leaders their own
agency, everyone else nothing (404)."""

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from zhifa.accounts.models import Credential, Role
from zhifa.cases import services
from zhifa.cases.models import Case, Stage, Suspension
from zhifa.cases.testing import advance_to, open_case
from zhifa.catalogues.models import ActionKind
from zhifa.catalogues.workdays import day_info, workdays_add
from zhifa.media import services as media_services
from zhifa.media.models import MediaItem
from zhifa.media.testing import attach
from zhifa.supervision.testing import matter_of
from zhifa.supervision.watch import watch_items

pytestmark = pytest.mark.req("SUP-01")
URL = "/workbench/supervision/"


def start_reaching_horizon(limit: int, horizon: date) -> date:
    """Independently of the bisection: the latest start whose limit ends by ``horizon``."""
    day = horizon
    while workdays_add(day, limit).date > horizon:
        day -= timedelta(days=1)
    return day


@pytest.fixture
def county_data(build, county, market, safety, monkeypatch):
    """Something of every watch item that exists today, in both agencies."""
    today = timezone.localdate()
    # Past the limit: 30 working days, started long ago; near: ends within the window.
    market.matter = matter_of(market, ActionKind.PENALTY, name="超期事项", limit=30)
    open_case(market, started_on=today - timedelta(days=80), title="超期案")
    near = start_reaching_horizon(30, workdays_add(today, 2).date)
    open_case(market, started_on=near, title="临期案")
    open_case(market, started_on=today, title="新案")
    # A closed licensing case: archiving is due 20 days after the action ended.
    safety.matter = matter_of(safety, ActionKind.LICENSING)
    closed = advance_to(safety, open_case(safety, title="许可案"), Stage.CLOSED)
    # An emergency start never approved.
    safety.matter = matter_of(safety, ActionKind.PENALTY)
    open_case(safety, title="紧急案", is_emergency=True)
    # A recording stored late: the upload "happens" ten days after capture.
    case = Case.objects.get(title="新案")
    real_now = media_services._now
    monkeypatch.setattr(media_services, "_now", lambda: real_now() + timedelta(days=10))
    attach(market, case)
    monkeypatch.setattr(media_services, "_now", real_now)
    # Credentials: one suspended, one running out soon.
    build.credential(market.officers[0], status=Credential.Status.SUSPENDED)
    build.credential(safety.officers[1], valid_until=today + timedelta(days=5))
    return closed


def independent_due(case: Case) -> date | None:
    """A case's due date from its suspension rows, walking the calendar a day at a
    time (not the case's stored clock, nor ``zhifa.cases.clock``): the working
    days after the start that fall in no suspension [start, end); none while one
    is open."""
    pauses = [(s.started_on, s.ended_on) for s in Suspension.objects.filter(case=case)]
    if not pauses:
        return workdays_add(case.started_on, case.matter.time_limit_days).date
    if any(end is None for _, end in pauses):
        return None
    day, counted = case.started_on, 0
    while counted < case.matter.time_limit_days:
        day += timedelta(days=1)
        if day_info(day).is_workday and not any(a <= day < b for a, b in pauses):
            counted += 1
    return day


def shown(response) -> dict[str, int]:
    return {c.item.key: c.count for c, _href in response.context["counts"]}


def expected_counts(agencies, today: date, now) -> dict[str, int]:
    """The same figures, by plain queries and per-case Python, not the watch code."""
    cases = Case.objects.filter(agency__in=agencies).select_related("matter")
    open_cases = [
        c
        for c in cases
        if c.stage in (Stage.START, Stage.INVESTIGATION, Stage.DECISION, Stage.EXECUTION)
        and c.matter.time_limit_days
    ]
    horizon = workdays_add(today, 5).date
    due = {c.pk: d for c in open_cases if (d := independent_due(c)) is not None}
    credentials = Credential.objects.filter(officer__agency__in=agencies)
    from zhifa.accounts.selectors import reviewer_staffings
    from zhifa.equipment.selectors import equipment_ratios

    return {
        "cases_past_limit": sum(1 for d in due.values() if d < today),
        "cases_near_limit": sum(1 for d in due.values() if today <= d <= horizon),
        "emergency_overdue": sum(
            1
            for c in cases
            if c.is_emergency
            and (
                (
                    c.emergency_approved_at is None
                    and c.emergency_started_at < now - timedelta(hours=24)
                )
                or (
                    c.emergency_approved_at
                    and c.emergency_approved_at > c.emergency_started_at + timedelta(hours=24)
                )
            )
        ),
        "archive_overdue": sum(
            1 for c in cases if c.stage == Stage.CLOSED and c.archive_due_on < today
        ),
        "media_late": MediaItem.objects.filter(case__agency__in=agencies, is_late=True).count(),
        "credentials_not_valid": sum(
            1 for c in credentials if c.status != Credential.Status.VALID or c.valid_until < today
        ),
        "credentials_expiring": sum(
            1
            for c in credentials
            if c.status == Credential.Status.VALID
            and today <= c.valid_until <= today + timedelta(days=30)
        ),
        "reviewer_staffing": sum(1 for s in reviewer_staffings(agencies) if not s.ok),
        "recorder_ratio": sum(1 for r in equipment_ratios(agencies) if not r.meets),
    }


@pytest.mark.parametrize("days_later", [0, 30])
def test_every_count_equals_an_independent_query(
    county_data, county, client_for, later, days_later
):
    fake = later(days_later)
    from zhifa.supervision.selectors import region_agencies

    client = client_for(county.supervisor)
    response = client.get(URL)
    assert response.status_code == 200
    counts = shown(response)
    assert set(counts) == {w.key for w in watch_items()}
    expected = expected_counts(region_agencies(county.region), fake.localdate(), fake.now())
    # Items other apps register are checked by their own tests.
    assert {key: counts[key] for key in expected} == expected
    # The data make every item non-zero at least once.
    if days_later == 0:
        assert counts["cases_past_limit"] == 1 and counts["cases_near_limit"] == 1
        assert counts["media_late"] == 1 and counts["credentials_not_valid"] == 1
        assert counts["credentials_expiring"] == 1
    else:
        assert counts["archive_overdue"] == 1 and counts["emergency_overdue"] == 1
    # Per agency: the two agencies' figures add up to the region's.
    per_agency = [shown(client.get(URL, {"agency": a.pk})) for a in (county.market, county.safety)]
    assert {k: per_agency[0][k] + per_agency[1][k] for k in counts} == counts


def test_each_count_links_to_its_items(county_data, county, client_for):
    client = client_for(county.supervisor)
    response = client.get(URL)
    links = dict((c.item.key, href) for c, href in response.context["counts"])
    page = client.get(links["cases_past_limit"])
    assert page.status_code == 200
    body = page.content.decode()
    case = Case.objects.get(title="超期案")
    assert f"/workbench/cases/{case.pk}/" in body and "临期案" not in body
    media = client.get(links["media_late"])
    new = Case.objects.get(title="新案")
    assert f"/workbench/cases/{new.pk}/" in media.content.decode()
    xlsx = client.get(links["cases_past_limit"], {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0] == case.number


@pytest.mark.parametrize("table", ["watches", "kinds", "stages", "months", "agencies"])
def test_every_table_exports_to_excel(county_data, county, client_for, table):
    response = client_for(county.supervisor).get(URL, {"export": table})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) > 1
    if table == "kinds":
        assert sum(r[1] for r in rows[1:]) == Case.objects.count()


def test_the_charts_are_drawn_from_vendored_echarts(county_data, county, client_for):
    from django.contrib.staticfiles import finders

    response = client_for(county.supervisor).get(URL)
    body = response.content.decode()
    assert "supervision/vendor/echarts.min.js" in body and "//cdn" not in body
    assert finders.find("supervision/vendor/echarts.min.js")
    charts = response.context["charts"]
    assert sum(n for _l, n in charts["stages"]) == Case.objects.count()
    assert sum(n for _l, n in charts["kinds"]) == Case.objects.count()
    first = dict(charts["months"])
    assert len(first) == 12
    oldest = date.fromisoformat(charts["months"][0][0] + "-01")
    assert sum(first.values()) == Case.objects.filter(started_on__gte=oldest).count()


def test_an_agency_leader_sees_only_their_agency(county_data, county, market, client_for):
    client = client_for(market.leader)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["scope"].agency == county.market
    assert shown(response) == shown(
        client_for(county.supervisor).get(URL, {"agency": county.market.pk})
    )
    client = client_for(market.leader)
    assert client.get(URL, {"agency": county.safety.pk}).status_code == 404
    assert (
        client.get(URL + "watch/cases_past_limit/", {"agency": county.safety.pk}).status_code == 404
    )


@pytest.mark.parametrize("who", ["officer", "reviewer", "agency_admin", "sysadmin"])
def test_other_roles_are_refused_with_404(county, market, client_for, who):
    user = {
        "officer": market.officers[0].user,
        "reviewer": market.reviewer,
        "agency_admin": county.market_admin,
        "sysadmin": county.sysadmin,
    }[who]
    client = client_for(user)
    for path in (URL, URL + "watch/media_late/", URL + "warnings/", URL + "annual/"):
        assert client.get(path).status_code == 404


def test_a_supervisor_of_another_county_sees_none_of_it(build, county, county_data, client_for):
    other = build.county(code="990103", name="邻县")
    client = client_for(other.supervisor)
    assert client.get(URL, {"agency": county.market.pk}).status_code == 404
    response = client.get(URL)
    assert {a.pk for a, *_n in response.context["agencies"]} == {other.market.pk, other.safety.pk}
    counts = shown(response)
    assert (
        counts["cases_past_limit"] == counts["media_late"] == counts["credentials_not_valid"] == 0
    )


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_an_unknown_watch_item_is_not_found(county, client_for):
    assert client_for(county.supervisor).get(URL + "watch/nothing/").status_code == 404


def test_the_supervisor_role_is_needed_at_the_bureau(build, county, client_for):
    # A leader of the 司法局 who is not a supervisor sees the bureau itself, not the region.
    leader = build.officer(county.bureau, roles=(Role.LEADER,), credential=False)
    response = client_for(leader.user).get(URL)
    assert response.status_code == 200 and response.context["scope"].agency == county.bureau


@pytest.fixture
def on(clock_on):
    """``on(day)``: the case clock and the dashboard's counts believe today is ``day``."""
    return clock_on


@pytest.mark.req("SUP-05")
def test_suspended_cases_count_by_their_adjusted_due_date(
    county, market, client_for, on, live_dashboard
):
    """A 15-working-day matter; cases started on 15 September 2026 are due on
    12 October unsuspended (国庆 1–7 October, 调休 Saturday 10 October)."""
    market.matter = matter_of(market, ActionKind.PENALTY, name="十五日事项", limit=15)
    started = date(2026, 9, 15)
    leader = market.leader

    def case(title, day=started):
        return open_case(market, started_on=day, title=title)

    plain, early = case("未中止"), case("更早的案件", date(2026, 9, 1))
    resumed, running, long = case("中止已恢复"), case("中止中"), case("长期中止")
    on(date(2026, 9, 16))
    services.case_suspend(actor=leader, case=long, ground="testing", started_on=date(2026, 9, 16))
    on(date(2026, 9, 30))
    services.case_suspend(
        actor=leader, case=resumed, ground="hearing", started_on=date(2026, 9, 30)
    )
    services.case_resume(actor=leader, case=long, ended_on=date(2026, 9, 30))
    on(date(2026, 10, 9))
    services.case_resume(actor=leader, case=resumed, ended_on=date(2026, 10, 9))
    services.case_suspend(
        actor=leader, case=running, ground="announcement", started_on=date(2026, 10, 9)
    )
    assert [independent_due(c) for c in (plain, resumed, running, long)] == [
        date(2026, 10, 12),
        date(2026, 10, 14),
        None,
        date(2026, 10, 26),
    ]
    client = client_for(county.supervisor)
    from zhifa.supervision.selectors import region_agencies

    for today, past, near in (
        # On 13 October: two past; the resumed case due tomorrow is near; none suspended now.
        (date(2026, 10, 13), {plain, early}, {resumed}),
        # On 22 October: the resumed case is past too; the long one (26 October) is near.
        (date(2026, 10, 22), {plain, early, resumed}, {long}),
    ):
        fake = on(today)
        counts = shown(client.get(URL))
        expected = expected_counts(region_agencies(county.region), today, fake.now())
        assert counts["cases_past_limit"] == expected["cases_past_limit"] == len(past)
        assert counts["cases_near_limit"] == expected["cases_near_limit"] == len(near)
        for key, cases in (("cases_past_limit", past), ("cases_near_limit", near)):
            page = client.get(URL + f"watch/{key}/").content.decode()
            assert {c.title for c in cases} == {
                c.title for c in Case.objects.all() if f"/workbench/cases/{c.pk}/" in page
            }
    # The lists show the adjusted due date and the working days added.
    rows = list(
        load_workbook(
            io.BytesIO(client.get(URL + "watch/cases_past_limit/", {"export": "xlsx"}).content)
        ).active.iter_rows(values_only=True)
    )
    header, *body = rows
    row = next(r for r in body if r[0] == resumed.number)
    assert row[header.index("中止顺延（工作日）")] == 2
    assert str(row[header.index("时限届满日")])[:10] == "2026-10-14"
