"""``zhifa daily``: each registered job runs once per calendar day, a failure is
recorded and retried without stopping the others, and the shipped jobs (the
PUB-11 annual report reminders among them) run through it."""

import types
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from zhifa.core.management.commands import daily as command
from zhifa.core.models import DailyRun
from zhifa.supervision.models import AnnualReminder

pytestmark = pytest.mark.django_db

called: list[tuple[str, date]] = []
broken = {"on": True}


def counting(*, today):
    called.append(("counting", today))
    return 3


def listing(*, today):
    called.append(("listing", today))
    return ["a", "b"]


def failing(*, today):
    called.append(("failing", today))
    if broken["on"]:
        raise RuntimeError("数据库外的服务不可用")


HERE = "zhifa.core.tests.test_daily"


@pytest.fixture
def jobs(settings):
    called.clear()
    broken["on"] = True
    settings.ZHIFA_DAILY_JOBS = [f"{HERE}.counting", f"{HERE}.failing", f"{HERE}.listing"]
    return settings


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """``clock(hh, mm)``: the command believes it is that time on 5 January
    2027 (until then, noon on 31 January 2027); its sleeps return at once."""

    def set_to(hour, minute, day=date(2027, 1, 5)):
        moment = datetime.combine(day, time(hour, minute), timezone.get_current_timezone())
        fake = types.SimpleNamespace(localtime=lambda: moment, localdate=moment.date)
        monkeypatch.setattr(command, "timezone", fake)

    monkeypatch.setattr(command.time, "sleep", lambda seconds: None)
    set_to(12, 0, date(2027, 1, 31))
    return set_to


