"""``zhifa dashboard_snapshots [--watch [SECONDS]]``: store the supervisor
dashboard's figures of every scope (SUP-01).

Once, or with ``--watch`` round after round, a round starting every SECONDS
(default: half of ``ZHIFA_SUPERVISION_SNAPSHOT_SECONDS``, at least 60), so the
page finds a snapshot younger than the setting and does not count live. A
round that fails (the database busy or away) is reported and the next one
tried; the page counts live meanwhile.
"""

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError

from zhifa.supervision.services import dashboard_snapshots_refresh


class Command(BaseCommand):
    help = (
        "监督首页统计快照：重新统计各区域、各执法主体的监督首页数字并保存；"
        "--watch 持续运行，每隔 SECONDS 秒一轮"
        "（默认为 ZHIFA_SUPERVISION_SNAPSHOT_SECONDS 的一半，至少 60 秒）。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--watch",
            nargs="?",
            const=-1,
            type=int,
            metavar="SECONDS",
            help="持续运行，每轮间隔秒数",
        )
        parser.add_argument("--rounds", type=int, default=0, help="--watch 的轮数（0 为不限）")

    def handle(self, *args, watch=None, rounds=0, **options):
        interval = watch
        if watch is not None and watch < 0:
            interval = max(60, settings.ZHIFA_SUPERVISION_SNAPSHOT_SECONDS // 2)
        done = 0
        while True:
            started = time.monotonic()
            try:
                snapshots = dashboard_snapshots_refresh()
            except DatabaseError as exc:
                if watch is None:
                    raise
                self.stderr.write(f"本轮统计失败，下一轮重试：{exc}")
            else:
                self.stdout.write(
                    f"已更新监督首页统计快照 {len(snapshots)} 个，"
                    f"用时 {time.monotonic() - started:.1f} 秒。"
                )
            sys.stdout.flush()
            done += 1
            if watch is None or (rounds and done >= rounds):
                return
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
