"""Suspending a case's time limit (案件中止; SUP-01, SUP-05): the case's leader
records a suspension and later its end; the working days between do not count,
so the due date moves on. Dates are checked, refusals change nothing, and no
suspension can hide a case already past its limit.

The calendar is 2026's: 中秋 on Friday 25 September, 国庆 from Thursday
1 October to Wednesday 7 October, with Sunday 20 September and Saturday
10 October as make-up working days (调休). A case of a 15-working-day matter
started on Tuesday 15 September is due on Monday 12 October.
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.accounts.models import Role
from zhifa.cases import clock, rules, services
from zhifa.cases.models import Case, Stage, Suspension
from zhifa.cases.testing import advance_to, open_case
from zhifa.cases.testing import team as make_team
from zhifa.catalogues.services import calendar_seed, matter_create
from zhifa.catalogues.workdays import day_info, workdays_add
from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.core.tests.api_suite import APIWriteTests
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import entries_for, ledger_audit

pytestmark = [pytest.mark.req("SUP-01"), pytest.mark.req("SUP-05")]

D = date  # D(2026, 10, 12) reads as a calendar date
STARTED = D(2026, 9, 15)
DUE = D(2026, 10, 12)
LIMIT = 15


@pytest.fixture(autouse=True)
def calendar_2026(sysadmin):
    calendar_seed(actor=sysadmin, years=[2026])


@pytest.fixture
def on(clock_on):
    """``on(day)``: the case clock and the dashboard's counts believe today is ``day``."""
    return clock_on


@pytest.fixture
def fifteen(team):
    """The team's matter now has a 15-working-day limit."""
    team.matter = matter_create(
        actor=team.sysadmin,
        agency=team.agency,
        code="M-15",
        name="未按规定公示食品经营许可",
        action_kind="penalty",
        legal_basis="《中华人民共和国食品安全法》第一百二十六条",
        time_limit_days=LIMIT,
    )
    return team


@pytest.fixture
def case(fifteen):
    return open_case(fifteen, started_on=STARTED)


def suspend(team, case, started_on, ground=Suspension.Ground.HEARING, **kw):
    return services.case_suspend(
        actor=kw.pop("actor", team.leader), case=case, ground=ground, started_on=started_on, **kw
    )


def resume(team, case, ended_on, **kw):
    return services.case_resume(
        actor=kw.pop("actor", team.leader), case=case, ended_on=ended_on, **kw
    )


def fresh(case) -> Case:
    return Case.objects.select_related("matter").get(pk=case.pk)


def state(case) -> tuple:
    """Everything a refused write must leave as it was."""
    row = Case.objects.get(pk=case.pk)
    return (
        Suspension.objects.count(),
        LedgerEntry.objects.count(),
        row.suspended_since,
        row.limit_extension_workdays,
        list(Suspension.objects.values_list("ended_on", "workdays")),
    )


def walk_due(started_on: date, limit: int, pauses: list[tuple[date, date | None]]) -> date | None:
    """Independently of the service: walk the calendar day by day, counting the
    working days after the start that fall in no suspension [start, end)."""
    if any(end is None for _, end in pauses):
        return None
    day, counted = started_on, 0
    while counted < limit:
        day += timedelta(days=1)
        if day_info(day).is_workday and not any(a <= day < b for a, b in pauses):
            counted += 1
    return day


# --- The calendar ----------------------------------------------------------------------


def test_the_calendar_is_the_one_these_tests_assume(case):
    assert not day_info(D(2026, 9, 25)).is_workday and not day_info(D(2026, 10, 1)).is_workday
    assert day_info(D(2026, 9, 20)).is_workday and day_info(D(2026, 10, 10)).is_workday
    assert clock.limit_due_on(fresh(case)) == DUE == walk_due(STARTED, LIMIT, [])


# --- The due date ------------------------------------------------------------------------


