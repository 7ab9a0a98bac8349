"""The daily jobs, run once per calendar day by ``zhifa daily``.

A job is a callable ``job(*, today: date)`` named by its dotted path in
``ZHIFA_DAILY_JOBS``; what it returns (a count, or the list of what it did) is
recorded as its outcome. Each job's day is claimed by a ``DailyRun`` row, unique
per job and day, so two processes, or a restart, never run a job twice the same
day; a failed job keeps its row and is tried again at the next check, and does
not keep the other jobs from running.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from zhifa.core.models import DailyRun

# The Chinese names of the jobs Zhifa ships; another job shows its dotted path.
JOB_LABELS = {
    "zhifa.supervision.services.annual_reminders_send": "统计年报提醒（PUB-11）",
    "zhifa.disclosures.services.disclosures_expire": "撤下公示期满的信息（PUB-08）",
    "zhifa.core.daily.uploads_purge": "清理闲置的音像上传",
}

# As ``zhifa media purge-uploads``: an upload idle this long is abandoned.
UPLOADS_IDLE = timedelta(hours=24)


@dataclass(frozen=True)
class Job:
    key: str
    func: Callable

    @property
    def label(self) -> str:
        return job_label(self.key)


def job_label(key: str) -> str:
    return JOB_LABELS.get(key, key)


def daily_jobs() -> list[Job]:
    """The registered jobs, in the order of ``ZHIFA_DAILY_JOBS``."""
    return [Job(key, import_string(key)) for key in settings.ZHIFA_DAILY_JOBS]


def daily_at(value: str) -> time:
    """``HH:MM`` → the time of day from which the day's jobs run."""
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"时间格式应为 HH:MM，实际为 {value!r}。") from None


def uploads_purge(*, today: date) -> int:
    """The daily form of ``zhifa media purge-uploads`` (abandoned uploads)."""
    from zhifa.media.services import uploads_purge

    return uploads_purge(older_than=UPLOADS_IDLE)


def _outcome(result) -> str:
    if result is None:
        return ""
    if isinstance(result, list | tuple | set | dict):
        return str(len(result))
    return str(result)[:200]


def _claim(job: Job, day: date) -> DailyRun | None:
    """Take ``job``'s run of ``day``: a new row, else the row of a failed
    attempt or of one abandoned while running (its process killed). None when
    the day's run is done or running elsewhere."""
    now = timezone.now()
    try:
        with transaction.atomic():
            return DailyRun.objects.create(
                job=job.key, day=day, status=DailyRun.Status.RUNNING, started_at=now
            )
    except IntegrityError:
        pass
    # One conditional UPDATE, so that of two processes only one retries.
    abandoned = now - timedelta(hours=settings.ZHIFA_DAILY_STALE_HOURS)
    claimed = (
        DailyRun.objects.filter(job=job.key, day=day)
        .filter(
            Q(status=DailyRun.Status.FAILED)
            | Q(status=DailyRun.Status.RUNNING, started_at__lt=abandoned)
        )
        .update(
            status=DailyRun.Status.RUNNING,
            started_at=now,
            finished_at=None,
            seconds=None,
            attempts=F("attempts") + 1,
        )
    )
    return DailyRun.objects.get(job=job.key, day=day) if claimed else None


def _finish(run: DailyRun, *, status: str, outcome: str = "", error: str = "") -> None:
    run.status = status
    run.finished_at = timezone.now()
    run.seconds = round((run.finished_at - run.started_at).total_seconds(), 3)
    run.outcome = outcome
    run.error = error
    run.save(update_fields=["status", "finished_at", "seconds", "outcome", "error"])


def daily_pending(*, day: date, jobs: list[Job] | None = None) -> list[Job]:
    """The jobs whose run of ``day`` is not done yet."""
    jobs = daily_jobs() if jobs is None else jobs
    done = set(
        DailyRun.objects.filter(day=day, status=DailyRun.Status.OK).values_list("job", flat=True)
    )
    return [job for job in jobs if job.key not in done]


def daily_run(*, day: date | None = None) -> Iterator[tuple[Job, DailyRun]]:
    """Run each job not yet done on ``day`` (default today), one after the
    other, and yield it with its recorded run as it finishes. A job done
    already, or running in another process, is left out."""
    day = day or timezone.localdate()
    for job in daily_pending(day=day):
        run = _claim(job, day)
        if run is None:
            continue
        try:
            result = job.func(today=day)
        except Exception as exc:
            _finish(run, status=DailyRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}")
        except BaseException:
            # Stopped (Ctrl-C, SIGTERM): free the day's run for the next start.
            _finish(run, status=DailyRun.Status.FAILED, error="已中断")
            raise
        else:
            _finish(run, status=DailyRun.Status.OK, outcome=_outcome(result))
        yield job, run
