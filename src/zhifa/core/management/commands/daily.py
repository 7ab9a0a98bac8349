"""``zhifa daily [--watch] [--at HH:MM] [--today YYYY-MM-DD]``: the daily jobs.

Runs each job of ``ZHIFA_DAILY_JOBS`` (the PUB-11 annual report reminders, the
PUB-08 expiry of public items, the purge of abandoned uploads) once for the day
and records it (``DailyRun``, shown in 管理后台 → 每日任务记录); a job already
done that day is not run again. Once, it exits with status 1 when a job failed.

With ``--watch`` it stays running and checks every ``ZHIFA_DAILY_CHECK_SECONDS``:
from ``--at`` (default ``ZHIFA_DAILY_AT``) each day it runs that day's jobs, and
a failed job again at each check. Started after that time on a day whose jobs
have not run (the process was down), it runs them at once.
"""

import signal
import sys
import time
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from zhifa.core.daily import daily_at, daily_pending, daily_run
from zhifa.core.models import DailyRun


def _stop(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "每日任务（统计年报提醒、撤下公示期满的信息等）：每个任务每天只运行一次并记录结果；"
        "--watch 持续运行，每天 --at 时刻之后运行当天的任务，失败的任务在下次检查时重试。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--watch", action="store_true", help="持续运行")
        parser.add_argument(
            "--at", help="--watch 时每天从该时刻起运行（HH:MM，默认 ZHIFA_DAILY_AT）"
        )
        parser.add_argument(
            "--today", help="按该日期运行（YYYY-MM-DD），默认今天；不能与 --watch 同用"
        )
        parser.add_argument("--rounds", type=int, default=0, help="--watch 的检查次数（0 为不限）")

    def handle(self, *args, watch=False, at=None, today=None, rounds=0, **options):
        if today and watch:
            raise CommandError("--today 不能与 --watch 同用。")
        if at and not watch:
            raise CommandError("--at 只用于 --watch。")
        if not watch:
            day = self._day(today)
            if not daily_pending(day=day):
                self.stdout.write(f"{day} 的每日任务均已完成。")
                return
            failed = self._run(day)
            if failed:
                raise CommandError(f"{day} 有 {failed} 项每日任务失败，再次运行即重试。")
            return
        try:
            starts = daily_at(at or settings.ZHIFA_DAILY_AT)
        except ValueError as exc:
            raise CommandError(f"--at 或 ZHIFA_DAILY_AT：{exc}") from None
        # `make run` and systemd stop the loop with SIGTERM: end like Ctrl-C, so a
        # job stopped halfway is marked and runs again at the next start.
        signal.signal(signal.SIGTERM, _stop)
        self.stdout.write(
            f"每日任务：每天 {starts:%H:%M} 起运行，"
            f"每 {settings.ZHIFA_DAILY_CHECK_SECONDS} 秒检查一次。"
        )
        checks = 0
        try:
            while True:
                # A fresh connection for each check, as for each request (a
                # database restarted meanwhile); never inside a transaction.
                if not connection.in_atomic_block:
                    close_old_connections()
                now = timezone.localtime()
                if now.time() >= starts:
                    try:
                        self._run(now.date())
                    except DatabaseError as exc:
                        self.stderr.write(f"每日任务检查失败，下次重试：{exc}")
                sys.stdout.flush()
                checks += 1
                if rounds and checks >= rounds:
                    return
                time.sleep(settings.ZHIFA_DAILY_CHECK_SECONDS)
        except KeyboardInterrupt:
            self.stdout.write("每日任务已停止。")

    def _day(self, value: str | None) -> date:
        if not value:
            return timezone.localdate()
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise CommandError("日期格式应为 YYYY-MM-DD。") from None
        if day > timezone.localdate():
            # Its run would be recorded, and the real day's then skipped.
            raise CommandError(
                "--today 不能晚于今天：那一天的任务会被记为已运行。"
                "预先查看统计年报提醒请用 zhifa annual_reminders --today。"
            )
        return day

    def _run(self, day: date) -> int:
        """Run ``day``'s pending jobs, printing each; return how many failed."""
        if not daily_pending(day=day):
            return 0
        failed = 0
        for job, run in daily_run(day=day):
            if run.status == DailyRun.Status.OK:
                done = f"，处理 {run.outcome}" if run.outcome else ""
                self.stdout.write(f"{day} {job.label}：完成{done}，用时 {run.seconds:.1f} 秒。")
            else:
                failed += 1
                self.stderr.write(
                    f"{day} {job.label}：失败（第 {run.attempts} 次，将重试）：{run.error}"
                )
            sys.stdout.flush()
        return failed