def test_a_suspension_across_national_day_moves_the_due_date_by_its_working_days(fifteen, case, on):
    on(D(2026, 9, 30))
    s = suspend(fifteen, case, D(2026, 9, 30), note="当事人申请听证")
    suspended = fresh(case)
    assert suspended.suspended_since == D(2026, 9, 30)
    # While suspended the clock stands still: no due date.
    assert clock.case_clock(suspended).suspended and clock.limit_due_on(suspended) is None
    on(D(2026, 10, 9))
    s = resume(fifteen, case, D(2026, 10, 9))
    # Left out: 30 September and 8 October; the holiday counted for nothing anyway.
    assert s.workdays == 2
    resumed = fresh(case)
    assert (resumed.suspended_since, resumed.limit_extension_workdays) == (None, 2)
    assert clock.limit_due_on(resumed) == D(2026, 10, 14)
    assert D(2026, 10, 14) == walk_due(STARTED, LIMIT, [(D(2026, 9, 30), D(2026, 10, 9))])
    assert D(2026, 10, 14) == workdays_add(STARTED, LIMIT + 2).date


@pytest.mark.parametrize(
    "ended_on, left_out",
    [
        (D(2026, 10, 9), 0),  # resumed the day it began
        (D(2026, 10, 10), 1),  # Friday 9 October
        (D(2026, 10, 11), 2),  # … and the make-up Saturday 10 October (调休)
        (D(2026, 10, 12), 2),  # Sunday 11 October is no working day
        (D(2026, 10, 13), 3),  # … and Monday 12 October
    ],
)
def test_a_make_up_working_day_counts_as_suspended(fifteen, case, on, ended_on, left_out):
    on(D(2026, 10, 9))
    suspend(fifteen, case, D(2026, 10, 9), ground=Suspension.Ground.TESTING)
    on(ended_on)
    assert resume(fifteen, case, ended_on).workdays == left_out
    expected = walk_due(STARTED, LIMIT, [(D(2026, 10, 9), ended_on)])
    assert clock.limit_due_on(fresh(case)) == expected == workdays_add(STARTED, 15 + left_out).date


@pytest.mark.parametrize(
    "started_on, ended_on, left_out",
    [
        (D(2026, 10, 1), D(2026, 10, 8), 0),  # only holidays
        (D(2026, 10, 1), D(2026, 10, 9), 1),  # … and Thursday 8 October
        (D(2026, 9, 15), D(2026, 9, 17), 1),  # the start day is never counted: only the 16th
        (D(2026, 9, 19), D(2026, 9, 21), 1),  # Saturday, and the make-up Sunday 20 September
    ],
)
def test_holidays_and_the_start_day_are_not_counted_twice(
    fifteen, case, on, started_on, ended_on, left_out
):
    on(started_on)
    suspend(fifteen, case, started_on, ground=Suspension.Ground.ANNOUNCEMENT)
    on(ended_on)
    assert resume(fifteen, case, ended_on).workdays == left_out
    expected = walk_due(STARTED, LIMIT, [(started_on, ended_on)])
    assert clock.limit_due_on(fresh(case)) == expected


def test_a_suspension_may_begin_on_the_last_day_of_the_limit(fifteen, case, on):
    on(DUE)
    suspend(fifteen, case, DUE)
    on(D(2026, 10, 13))
    assert resume(fifteen, case, D(2026, 10, 13)).workdays == 1
    assert clock.limit_due_on(fresh(case)) == D(2026, 10, 13)


def test_several_suspensions_add_up_and_a_late_one_may_be_backdated(fifteen, case, on):
    on(D(2026, 9, 16))
    suspend(fifteen, case, D(2026, 9, 16))
    on(D(2026, 9, 22))
    resume(fifteen, case, D(2026, 9, 18))  # the end recorded late: the 16th and 17th
    # Recorded on 13 October, begun on 8 October: the case was not yet past its limit.
    on(D(2026, 10, 13))
    suspend(fifteen, case, D(2026, 10, 8), ground=Suspension.Ground.SUCCESSOR)
    resume(fifteen, case, D(2026, 10, 13))
    pauses = [(D(2026, 9, 16), D(2026, 9, 18)), (D(2026, 10, 8), D(2026, 10, 13))]
    row = fresh(case)
    assert row.limit_extension_workdays == 2 + 4
    assert clock.limit_due_on(row) == walk_due(STARTED, LIMIT, pauses)


