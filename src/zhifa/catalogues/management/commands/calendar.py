from django.core.management.base import BaseCommand, CommandError

from zhifa.catalogues.selectors import calendar_year_known
from zhifa.catalogues.services import calendar_seed
from zhifa.catalogues.workdays import calendar_days, calendar_year_get
from zhifa.core.errors import ZhifaError

WEEKDAY_LABELS = ("一", "二", "三", "四", "五", "六", "日")


def _year(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise CommandError(f"年份“{value}”无效，应为四位数字，如 2026。") from None


class Command(BaseCommand):
    help = (
        "工作日历。seed [年份 …]：从 chinesecalendar 导入（默认导入其已知的全部年份，"
        "不覆盖人工录入的年度）；show 年份：列出该年的节假日和调休上班日。"
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["seed", "show"])
        parser.add_argument("years", nargs="*", help="年份，如 2026")

    def handle(self, *args, action, years, **options):
        years = [_year(value) for value in years]
        if action == "seed":
            self._seed(years or None)
        elif len(years) != 1:
            raise CommandError("请指定一个年份，如：zhifa calendar show 2026")
        else:
            self._show(years[0])

    def _seed(self, years):
        try:
            written = calendar_seed(actor=None, years=years)
        except ZhifaError as exc:
            raise CommandError(exc.message) from None
        if written:
            self.stdout.write(f"已导入 {'、'.join(map(str, written))} 年的工作日历。")
        else:
            self.stdout.write("工作日历已是最新，没有需要导入的年份（人工录入的年度不会被覆盖）。")

    def _show(self, year: int):
        calendar_year = calendar_year_get(year)
        if calendar_year is None:
            self.stdout.write(f"{year} 年：尚未录入，落在该年的期限只排除周末，标注为暂定。")
            return
        status = "已确认" if calendar_year_known(year) else "未确认，落在该年的期限标注为暂定"
        notice = f"，{calendar_year.notice}" if calendar_year.notice else ""
        self.stdout.write(f"{year} 年：{status}（{calendar_year.get_source_display()}{notice}）")
        for row in calendar_days(year):
            kind = "班" if row.is_workday else "休"
            weekday = WEEKDAY_LABELS[row.day.weekday()]
            self.stdout.write(f"{row.day:%Y-%m-%d} 周{weekday} {kind} {row.name}".rstrip())
