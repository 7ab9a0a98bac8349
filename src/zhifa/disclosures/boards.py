"""The printable 岗位信息公示牌 of a service window (PUB-05): a DOCX laid out
for A4 or A3 with python-docx, turned into PDF by LibreOffice headless through
the instruments' converter, the project's one path to PDF. Nothing here writes."""

from __future__ import annotations

import tempfile
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from zhifa.core.errors import InvalidInput

# Page sizes in millimetres (GB/T 148) and the scale of the type on them.
SIZES = {"a4": ((210, 297), 1.0), "a3": ((297, 420), 1.41)}


def _font(run, size: float, *, bold: bool = False) -> None:
    family = settings.ZHIFA_DISCLOSURE_BOARD_FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = family
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), family)


def _para(doc, text: str, size: float, *, bold=False, center=False):
    paragraph = doc.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), size, bold=bold)
    return paragraph


def _table(doc, headers, rows, size: float) -> None:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), size, bold=True)
    for row in rows or [["（无）"] + [""] * (len(headers) - 1)]:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(str(text)), size)


def portal_place() -> str:
    """Where the public finds the portal: its address when one is configured."""
    base = settings.ZHIFA_PORTAL_BASE_URL.rstrip("/")
    return f"行政执法公示平台（{base}{reverse('portal:home')}）" if base else "行政执法公示平台"


def board_docx(window, size: str) -> bytes:
    """The board of ``window`` as a DOCX on an A4 or A3 page."""
    if size not in SIZES:
        raise InvalidInput("公示牌只能打印为 A4 或 A3。", code="size_invalid")
    (width, height), k = SIZES[size]
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(width), Mm(height)
    margin = Mm(15 * k)
    section.left_margin = section.right_margin = margin
    section.top_margin = section.bottom_margin = margin
    agency = window.agency
    _para(doc, "岗位信息公示牌", 26 * k, bold=True, center=True)
    _para(doc, f"{agency.name} · {window.name}", 15 * k, bold=True, center=True)
    lines = [f"办公地点：{window.location}"]
    if window.hours:
        lines.append(f"办公时间：{window.hours}")
    for line in lines:
        _para(doc, line, 11 * k)
    _para(doc, "窗口工作人员", 13 * k, bold=True)
    _table(
        doc,
        ["姓名", "岗位", "执法证件编号"],
        [[s.name, s.post, s.credential_number or "—"] for s in window.staff.all()],
        10.5 * k,
    )
    _para(doc, "办理事项", 13 * k, bold=True)
    _table(
        doc,
        ["事项名称", "办理依据", "承办机构", "办理时限"],
        [
            [
                m.name,
                m.legal_basis,
                m.unit.name if m.unit_id else agency.name,
                f"{m.time_limit_days} 个工作日" if m.time_limit_days else "—",
            ]
            for m in window.matters.all()
        ],
        9.5 * k,
    )
    portal = portal_place()
    for line in (
        f"办理条件、申请材料和办理流程：见本机关在{portal}公开的服务指南。",
        f"办理进度查询：{portal}或咨询电话{window.phone or agency.phone or '—'}。",
        f"咨询电话：{window.phone or agency.phone or '—'}　监督电话：{window.supervision_phone}"
        + (f"　投诉举报电话：{agency.complaint_phone}" if agency.complaint_phone else ""),
    ):
        _para(doc, line, 10.5 * k)
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def board_pdf(window, size: str) -> bytes:
    from zhifa.instruments.convert import to_pdf

    data = board_docx(window, size)
    with tempfile.TemporaryDirectory(prefix="zhifa-board-") as work:
        source = Path(work) / f"board-{window.pk}-{size}.docx"
        source.write_bytes(data)
        (pdf,) = to_pdf([source], Path(work) / "out")
        return pdf.read_bytes()