# --- Refusals --------------------------------------------------------------------------


def test_an_overdue_case_cannot_be_suspended_even_from_a_date_before_its_due_date(
    fifteen, case, on
):
    on(D(2026, 10, 13))  # the limit ran out yesterday
    before = state(case)
    for started_on in (D(2026, 9, 30), D(2026, 10, 12), D(2026, 10, 13)):
        with pytest.raises(Conflict) as refused:
            suspend(fifteen, case, started_on)
        assert refused.value.code == "limit_passed"
        assert "已于 2026-10-12 届满" in refused.value.message
    assert state(case) == before


def test_an_overdue_case_stays_overdue_after_earlier_suspensions(fifteen, case, on):
    on(D(2026, 9, 30))
    suspend(fifteen, case, D(2026, 9, 30))
    on(D(2026, 10, 9))
    resume(fifteen, case, D(2026, 10, 9))  # due 14 October now
    on(D(2026, 10, 15))
    before = state(case)
    with pytest.raises(Conflict, match="2026-10-14"):
        suspend(fifteen, case, D(2026, 10, 13))
    assert state(case) == before


@pytest.mark.parametrize(
    "started_on, error, code",
    [
        (D(2026, 10, 10), InvalidInput, "time_in_future"),
        (D(2026, 9, 14), InvalidInput, "time_before_start"),
    ],
)
def test_dates_in_the_future_or_before_the_case_are_refused(
    fifteen, case, on, started_on, error, code
):
    on(D(2026, 10, 9))
    before = state(case)
    with pytest.raises(error) as refused:
        suspend(fifteen, case, started_on)
    assert refused.value.code == code
    assert state(case) == before


def test_overlaps_a_second_open_one_and_bad_ends_are_refused(fifteen, case, on):
    on(D(2026, 9, 30))
    suspend(fifteen, case, D(2026, 9, 22))
    before = state(case)
    with pytest.raises(Conflict) as refused:
        suspend(fifteen, case, D(2026, 9, 29))
    assert refused.value.code == "already_suspended"
    with pytest.raises(InvalidInput) as refused:
        resume(fifteen, case, D(2026, 9, 21))
    assert refused.value.code == "ends_before_start"
    with pytest.raises(InvalidInput) as refused:
        resume(fifteen, case, D(2026, 10, 1))
    assert refused.value.code == "time_in_future"
    assert state(case) == before
    resume(fifteen, case, D(2026, 9, 28))
    before = state(case)
    with pytest.raises(Conflict) as refused:
        suspend(fifteen, case, D(2026, 9, 25))
    assert refused.value.code == "suspension_overlap" and "2026-09-28" in refused.value.message
    with pytest.raises(Conflict) as refused:
        resume(fifteen, case, D(2026, 9, 30))
    assert refused.value.code == "not_suspended"
    with pytest.raises(InvalidInput) as refused:
        suspend(fifteen, case, D(2026, 9, 29), ground=Suspension.Ground.OTHER)
    assert refused.value.code == "note_required"
    with pytest.raises(InvalidInput):
        suspend(fifteen, case, D(2026, 9, 29), ground="whim")
    assert state(case) == before
    # From the day it resumed on, a new one may begin.
    suspend(fifteen, case, D(2026, 9, 28), ground=Suspension.Ground.OTHER, note="协查")


