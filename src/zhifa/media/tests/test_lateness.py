"""REC-05: a recording is stored within ZHIFA_AV_UPLOAD_WORKDAYS working days
of its capture; a later one is accepted and flagged."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from zhifa.ledger.selectors import entries_for
from zhifa.media import services
from zhifa.media.testing import attach

pytestmark = pytest.mark.req("REC-05")


def at(y, m, d, hh=0, mm=0, ss=0):
    return timezone.make_aware(datetime(y, m, d, hh, mm, ss))


@pytest.mark.parametrize(
    ("captured", "uploaded", "late"),
    [
        # Wed 30 Sep, before National Day (10-01…07 off): due Fri 9 Oct.
        (at(2026, 9, 30, 15), at(2026, 10, 9, 23, 59, 59), False),
        (at(2026, 9, 30, 15), at(2026, 10, 10, 0, 0, 0), True),
        # Fri 9 Oct: Sat 10 Oct is a make-up working day (调休), so due Mon 12 Oct.
        (at(2026, 10, 9, 9), at(2026, 10, 12, 23, 59), False),
        (at(2026, 10, 9, 9), at(2026, 10, 13, 0, 0, 1), True),
        # Fri 18 Sep: Sun 20 Sep is worked (Mid-Autumn), so due Mon 21 Sep.
        (at(2026, 9, 18, 9), at(2026, 9, 21, 18), False),
        (at(2026, 9, 18, 9), at(2026, 9, 22, 8), True),
    ],
)
def test_the_deadline_counts_working_days_of_the_official_calendar(
    calendar_2026, captured, uploaded, late
):
    result = services.lateness(captured, uploaded)
    assert result.is_late is late
    assert (result.late_by is not None) is late


def test_the_due_day_and_how_late(calendar_2026):
    result = services.lateness(at(2026, 9, 30, 15), at(2026, 10, 10, 9, 30))
    assert result.due_on == date(2026, 10, 9)
    assert result.late_by == timedelta(hours=9, minutes=30)


def test_the_number_of_working_days_is_configuration(calendar_2026, settings):
    settings.ZHIFA_AV_UPLOAD_WORKDAYS = 1
    assert services.upload_deadline(at(2026, 9, 30, 15)).date == date(2026, 10, 8)


def test_an_upload_after_the_deadline_is_stored_and_flagged(calendar_2026, team, case, monkeypatch):
    monkeypatch.setattr(services, "_now", lambda: at(2026, 10, 10, 0, 0, 1))
    late = attach(team, case, captured_at=at(2026, 9, 30, 15))
    assert late.is_late and late.upload_due_on == date(2026, 10, 9)
    assert late.late_by == timedelta(seconds=1)
    entry = entries_for(late).get(action="media.add")
    assert entry.payload["is_late"] is True and entry.payload["upload_due_on"] == "2026-10-09"

    monkeypatch.setattr(services, "_now", lambda: at(2026, 10, 9, 23, 59, 59))
    on_time = attach(team, case, captured_at=at(2026, 9, 30, 15), filename="第二段.mp4")
    assert not on_time.is_late and on_time.late_by is None
