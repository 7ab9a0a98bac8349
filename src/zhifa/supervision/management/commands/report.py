"""``zhifa report annual --agency CODE --year 2026 [--out DIR]``: write an
agency's 行政执法统计年报 (PUB-11) as PDF and XLSX.

``--agency`` takes the agency's 统一社会信用代码 or its ID. Naming the 司法局,
or giving ``--region`` with a GB/T 2260 code instead, writes the region-wide
report over every agency the 司法局 supervises there. An operator's command: it
reads aggregate figures only, no case content.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from zhifa.accounts.models import Agency, Region
from zhifa.supervision import annual
from zhifa.supervision.selectors import region_agencies
from zhifa.supervision.stats import annual_stats


def find_agency(code: str) -> Agency:
    query = Q(credit_code=code)
    if code.isdigit() and len(code) < 18:
        query |= Q(pk=int(code))
    found = list(Agency.objects.filter(query).select_related("region")[:2])
    if len(found) != 1:
        raise CommandError(f"找不到统一社会信用代码或 ID 为“{code}”的执法主体。")
    return found[0]


class Command(BaseCommand):
    help = "统计报表：annual 生成行政执法统计年报（PDF 和 XLSX）。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        yearly = sub.add_parser("annual", help="生成行政执法统计年报")
        which = yearly.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--agency", help="执法主体的统一社会信用代码或 ID（司法局则生成全区域年报）"
        )
        which.add_argument("--region", help="行政区划代码：生成该区域全部执法主体的年报")
        yearly.add_argument("--year", type=int, required=True, help="统计年度，如 2026")
        yearly.add_argument("--out", default=".", help="输出目录（默认当前目录）")
        yearly.add_argument(
            "--format", choices=("pdf", "xlsx", "both"), default="both", help="输出格式"
        )

    def handle(self, *args, **options):
        year = options["year"]
        if not 2000 <= year <= 2100:
            raise CommandError("统计年度不正确。")
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"行政区划“{options['region']}”不存在。")
            agencies, name = region_agencies(region), f"{region.name}（全区域）"
        else:
            agency = find_agency(options["agency"])
            if agency.is_supervisory:
                agencies = region_agencies(agency.region)
                name = f"{agency.region.name}（全区域）"
            else:
                agencies, name = Agency.objects.filter(pk=agency.pk), agency.name
        stats = annual_stats(agencies, year, title=f"{name} {year}年度行政执法统计年报")
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        formats = ("pdf", "xlsx") if options["format"] == "both" else (options["format"],)
        for fmt in formats:
            data = annual.render_pdf(stats) if fmt == "pdf" else annual.render_xlsx(stats)
            path = out / f"{stats.title}.{fmt}"
            path.write_bytes(data)
            self.stdout.write(str(path))
