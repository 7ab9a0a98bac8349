"""REV-05: 3 working days from complete materials (1 urgent, +2 approved), less pauses,
counted on the official calendar (2026: 国庆节 10-01…07 off, Sat 10-10 worked)."""

from datetime import date

import pytest
from django.urls import reverse

from zhifa.core.errors import Conflict, Forbidden, InvalidInput
from zhifa.ledger.models import LedgerEntry
from zhifa.reviews import clock, selectors, services
from zhifa.reviews.models import ReviewPause
from zhifa.reviews.testing import decide, submit

pytestmark = [pytest.mark.req("REV-05"), pytest.mark.django_db]


def accepted(team, case, on, day, **kw):
    s = submit(team, case, **kw)
    on(day)
    return services.submission_check(actor=team.reviewer, submission=s)


def test_three_working_days_across_national_day(calendar_2026, major_case, team, on):
    s = accepted(team, major_case, on, date(2026, 9, 30))
    assert s.limit_days == 3
    # Thu 10-08, Fri 10-09, Sat 10-10 (a make-up working day).
    assert s.due_on == date(2026, 10, 10)
    c = clock.clock(s, today=date(2026, 10, 8))
    assert (c.used, c.remaining, c.overdue) == (1, 2, False)
    assert clock.clock(s, today=date(2026, 10, 12)).overdue


def test_urgent_is_one_working_day(calendar_2026, major_case, team, on):
    s = accepted(team, major_case, on, date(2026, 9, 30), urgent=True)
    assert (s.limit_days, s.due_on) == (1, date(2026, 10, 8))


def test_pauses_do_not_count_and_a_leader_extends(calendar_2026, major_case, team, on):
    s = accepted(team, major_case, on, date(2026, 9, 30))
    on(date(2026, 10, 8))
    services.pause_start(
        actor=team.reviewer, submission=s, kind=ReviewPause.Kind.EXPERT, reason="组织专家论证"
    )
    s.refresh_from_db()
    assert s.due_on is None and clock.is_paused(s)
    with pytest.raises(Conflict):
        decide(team, s)  # not while paused
    on(date(2026, 10, 12))
    services.pause_end(actor=team.reviewer, submission=s)
    s.refresh_from_db()
    # Paused 10-09, 10-10, 10-12 (three working days): due three working days later.
    assert s.due_on == date(2026, 10, 14)
    c = clock.clock(s, today=date(2026, 10, 13))
    assert (c.used, c.remaining) == (2, 1)
    assert clock.remaining_many([s], date(2026, 10, 13)) == {s.pk: 1}
    on(date(2026, 10, 15))
    assert list(selectors.overdue_reviews(actor=team.reviewer)) == [s]

    with pytest.raises(Forbidden):
        services.extension_approve(actor=team.reviewer, submission=s, reason="案情复杂")
    services.extension_approve(actor=team.leader, submission=s, reason="案情复杂，涉及多个法律关系")
    s.refresh_from_db()
    assert (s.extension_days, s.due_on) == (2, date(2026, 10, 16))
    assert s.extension_approved_by_name == "局长"
    assert not list(selectors.overdue_reviews(actor=team.reviewer))
    with pytest.raises(Conflict):
        services.extension_approve(actor=team.leader, submission=s, reason="再延长")
    review = decide(team, s)
    assert review.within_limit


