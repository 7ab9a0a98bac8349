"""The review clock (REV-05, 001 附件3 §12), in working days of the work calendar.

A review takes ``ZHIFA_REVIEW_WORKDAYS`` working days from the day the
materials are complete (``ZHIFA_REVIEW_WORKDAYS_URGENT`` when urgent), plus
the extension a leader approved. The working days that pass during a pause
(supplements, joint investigation, expert consultation, interpretation) do
not count: they move the due date on by as many working days. A review
already past its due date when a pause begins stays overdue while paused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from zhifa.catalogues import workdays
from zhifa.reviews.models import Submission


def limit_for(urgent: bool) -> int:
    return settings.ZHIFA_REVIEW_WORKDAYS_URGENT if urgent else settings.ZHIFA_REVIEW_WORKDAYS


def paused_days(submission: Submission, today: date | None = None) -> int:
    """Working days that passed during the pauses (an open one up to ``today``)."""
    today = today or timezone.localdate()
    total = 0
    for pause in submission.pauses.all():
        total += workdays.workdays_between(pause.starts_on, pause.ends_on or today).count
    return total


def is_paused(submission: Submission) -> bool:
    return any(p.ends_on is None for p in submission.pauses.all())


def due_on(submission: Submission) -> date | None:
    """The last working day of the review; ``None`` while paused or not started."""
    if submission.complete_on is None or is_paused(submission):
        return None
    allowed = (submission.limit_days or 0) + submission.extension_days
    return workdays.workdays_add(submission.complete_on, allowed + paused_days(submission)).date


def paused_past_due(submission: Submission) -> date | None:
    """While paused: the due date the review had when the pause began, if it had
    already passed on that day (the review was overdue and stays so: the pause
    stops the clock, it does not give back the days over the limit); otherwise
    ``None``. The services store it in ``Submission.paused_past_due_on``."""
    pauses = list(submission.pauses.all())
    running = [p for p in pauses if p.ends_on is None]
    if submission.complete_on is None or not running:
        return None
    allowed = (submission.limit_days or 0) + submission.extension_days
    closed = sum(
        workdays.workdays_between(p.starts_on, p.ends_on).count for p in pauses if p.ends_on
    )
    due = workdays.workdays_add(submission.complete_on, allowed + closed).date
    return due if due < running[0].starts_on else None


@dataclass(frozen=True)
class Clock:
    started_on: date | None
    allowed: int  # working days allowed, extension included
    used: int  # working days used, pauses left out
    paused: bool
    due_on: date | None
    provisional: bool  # a year of the calendar is not yet published

    @property
    def remaining(self) -> int:
        return self.allowed - self.used

    @property
    def overdue(self) -> bool:
        return self.started_on is not None and self.remaining < 0


def clock(submission: Submission, today: date | None = None) -> Clock:
    today = today or timezone.localdate()
    allowed = (submission.limit_days or 0) + submission.extension_days
    if submission.complete_on is None:
        return Clock(None, allowed, 0, False, None, False)
    end = today
    decided = getattr(submission, "review", None) if submission.state == "decided" else None
    if decided is not None:
        end = timezone.localtime(decided.decided_at).date()
    elapsed = workdays.workdays_between(submission.complete_on, end)
    used = max(0, elapsed.count - paused_days(submission, end))
    return Clock(
        submission.complete_on,
        allowed,
        used,
        is_paused(submission),
        submission.due_on,
        elapsed.provisional,
    )


def remaining_many(submissions: list[Submission], today: date | None = None) -> dict[int, int]:
    """Working days left to each running review (by its stored due date), reading
    the calendar once for all of them: the reviewer's queue stays at a fixed
    number of queries however long it is."""
    today = today or timezone.localdate()
    dated = [s for s in submissions if s.due_on is not None]
    if not dated:
        return {}
    first = min([today, *(s.due_on for s in dated)])
    last = max([today, *(s.due_on for s in dated)])
    # One load of the span, as workdays_between does for one pair.
    span = workdays._Span(first, last)
    counted = {}
    day, running = first, 0
    while day <= last:
        if day != first and span.info(day).is_workday:
            running += 1
        counted[day] = running
        day += workdays.ONE_DAY
    return {s.pk: counted[s.due_on] - counted[today] for s in dated}
