"""The legal review's watch items on the supervisor dashboard (SUP-01): reviews
past their clock (REV-05), refused decision attempts and approvals before the
review passed (REV-10). Each count equals an independent query over the same
data, is limited to the reader's scope, and shows on the dashboard."""

import types
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from zhifa.cases.testing import add
from zhifa.cases.testing import team as make_team
from zhifa.instruments.gates import GateClosed
from zhifa.instruments.models import Kind
from zhifa.instruments.services import IssueRequest, instruments_issue
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews import clock, selectors, services
from zhifa.reviews.models import MajorDecisionRule, Submission
from zhifa.reviews.testing import decide, rule, submit
from zhifa.reviews.tests.conftest import proposed
from zhifa.supervision.watch import watch_get

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("live_dashboard")]
URL = reverse("supervision:dashboard")


@pytest.fixture
def later(monkeypatch):
    """``later(days)``: the watch items believe it is ``days`` days later."""

    def move(days: int):
        import zhifa.reviews.watches

        today = timezone.localdate() + timedelta(days=days)
        monkeypatch.setattr(
            zhifa.reviews.watches, "timezone", types.SimpleNamespace(localdate=lambda: today)
        )
        return today

    return move


@pytest.fixture
def safety(build, county):
    return make_team(build, county.safety)


def major(t, title):
    if not MajorDecisionRule.objects.filter(agency=t.agency).exists():
        rule(t, amount_threshold="10000", penalty_kinds=["fine"])
    return proposed(t, "50000.00", title=title)


def accepted(t, case) -> Submission:
    return services.submission_check(actor=t.reviewer, submission=submit(t, case))


def shown(response) -> dict[str, int]:
    return {c.item.key: c.count for c, _href in response.context["counts"]}


def counts_for(client_for, user, agency=None) -> dict[str, int]:
    response = client_for(user).get(URL, {"agency": agency.pk} if agency else {})
    assert response.status_code == 200
    return shown(response)


@pytest.mark.req("REV-05")
def test_reviews_past_their_clock(calendar_2026, team, safety, county, client_for, later):
    late = accepted(team, major(team, "超期审核案"))
    accepted(team, major(team, "按期审核案"))  # decided in time: not overdue
    decide(team, Submission.objects.get(case__title="按期审核案"))
    other = accepted(safety, major(safety, "应急局超期案"))
    today = later(30)

    # Independently: the clock of each accepted review, counted from the materials.
    def expected(agencies):
        rows = Submission.objects.filter(agency__in=agencies, state=Submission.State.ACCEPTED)
        return sum(1 for s in rows if clock.clock(s, today=today).overdue)

    supervisor = county.supervisor
    assert counts_for(client_for, supervisor)["reviews_overdue"] == expected(
        [county.market, county.safety]
    )
    assert counts_for(client_for, supervisor)["reviews_overdue"] == 2
    assert counts_for(client_for, supervisor, county.market)["reviews_overdue"] == expected(
        [county.market]
    )
    # The agency leader sees their own review only.
    assert counts_for(client_for, team.leader)["reviews_overdue"] == 1
    assert counts_for(client_for, safety.leader)["reviews_overdue"] == 1
    # The selector of the app agrees.
    assert set(selectors.overdue_reviews(actor=county.supervisor, today=today)) == {late, other}

    # The list page links each row to the review's workbench page.
    page = client_for(supervisor).get(URL + "watch/reviews_overdue/", {"agency": county.market.pk})
    body = page.content.decode()
    assert page.status_code == 200 and late.case.title in body and other.case.title not in body
    assert reverse("reviews:case", args=[late.case_id]) == watch_get("reviews_overdue").link(late)

    # Today, every review is within its clock.
    later(0)
    assert counts_for(client_for, supervisor)["reviews_overdue"] == 0