def test_only_the_cases_leader_or_unit_head_may_suspend(build, county, fifteen, on):
    on(D(2026, 9, 30))
    head = build.officer(
        county.market, roles=(Role.UNIT_HEAD,), unit=county.market_unit, name="科长"
    )
    case = open_case(fifteen, started_on=STARTED, unit=county.market_unit)
    other_head = build.officer(county.market, roles=(Role.UNIT_HEAD,), name="别的科长")
    other_leader = make_team(build, county.safety).leader
    before = state(case)
    for actor in (fifteen.lead, fifteen.reviewer, other_head.user, other_leader, county.supervisor):
        with pytest.raises(Forbidden) as refused:
            suspend(fifteen, case, D(2026, 9, 30), actor=actor)
        assert refused.value.code == "not_case_leader"
    assert state(case) == before
    suspend(fifteen, case, D(2026, 9, 30), actor=head.user)
    with pytest.raises(Forbidden):
        resume(fifteen, case, D(2026, 9, 30), actor=fifteen.lead)
    resume(fifteen, case, D(2026, 9, 30), actor=fifteen.leader)


def test_closed_cases_are_refused_and_a_suspended_case_may_not_close(team):
    today = timezone.localdate()
    closed = advance_to(team, open_case(team), Stage.CLOSED)
    before = state(closed)
    with pytest.raises(Conflict) as refused:
        suspend(team, closed, today)
    assert refused.value.code == "case_closed"
    assert state(closed) == before
    running = advance_to(team, open_case(team, title="执行中的案件"), Stage.EXECUTION)
    suspend(team, running, today)
    running = fresh(running)
    assert any("结案前须登记恢复计算" in n for n in rules.needs(running, Stage.CLOSED))
    with pytest.raises(Conflict) as refused:
        services.case_advance(actor=team.leader, case=running, to_stage=Stage.CLOSED)
    assert refused.value.code == "stage_needs"
    resume(team, running, today)
    assert not any("恢复计算" in n for n in rules.needs(fresh(running), Stage.CLOSED))


def test_a_matter_without_a_time_limit_has_nothing_to_suspend(team):
    team.matter = matter_create(
        actor=team.sysadmin,
        agency=team.agency,
        code="M-0",
        name="无时限事项",
        action_kind="penalty",
        legal_basis="《中华人民共和国食品安全法》",
        time_limit_days=0,
    )
    case = open_case(team)
    with pytest.raises(Conflict) as refused:
        suspend(team, case, timezone.localdate())
    assert refused.value.code == "no_time_limit"


# --- The ledger --------------------------------------------------------------------------


def test_both_writes_are_ledgered_and_verify_clean(fifteen, case, on):
    on(D(2026, 9, 30))
    s = suspend(fifteen, case, D(2026, 9, 30), note="听证通知书 示市监听〔2026〕1号")
    on(D(2026, 10, 9))
    resume(fifteen, case, D(2026, 10, 9))
    suspended, resumed = entries_for(case).filter(action__in=("case.suspend", "case.resume"))
    assert suspended.actor_id == resumed.actor_id == fifteen.leader.pk
    assert suspended.payload["suspension"] == s.pk and suspended.payload["ground"] == "hearing"
    assert suspended.payload["due_before"] == "2026-10-12"
    assert (resumed.payload["workdays"], resumed.payload["due_on"]) == (2, "2026-10-14")
    assert ledger_audit().ok


def test_a_clock_or_suspension_changed_in_the_database_is_named(fifteen, case, on):
    on(D(2026, 9, 30))
    s = suspend(fifteen, case, D(2026, 9, 30))
    # Made to look as if it resumed long ago with a month's grace: the overdue is hidden.
    Case.objects.filter(pk=case.pk).update(suspended_since=None, limit_extension_workdays=20)
    Suspension.objects.filter(pk=s.pk).update(started_on=D(2026, 9, 16))
    findings = ledger_audit().findings
    assert {f.object for f in findings} == {
        f"执法案件 {case.number}",
        f"办理期限中止 #{s.pk}（案件 {case.number}，听证）",
    }
    clock_finding = next(f for f in findings if f.object.startswith("执法案件"))
    assert "中止状态或顺延工作日数" in clock_finding.message and "局长" in clock_finding.actor
    assert clock_finding.expected == "中止自 2026-09-30，顺延 0 个工作日"


