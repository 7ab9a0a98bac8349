from datetime import date

from django.core.management.base import BaseCommand, CommandError

from zhifa.catalogues.workdays import unknown_years, workdays_add, workdays_between
from zhifa.core.errors import ZhifaError


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期“{value}”无效，应为 YYYY-MM-DD 格式，如 2026-09-30。") from None


def _count(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = -1
    if n < 0:
        raise CommandError(f"工作日数“{value}”无效，应为不小于 0 的整数。")
    return n


class Command(BaseCommand):
    help = (
        "工作日计算。add 日期 N：输出该日之后第 N 个工作日；"
        "between 日期A 日期B：输出 A 之后至 B（含）的工作日数。"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["add", "between"])
        parser.add_argument("first", help="起算日期，YYYY-MM-DD")
        parser.add_argument("second", help="add：工作日数；between：截止日期 YYYY-MM-DD")

    def handle(self, *args, action, first, second, **options):
        start = _date(first)
        try:
            if action == "add":
                result = workdays_add(start, _count(second))
                self.stdout.write(result.date.isoformat())
                end, provisional = result.date, result.provisional
            else:
                end = _date(second)
                result = workdays_between(start, end)
                self.stdout.write(str(result.count))
                provisional = result.provisional
        except ZhifaError as exc:
            raise CommandError(exc.message) from None
        if provisional:
            years = "、".join(str(year) for year in unknown_years(start, end))
            self.stdout.write(
                f"暂定：{years} 年的工作日历尚未录入或确认，该年只排除了周末；"
                "公布放假安排后请录入工作日历并重新计算。"
            )
