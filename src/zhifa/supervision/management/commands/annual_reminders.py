"""``zhifa annual_reminders [--today YYYY-MM-DD]``: the daily job of PUB-11.

From 1 January until the deadlines (``ZHIFA_SUPERVISION_ANNUAL_FILE_BY_DAY``,
``ZHIFA_SUPERVISION_ANNUAL_PUBLISH_BY_DAY`` of January) it records, once a day,
a reminder for each agency that has not yet filed last year's statistics report
with the 司法局 or not yet published it, and prints them. The same reminders
stand on the supervision dashboard and the report page until the report is
filed and published. Outside January it does nothing.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from zhifa.supervision.services import annual_reminders_send


class Command(BaseCommand):
    help = "统计年报提醒：记录并列出尚未报送或公开上一年度统计年报的执法主体（每日运行）。"

    def add_arguments(self, parser):
        parser.add_argument("--today", help="按该日期计算（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        today = None
        if options.get("today"):
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("日期格式应为 YYYY-MM-DD。") from None
        sent = annual_reminders_send(today=today)
        for r in sent:
            self.stdout.write(
                f"{r.agency.name}\t{r.year} 年度统计年报{r.get_kind_display()}\t期限 {r.due_on}"
            )
        self.stdout.write(f"今日新发提醒 {len(sent)} 条。")