def test_a_suspension_deleted_or_inserted_in_the_database_is_named(fifteen, case, on):
    on(D(2026, 9, 30))
    s = suspend(fifteen, case, D(2026, 9, 30))
    resume(fifteen, case, D(2026, 9, 30))
    Suspension.objects.filter(pk=s.pk).update(workdays=5)
    assert "恢复日期或不计入的工作日数" in ledger_audit().findings[0].message
    Suspension.objects.filter(pk=s.pk).delete()
    assert [f.kind for f in ledger_audit().findings] == ["missing"]
    Suspension.objects.create(
        case=case, ground="hearing", started_on=D(2026, 9, 30), started_by=fifteen.leader
    )
    assert "untracked" in {f.kind for f in ledger_audit().findings}


# --- The workbench -----------------------------------------------------------------------


def case_url(case, name="case-detail"):
    return reverse(f"cases:{name}", args=[case.pk])


def test_the_leader_suspends_and_resumes_on_the_case_page(client_for, fifteen, case, on):
    on(D(2026, 9, 30))
    client = client_for(fifteen.leader)
    page = client.get(case_url(case)).content.decode()
    assert "时限届满日 2026-10-12" in page and case_url(case, "case-suspend") in page
    confirm = client.get(case_url(case, "case-suspend")).content.decode()
    assert "不能撤回或修改" in confirm and "目前的时限届满日为 2026-10-12" in confirm
    assert "听证" in confirm and "不可抗力" in confirm
    response = client.post(
        case_url(case, "case-suspend"),
        {
            "ground": "hearing",
            "started_on": "2026-09-30",
            "note": "当事人申请听证",
            "confirmed": "1",
        },
    )
    assert response.status_code == 302
    page = client.get(case_url(case)).content.decode()
    assert "期限中止中" in page and "当事人申请听证" in page
    assert case_url(case, "case-resume") in page and case_url(case, "case-suspend") not in page
    on(D(2026, 10, 9))
    confirm = client.get(case_url(case, "case-resume")).content.decode()
    assert "自 2026-09-30 起中止" in confirm
    response = client.post(
        case_url(case, "case-resume"), {"ended_on": "2026-10-09", "confirmed": "1"}, follow=True
    )
    body = response.content.decode()
    assert "中止期间 2 个工作日不计入，时限届满日为 2026-10-14" in body
    assert "时限届满日 2026-10-14（因中止顺延 2 个工作日）" in body
    # Each look at the page is on record (REC-12).
    assert entries_for(case).filter(action="case.view", actor_id=fifteen.leader.pk).count() == 3


def test_a_refused_suspension_shows_the_chinese_message_and_changes_nothing(
    client_for, fifteen, case, on
):
    on(D(2026, 10, 13))
    client = client_for(fifteen.leader)
    before = state(case)
    response = client.post(
        case_url(case, "case-suspend"),
        {"ground": "hearing", "started_on": "2026-09-30", "confirmed": "1"},
    )
    assert response.status_code == 200
    assert "已超过时限的案件不能再登记中止" in response.content.decode()
    assert state(case) == before
    page = client.get(case_url(case)).content.decode()
    assert "已超过办理时限" in page


def test_officers_and_other_agencies_cannot_reach_the_forms(
    build, client_for, county, fifteen, case, on
):
    on(D(2026, 9, 30))
    handler = client_for(fifteen.lead)
    assert case_url(case, "case-suspend") not in handler.get(case_url(case)).content.decode()
    other_leader = make_team(build, county.safety).leader
    before = state(case)
    for name in ("case-suspend", "case-resume"):
        assert handler.get(case_url(case, name)).status_code == 403
        assert handler.post(case_url(case, name), {"started_on": "2026-09-30"}).status_code == 403
    stranger = client_for(other_leader)
    for name in ("case-suspend", "case-resume"):
        assert stranger.get(case_url(case, name)).status_code == 404
    assert state(case) == before