def test_a_second_pause_and_bad_pauses(calendar_2026, major_case, team, on):
    s = accepted(team, major_case, on, date(2026, 9, 30))
    on(date(2026, 10, 9))
    with pytest.raises(InvalidInput):
        services.pause_start(actor=team.reviewer, submission=s, kind="holiday", reason="x")
    with pytest.raises(InvalidInput):
        services.pause_start(
            actor=team.reviewer,
            submission=s,
            kind=ReviewPause.Kind.SUPPLEMENT,
            reason="补充材料",
            starts_on=date(2026, 9, 1),
        )
    with pytest.raises(Conflict):
        services.pause_end(actor=team.reviewer, submission=s)
    services.pause_start(
        actor=team.reviewer, submission=s, kind=ReviewPause.Kind.SUPPLEMENT, reason="补充材料"
    )
    with pytest.raises(Conflict):
        services.pause_start(
            actor=team.reviewer, submission=s, kind=ReviewPause.Kind.EXPERT, reason="专家"
        )
    on(date(2026, 10, 10))
    services.pause_end(actor=team.reviewer, submission=s)
    on(date(2026, 10, 12))
    services.pause_start(
        actor=team.reviewer,
        submission=s,
        kind=ReviewPause.Kind.INTERPRETATION,
        reason="提请解释",
    )
    on(date(2026, 10, 13))
    services.pause_end(actor=team.reviewer, submission=s)
    s.refresh_from_db()
    # Paused 10-10 and 10-13: due on the fifth working day after 09-30.
    assert s.due_on == date(2026, 10, 13)
    assert [p.kind for p in s.pauses.all()] == ["supplement", "interpretation"]


# A review accepted on Fri 09-25 is due on Wed 09-30, the last working day before
# National Day (10-01…07 off). Once the due date is before today, a pause can no
# longer be dated back into the limit; recording it from today stays possible.
@pytest.mark.parametrize(
    ("today", "starts_on", "allowed"),
    [
        (date(2026, 9, 30), date(2026, 9, 29), True),  # due today: not yet passed
        (date(2026, 9, 30), date(2026, 9, 30), True),
        (date(2026, 10, 1), date(2026, 9, 30), False),  # a holiday, yet past the due date
        (date(2026, 10, 1), date(2026, 10, 1), True),
        (date(2026, 10, 8), date(2026, 9, 29), False),  # after the holiday
        (date(2026, 10, 8), date(2026, 10, 7), False),
        (date(2026, 10, 8), date(2026, 10, 8), True),  # same day: recorded, still overdue
    ],
)
def test_a_pause_is_not_dated_back_once_the_review_is_overdue(
    calendar_2026, major_case, team, on, today, starts_on, allowed
):
    s = accepted(team, major_case, on, date(2026, 9, 25))
    assert s.due_on == date(2026, 9, 30)
    on(today)
    before = (ReviewPause.objects.count(), LedgerEntry.objects.count())
    pause = {
        "actor": team.reviewer,
        "submission": s,
        "kind": ReviewPause.Kind.EXPERT,
        "reason": "组织专家论证",
        "starts_on": starts_on,
    }
    if not allowed:
        with pytest.raises(InvalidInput) as e:
            services.pause_start(**pause)
        assert e.value.code == "pause_backdated"
        assert "2026-09-30届满" in e.value.message and f"今天（{today}）" in e.value.message
        assert (ReviewPause.objects.count(), LedgerEntry.objects.count()) == before
        s.refresh_from_db()
        assert s.due_on == date(2026, 9, 30) and not clock.is_paused(s)
        assert list(selectors.overdue_reviews(actor=team.reviewer)) == [s]
        return
    services.pause_start(**pause)
    s.refresh_from_db()
    assert clock.is_paused(s) and s.pauses.get().starts_on == starts_on
    # The working days already over the limit stay counted.
    assert clock.clock(s, today=today).overdue is (today == date(2026, 10, 8))


def test_the_doors_refuse_a_backdated_pause_of_an_overdue_review(
    calendar_2026, major_case, team, on, client_for
):
    s = accepted(team, major_case, on, date(2026, 9, 25))
    on(date(2026, 10, 8))
    client = client_for(team.reviewer)
    before = (ReviewPause.objects.count(), LedgerEntry.objects.count())
    url = reverse("api:review-submission-pause", args=[s.pk])
    body = {"kind": "expert", "reason": "组织专家论证", "starts_on": "2026-09-29"}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "pause_backdated"
    assert "现已超期" in response.json()["detail"]

    response = client.post(reverse("reviews:pause", args=[s.pk]), body)
    assert response.status_code == 200
    assert "不能追溯到此前的日期" in response.content.decode()
    assert (ReviewPause.objects.count(), LedgerEntry.objects.count()) == before

    # Recorded from today, the pause is accepted through the API.
    response = client.post(
        url, {"kind": "expert", "reason": "组织专家论证"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert s.pauses.get().starts_on == date(2026, 10, 8)