@pytest.mark.req("REV-10")
def test_refused_decision_attempts(calendar_2026, team, safety, county, client_for):
    attempts = {county.market.pk: 0, county.safety.pk: 0}
    for t, n in ((team, 2), (safety, 1)):
        case = major(t, f"{t.agency.name}未审先决案")
        for _ in range(n):
            with pytest.raises(GateClosed):
                instruments_issue(actor=t.lead, case=case, items=[IssueRequest(Kind.DECISION)])
            attempts[t.agency.pk] += 1

    supervisor = county.supervisor
    region = counts_for(client_for, supervisor)["decisions_refused_unreviewed"]
    assert region == sum(attempts.values()) == 3
    assert region == len(selectors.refused_decisions(actor=county.supervisor))
    assert counts_for(client_for, supervisor, county.safety)["decisions_refused_unreviewed"] == 1
    assert counts_for(client_for, team.leader)["decisions_refused_unreviewed"] == 2
    assert counts_for(client_for, safety.leader)["decisions_refused_unreviewed"] == 1

    page = client_for(team.leader).get(URL + "watch/decisions_refused_unreviewed/")
    assert page.status_code == 200 and "未经法制审核不得作出决定" in page.content.decode()


@pytest.mark.req("REV-10")
def test_approvals_before_the_review_passed(calendar_2026, team, safety, county, client_for):
    early = []
    for t in (team, safety):
        case = major(t, f"{t.agency.name}先批后审案")
        s = accepted(t, case)
        early.append(add(t, case, "leader_signoff"))  # before the review agreed
        decide(t, s)
        add(t, case, "leader_signoff", supersedes=early[-1])  # after: fine

    supervisor = county.supervisor
    assert counts_for(client_for, supervisor)["approvals_before_review"] == len(early) == 2
    assert counts_for(client_for, supervisor)["approvals_before_review"] == len(
        selectors.approvals_before_review(actor=county.supervisor)
    )
    assert counts_for(client_for, team.leader)["approvals_before_review"] == 1
    assert counts_for(client_for, supervisor, county.safety)["approvals_before_review"] == 1

    page = client_for(team.leader).get(URL + "watch/approvals_before_review/")
    body = page.content.decode()
    assert page.status_code == 200 and early[0].case.title in body
    assert early[1].case.title not in body


def test_the_dashboard_shows_the_review_items(team, county, client_for):
    response = client_for(county.supervisor).get(URL)
    body = response.content.decode()
    for key in ("reviews_overdue", "decisions_refused_unreviewed", "approvals_before_review"):
        assert key in shown(response)
        assert watch_get(key).label in body
    # Someone outside supervision does not get the list.
    assert client_for(team.reviewer).get(URL + "watch/reviews_overdue/").status_code == 404


@pytest.mark.req("REV-05")
def test_reviews_within_a_working_day_of_their_clock(calendar_2026, team, safety, county, later):
    from zhifa.catalogues.workdays import workdays_add
    from zhifa.supervision.selectors import supervision_scope

    submission = accepted(team, major(team, "临近期满案"))
    accepted(safety, major(safety, "应急局审核案"))
    submission.refresh_from_db()
    due = submission.due_on
    item = watch_get("reviews_near_clock")
    region = supervision_scope(actor=county.supervisor)
    today = timezone.localdate()
    for offset in range((due - today).days + 3):
        day = later(offset)
        near = {
            s.pk
            for s in Submission.objects.filter(state=Submission.State.ACCEPTED)
            if s.due_on is not None and day <= s.due_on <= workdays_add(day, 1).date
        }
        assert set(item.queryset(region).values_list("pk", flat=True)) == near, day
        # Within a working day exactly on the review's last day and the working day before.
        assert (submission.pk in near) == (day <= due <= workdays_add(day, 1).date)
    later((due - today).days)
    assert item.count(supervision_scope(actor=team.leader)) == 1
    assert list(item.queryset(supervision_scope(actor=team.leader))) == [submission]
    # Decided, it leaves the list.
    decide(team, submission)
    assert item.count(supervision_scope(actor=team.leader)) == 0