def test_the_list_of_my_cases_flags_a_suspended_case(client_for, fifteen, case, on):
    on(D(2026, 9, 30))
    suspend(fifteen, case, D(2026, 9, 30))
    body = client_for(fifteen.leader).get(reverse("cases:case-list")).content.decode()
    assert "期限中止中" in body


# --- The API -----------------------------------------------------------------------------


class SuspensionEndpoint:
    list_url_name = "api:case-list"

    def make_object(self, build, county):
        self.team = make_team(build, county.market)
        self.stranger = build.officer(county.safety, roles=(Role.LEADER,), credential=False)
        return open_case(self.team)

    def allowed_user(self, county):
        return self.team.leader

    def other_user(self, county):
        return self.stranger.user


class TestSuspend(SuspensionEndpoint, APIWriteTests):
    write_action = "suspensions"
    ledger_action = "case.suspend"

    def write_payload(self, county, obj):
        return {"ground": "testing", "started_on": timezone.localdate().isoformat()}


class TestResume(SuspensionEndpoint, APIWriteTests):
    write_action = "resume"
    ledger_action = "case.resume"

    def make_object(self, build, county):
        case = super().make_object(build, county)
        suspend(self.team, case, timezone.localdate())
        return case

    def write_payload(self, county, obj):
        return {"ended_on": timezone.localdate().isoformat()}


def api_post(client, case, action, data):
    return client.post(
        reverse(f"api:case-{action}", args=[case.pk]), data, content_type="application/json"
    )


def test_the_api_suspends_resumes_and_shows_the_due_date(client_for, fifteen, case, on):
    on(D(2026, 9, 30))
    api = client_for(fifteen.leader)
    response = api_post(api, case, "suspensions", {"ground": "hearing", "started_on": "2026-09-30"})
    assert response.status_code == 201, response.content.decode()
    assert response.json()["ground_display"] == "听证" and response.json()["ended_on"] is None
    detail = api.get(reverse("api:case-detail", args=[case.pk])).json()
    assert detail["suspended_since"] == "2026-09-30" and detail["limit_due_on"] is None
    assert [s["started_on"] for s in detail["suspensions"]] == ["2026-09-30"]
    on(D(2026, 10, 9))
    response = api_post(api, case, "resume", {"ended_on": "2026-10-09"})
    assert response.status_code == 200 and response.json()["workdays"] == 2
    detail = api.get(reverse("api:case-detail", args=[case.pk])).json()
    assert detail["limit_due_on"] == "2026-10-14" and detail["limit_extension_workdays"] == 2
    listed = api.get(reverse("api:case-list")).json()["results"]
    assert listed[0]["limit_extension_workdays"] == 2
    # Each read of the case is on record (REC-12).
    assert entries_for(case).filter(action="case.view").count() == 2


def test_the_api_refuses_with_codes_and_changes_nothing(client_for, fifteen, case, on):
    on(D(2026, 10, 13))
    before = state(case)
    response = api_post(
        client_for(fifteen.leader),
        case,
        "suspensions",
        {"ground": "hearing", "started_on": "2026-09-30"},
    )
    assert response.status_code == 409 and response.json()["code"] == "limit_passed"
    response = api_post(
        client_for(fifteen.lead),
        case,
        "suspensions",
        {"ground": "hearing", "started_on": "2026-10-13"},
    )
    assert response.status_code == 403 and response.json()["code"] == "not_case_leader"
    response = api_post(
        client_for(fifteen.leader),
        case,
        "suspensions",
        {"ground": "nap", "started_on": "2026-10-13"},
    )
    assert response.status_code == 400
    response = api_post(client_for(fifteen.leader), case, "resume", {"ended_on": "2026-10-13"})
    assert response.status_code == 409 and response.json()["code"] == "not_suspended"
    assert state(case) == before
