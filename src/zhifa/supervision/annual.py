"""The 行政执法统计年报 as documents (PUB-11): a PDF with charts and an XLSX.

The PDF is drawn with matplotlib (object API, no pyplot state, so it is safe
in a web worker) with the Noto CJK font that ``scripts/system-deps.sh``
installs. Glyphs are embedded as Type 3 fonts (``pdf.fonttype`` 3), which
``pdftotext`` reads back: TrueType embedding (42) extracts a little more neatly
but makes fontTools subset the 20 MB CJK collection, about 2.6 s per face, where
Type 3 takes about a second for the whole report. This path is lighter than
the docx → LibreOffice one used for instruments: no 200 MB converter process,
and the charts are native vector drawings rather than pasted images.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from functools import cache
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from zhifa.cases.models import Procedure
from zhifa.supervision.stats import AnnualStats

A4 = (8.27, 11.69)
# fontTools (used by matplotlib for fonts) logs every glyph it subsets at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)

# The columns of the remedies table: (label, outcomes counted in it).
REMEDY_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("维持", ("upheld",)),
    ("驳回", ("dismissed",)),
    ("撤销", ("revoked", "partly_revoked")),
    ("确认违法", ("confirmed_illegal",)),
    ("变更", ("varied",)),
    ("责令重作", ("remade",)),
    ("其他", ("withdrawn", "settled", "terminated")),
)
REMEDY_NOTE = (
    "新收按申请复议或起诉之日、审结及各结果按复议决定、裁判或纠正之日计入本年度；\n"
    "撤销含部分撤销，其他为申请人撤回（原告撤诉）、调解和解及终止；"
    "数据来自各案登记的复议、诉讼及纠错结果。"
)


@cache
def _font_family() -> str:
    """Register the configured CJK font with matplotlib once; its family name."""
    from matplotlib import font_manager

    path = settings.ZHIFA_SUPERVISION_REPORT_FONT
    if path and Path(path).exists():
        font_manager.fontManager.addfont(path)
        return font_manager.FontProperties(fname=path).get_name()
    return "Noto Sans CJK SC"


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def kind_table(stats: AnnualStats) -> tuple[list[str], list[list]]:
    headers = ["执法类别", "立案（受理）", "作出决定", "办结", "罚没款决定", "罚没款金额（元）"]
    rows = [
        [r.label, r.started, r.decided, r.closed, r.fine_count, r.fine_total]
        for r in [*stats.by_kind, stats.totals]
    ]
    return headers, rows


def other_table(stats: AnnualStats) -> list[list]:
    return [
        ["简易程序（当场）决定", stats.procedures.get(Procedure.SIMPLE, 0)],
        ["普通程序决定", stats.procedures.get(Procedure.ORDINARY, 0)],
        ["快速办理决定", stats.procedures.get(Procedure.FAST, 0)],
        ["申请听证的案件", stats.hearings_requested],
        ["举行听证的案件", stats.hearings_held],
        ["行政强制措施", stats.coercive_measures],
        ["行政强制执行", stats.coercive_executions],
        ["申请人民法院强制执行", stats.court_applications],
        ["决定更正（被更正的决定记录）", stats.corrected_decisions],
    ]


def remedy_table(stats: AnnualStats) -> tuple[list[str], list[list]]:
    from zhifa.remedies.models import Remedy

    headers = ["渠道", "新收", "审结", *[label for label, _o in REMEDY_COLUMNS]]
    rows = []
    for channel, label in Remedy.Channel.choices:
        counts = stats.remedies.get(channel, {})
        outcomes = [sum(counts.get(o, 0) for o in group) for _label, group in REMEDY_COLUMNS]
        filed = "—" if channel == Remedy.Channel.SELF_CORRECTION else counts.get("filed", 0)
        rows.append([label, filed, counts.get("decided", 0), *outcomes])
    return headers, rows


def agency_table(stats: AnnualStats) -> tuple[list[str], list[list]]:
    headers = ["执法主体", "立案（受理）", "作出决定", "罚没款金额（元）"]
    return headers, [[a.name, s, d, f] for a, s, d, f in stats.per_agency]


def _cells(rows: list[list]) -> list[list[str]]:
    return [[money(v) if isinstance(v, Decimal) else str(v) for v in row] for row in rows]


def _table(fig, top: float, height: float, title: str, headers, rows, widths=None):
    fig.text(0.08, top, title, fontsize=12, weight="bold")
    ax = fig.add_axes([0.08, top - height - 0.01, 0.84, height])
    ax.axis("off")
    table = ax.table(
        cellText=_cells(rows) or [["（无）"] + [""] * (len(headers) - 1)],
        colLabels=headers,
        colWidths=widths,
        loc="upper center",
        cellLoc="center",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(8.5)
    table.scale(1, 1.35)


def render_pdf(stats: AnnualStats) -> bytes:
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    family = _font_family()
    rc = {"font.family": family, "pdf.fonttype": 3, "axes.unicode_minus": False}
    import matplotlib

    buffer = BytesIO()
    with matplotlib.rc_context(rc), PdfPages(buffer, metadata={"Title": stats.title}) as pdf:
        # Page 1: the tables.
        fig = Figure(figsize=A4)
        fig.text(0.5, 0.95, stats.title, ha="center", fontsize=16, weight="bold")
        fig.text(
            0.5,
            0.925,
            f"统计期间：{stats.year}年1月1日至{stats.year}年12月31日　"
            f"生成时间：{timezone.localtime(stats.generated_at):%Y-%m-%d %H:%M}",
            ha="center",
            fontsize=9,
        )
        headers, rows = kind_table(stats)
        _table(
            fig, 0.89, 0.26, "一、按执法类别", headers, rows, [0.22, 0.14, 0.14, 0.12, 0.16, 0.22]
        )
        penalty_rows = [[label, n] for _code, label, n in stats.penalty_kinds]
        _table(
            fig,
            0.57,
            0.2,
            "二、行政处罚决定按处罚种类（件，一案可含多种）",
            ["处罚种类", "件数"],
            penalty_rows,
        )
        _table(fig, 0.30, 0.2, "三、程序、听证与强制", ["项目", "数量"], other_table(stats))
        pdf.savefig(fig)

        # Page 2: reconsideration, litigation and the agency's own corrections.
        fig = Figure(figsize=A4)
        headers, rows = remedy_table(stats)
        _table(fig, 0.94, 0.1, "四、行政复议、行政诉讼与自行纠正（件）", headers, rows)
        fig.text(0.08, 0.78, REMEDY_NOTE, fontsize=8, linespacing=1.6)
        pdf.savefig(fig)

        # Page 2: the charts.
        fig = Figure(figsize=A4)
        fig.text(0.5, 0.95, f"{stats.title}（图表）", ha="center", fontsize=14, weight="bold")
        ax = fig.add_axes([0.12, 0.66, 0.8, 0.24])
        labels = [r.label.removeprefix("行政") for r in stats.by_kind]
        ax.bar(labels, [r.decided for r in stats.by_kind], color="#3366aa")
        ax.set_title("作出决定数：按执法类别", fontsize=11)
        ax.tick_params(axis="x", labelsize=8)
        ax = fig.add_axes([0.12, 0.36, 0.8, 0.22])
        ax.plot([f"{m}月" for m in range(1, 13)], stats.by_month, marker="o", color="#aa3333")
        ax.set_title("作出决定数：按月份", fontsize=11)
        ax.tick_params(axis="x", labelsize=8)
        ax = fig.add_axes([0.25, 0.04, 0.5, 0.26])
        if stats.penalty_kinds:
            ax.pie(
                [n for _c, _l, n in stats.penalty_kinds],
                labels=[label for _c, label, _n in stats.penalty_kinds],
                textprops={"fontsize": 8},
            )
        else:
            ax.axis("off")
            ax.text(0.5, 0.5, "本年度无行政处罚决定", ha="center")
        ax.set_title("行政处罚种类构成", fontsize=11)
        pdf.savefig(fig)

        # Region-wide reports: one line per agency, as many pages as needed.
        if len(stats.agencies) > 1:
            headers, rows = agency_table(stats)
            per_page = 36
            for start in range(0, len(rows), per_page):
                fig = Figure(figsize=A4)
                chunk = rows[start : start + per_page]
                _table(
                    fig,
                    0.94,
                    0.022 * (len(chunk) + 1),
                    "五、各执法主体",
                    headers,
                    chunk,
                    [0.46, 0.16, 0.16, 0.22],
                )
                pdf.savefig(fig)
    return buffer.getvalue()


def render_xlsx(stats: AnnualStats) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "按执法类别"
    sheet.append([stats.title])
    sheet["A1"].font = Font(bold=True, size=14)
    headers, rows = kind_table(stats)
    sheet.append(headers)
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    chart = BarChart()
    chart.title = "作出决定数：按执法类别"
    chart.add_data(
        Reference(sheet, min_col=3, min_row=2, max_row=2 + len(stats.by_kind)),
        titles_from_data=True,
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=3, max_row=2 + len(stats.by_kind)))
    sheet.add_chart(chart, "H2")
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["F"].width = 18

    sheet = workbook.create_sheet("处罚种类")
    sheet.append(["处罚种类", "件数"])
    for _code, label, n in stats.penalty_kinds:
        sheet.append([label, n])
    sheet = workbook.create_sheet("按月份")
    sheet.append(["月份", "作出决定数"])
    for month, n in enumerate(stats.by_month, start=1):
        sheet.append([f"{month}月", n])
    sheet = workbook.create_sheet("程序听证强制")
    sheet.append(["项目", "数量"])
    for row in other_table(stats):
        sheet.append(row)
    sheet = workbook.create_sheet("复议诉讼纠错")
    headers, rows = remedy_table(stats)
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    sheet.append([REMEDY_NOTE])
    if len(stats.agencies) > 1:
        sheet = workbook.create_sheet("各执法主体")
        headers, rows = agency_table(stats)
        sheet.append(headers)
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