@pytest.mark.req("REV-05", "SUP-01")
def test_a_review_paused_when_already_overdue_stays_overdue(
    calendar_2026, team, safety, county, client_for, on
):
    """A review accepted on Fri 09-25 is due on Wed 09-30 (10-01…07 off). Paused
    after that day it stays on the overdue list while paused, as its clock shows;
    paused on its last day it is within its limit and is not listed."""
    from datetime import date

    from zhifa.reviews.models import ReviewPause

    cases = [(team, major(team, "中止前已超期案")), (team, major(team, "期满当日中止案"))]
    cases.append((safety, major(safety, "应急局超期案")))
    on(date(2026, 9, 25))
    late, in_time, other = (accepted(t, case) for t, case in cases)
    assert {s.due_on for s in (late, in_time, other)} == {date(2026, 9, 30)}

    def pause(submission):
        return services.pause_start(
            actor=team.reviewer,
            submission=submission,
            kind=ReviewPause.Kind.EXPERT,
            reason="组织专家论证",
        )

    on(date(2026, 9, 30))
    pause(in_time)  # on the last day: not past it
    on(date(2026, 10, 8))
    pause(late)  # recorded today, the review being overdue: allowed, and still overdue
    late.refresh_from_db()
    in_time.refresh_from_db()
    assert (late.due_on, late.paused_past_due_on) == (None, date(2026, 9, 30))
    assert (in_time.due_on, in_time.paused_past_due_on) == (None, None)
    pause_entry = LedgerEntry.objects.filter(action="review.pause").latest("seq")
    assert pause_entry.payload["past_due_on"] == "2026-09-30"

    today = date(2026, 10, 9)
    on(today)

    def expected(agencies):
        rows = Submission.objects.filter(agency__in=agencies, state=Submission.State.ACCEPTED)
        return {s.pk for s in rows if clock.clock(s, today=today).overdue}

    assert expected([county.market, county.safety]) == {late.pk, other.pk}
    supervisor = county.supervisor
    assert counts_for(client_for, supervisor)["reviews_overdue"] == 2
    assert counts_for(client_for, supervisor, county.market)["reviews_overdue"] == 1
    assert counts_for(client_for, team.leader)["reviews_overdue"] == 1
    assert set(selectors.overdue_reviews(actor=county.supervisor)) == {late, other}
    assert clock.clock(late, today=today).paused and clock.clock(late, today=today).overdue
    # The reviewer's queue counts it too.
    queue = client_for(team.reviewer).get(reverse("reviews:queue"))
    assert "超期未审结的送审：1 件" in queue.content.decode()
    # The list shows the passed due date and that the review is paused.
    page = client_for(supervisor).get(URL + "watch/reviews_overdue/", {"agency": county.market.pk})
    body = page.content.decode()
    assert late.case.title in body and in_time.case.title not in body
    assert "2026-09-30（中止中）" in body

    # Resumed on Mon 10-12, it is due on Sat 10-10 (three working days of pause
    # added) and still overdue, by its stored due date now.
    on(date(2026, 10, 12))
    services.pause_end(actor=team.reviewer, submission=late)
    late.refresh_from_db()
    assert (late.due_on, late.paused_past_due_on) == (date(2026, 10, 10), None)
    assert counts_for(client_for, team.leader)["reviews_overdue"] == 1

    # Paused again, then extended by a leader during the pause: two more working
    # days bring its due date (Tue 10-13) past the pause's start, so its clock and the
    # list agree that it is within its limit again.
    pause(late)
    late.refresh_from_db()
    assert late.paused_past_due_on == date(2026, 10, 10)
    services.extension_approve(actor=team.leader, submission=late, reason="案情复杂")
    late.refresh_from_db()
    assert (late.due_on, late.paused_past_due_on) == (None, None)
    assert not clock.clock(late, today=date(2026, 10, 12)).overdue
    assert counts_for(client_for, team.leader)["reviews_overdue"] == 0