def daily_command(*args):
    out, err = StringIO(), StringIO()
    call_command("daily", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_each_job_runs_once_a_day(jobs):
    broken["on"] = False
    day = date(2027, 1, 5)
    out, _err = daily_command("--today", "2027-01-05")
    assert called == [("counting", day), ("failing", day), ("listing", day)]
    runs = {r.job.rsplit(".", 1)[1]: r for r in DailyRun.objects.filter(day=day)}
    assert runs["counting"].status == DailyRun.Status.OK and runs["counting"].outcome == "3"
    assert runs["listing"].outcome == "2" and runs["listing"].seconds is not None
    assert runs["failing"].outcome == "" and runs["failing"].attempts == 1
    assert "2027-01-05 zhifa.core.tests.test_daily.counting：完成，处理 3" in out

    # A second run the same day does nothing (a restart of the loop included).
    called.clear()
    out, _err = daily_command("--today", "2027-01-05")
    assert called == [] and "均已完成" in out
    assert DailyRun.objects.filter(day=day).count() == 3

    # The next day runs them again.
    daily_command("--today", "2027-01-06")
    assert called == [(name, date(2027, 1, 6)) for name in ("counting", "failing", "listing")]
    assert DailyRun.objects.filter(day=date(2027, 1, 6)).count() == 3


def test_a_failing_job_is_recorded_and_the_others_still_run(jobs):
    day = date(2027, 1, 5)
    with pytest.raises(CommandError, match="1 项每日任务失败"):
        daily_command("--today", "2027-01-05")
    assert [name for name, _day in called] == ["counting", "failing", "listing"]
    run = DailyRun.objects.get(job=f"{HERE}.failing", day=day)
    assert run.status == DailyRun.Status.FAILED and run.attempts == 1
    assert run.error == "RuntimeError: 数据库外的服务不可用" and run.finished_at is not None

    # The next run the same day retries only the failed job, on the same row.
    called.clear()
    broken["on"] = False
    out, _err = daily_command("--today", "2027-01-05")
    assert called == [("failing", day)]
    run.refresh_from_db()
    assert run.status == DailyRun.Status.OK and run.attempts == 2 and run.error == ""
    assert "撤下" not in out and "failing" in out


def test_a_job_running_elsewhere_is_left_alone_until_abandoned(jobs):
    day = date(2027, 1, 5)
    now = timezone.now()
    DailyRun.objects.create(
        job=f"{HERE}.counting", day=day, status=DailyRun.Status.RUNNING, started_at=now
    )
    with pytest.raises(CommandError):
        daily_command("--today", "2027-01-05")
    assert "counting" not in [name for name, _day in called]

    DailyRun.objects.filter(job=f"{HERE}.counting").update(
        started_at=now - timedelta(hours=jobs.ZHIFA_DAILY_STALE_HOURS + 1)
    )
    called.clear()
    broken["on"] = False
    daily_command("--today", "2027-01-05")
    assert sorted(name for name, _day in called) == ["counting", "failing"]
    assert DailyRun.objects.get(job=f"{HERE}.counting").attempts == 2


def test_the_watch_loop_catches_up_the_day_at_start_and_retries_a_failure(jobs, clock):
    clock(10, 0)
    day = date(2027, 1, 5)
    out, err = daily_command("--watch", "--at", "01:00", "--rounds", "1")
    assert called == [("counting", day), ("failing", day), ("listing", day)]
    assert "每天 01:00 起运行" in out and "失败（第 1 次，将重试）" in err

    # Started again the same day: only the failed job runs, at each check until it passes.
    called.clear()
    daily_command("--watch", "--at", "01:00", "--rounds", "2")
    assert called == [("failing", day), ("failing", day)]
    broken["on"] = False
    daily_command("--watch", "--at", "01:00", "--rounds", "3")
    assert called[2:] == [("failing", day)]
    run = DailyRun.objects.get(job=f"{HERE}.failing")
    assert run.status == DailyRun.Status.OK and run.attempts == 4


def test_the_watch_loop_waits_for_its_time(jobs, clock, settings):
    settings.ZHIFA_DAILY_AT = "01:00"
    clock(0, 30)
    daily_command("--watch", "--rounds", "2")
    assert called == [] and not DailyRun.objects.exists()
    clock(1, 0)
    daily_command("--watch", "--rounds", "1")
    assert len(called) == 3


@pytest.mark.parametrize(
    "args, message",
    [
        (["--today", "5.1.2027"], "YYYY-MM-DD"),
        (["--watch", "--today", "2027-01-05"], "--today"),
        (["--at", "07:00"], "--at"),
        (["--watch", "--at", "7 点"], "HH:MM"),
        (["--today", "2027-02-01"], "不能晚于今天"),
    ],
)
def test_bad_options_are_refused(jobs, args, message):
    with pytest.raises(CommandError, match=message):
        daily_command(*args)
    assert called == [] and not DailyRun.objects.exists()


@pytest.mark.req("PUB-11")
def test_the_shipped_jobs_send_the_annual_reminders(county, settings):
    """On 5 January an agency that has not filed last year's report is reminded
    to file it and to publish it; the reminders are the job's outcome."""
    day = date(2027, 1, 5)
    out, _err = daily_command("--today", "2027-01-05")
    reminders = AnnualReminder.objects.filter(agency=county.market, year=2026, sent_on=day)
    assert set(reminders.values_list("kind", flat=True)) == {"file", "publish"}
    sent = AnnualReminder.objects.filter(sent_on=day).count()
    keys = settings.ZHIFA_DAILY_JOBS
    runs = DailyRun.objects.filter(day=day)
    assert sorted(runs.values_list("job", flat=True)) == sorted(keys)
    assert all(run.status == DailyRun.Status.OK for run in runs)
    assert runs.get(job="zhifa.supervision.services.annual_reminders_send").outcome == str(sent)
    assert f"统计年报提醒（PUB-11）：完成，处理 {sent}" in out

    daily_command("--today", "2027-01-05")
    assert AnnualReminder.objects.filter(sent_on=day).count() == sent


def test_the_administrator_reads_the_runs(county, client_for, jobs):
    broken["on"] = False
    daily_command("--today", "2027-01-05")
    page = client_for(county.sysadmin).get("/admin/core/dailyrun/").content.decode()
    assert "每日任务记录" in page and "完成" in page and f"{HERE}.counting" in page
