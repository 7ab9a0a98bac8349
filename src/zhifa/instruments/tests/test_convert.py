"""LibreOffice conversion and PDF reading, for every caller (instruments, case files)."""

from __future__ import annotations

import pytest
from docx import Document

from zhifa.instruments.convert import ConversionFailed, page_count, pdf_text, to_pdf


def test_one_call_converts_docx_and_html(tmp_path):
    document = Document()
    document.add_paragraph("询问笔录 第一页")
    document.save(tmp_path / "a.docx")
    (tmp_path / "b.html").write_text(
        "<html><meta charset='utf-8'><body><p>送达回证 示范县</p></body></html>", encoding="utf-8"
    )
    pdfs = to_pdf([tmp_path / "a.docx", tmp_path / "b.html"], tmp_path / "out")
    assert [p.name for p in pdfs] == ["a.pdf", "b.pdf"]
    assert [page_count(p) for p in pdfs] == [1, 1]
    assert "询问笔录" in pdf_text(pdfs[0])
    assert "送达回证" in pdf_text(pdfs[1])
    assert to_pdf([], tmp_path) == []


def test_refusals(tmp_path, settings):
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(ConversionFailed, match="不支持转换"):
        to_pdf([tmp_path / "a.txt"], tmp_path)
    with pytest.raises(ConversionFailed, match="不存在"):
        to_pdf([tmp_path / "missing.docx"], tmp_path)
    (tmp_path / "x").mkdir()
    Document().save(tmp_path / "a.docx")
    Document().save(tmp_path / "x" / "a.docx")
    with pytest.raises(ConversionFailed, match="重名"):
        to_pdf([tmp_path / "a.docx", tmp_path / "x" / "a.docx"], tmp_path / "out")
    with pytest.raises(ConversionFailed, match="无法读取"):
        page_count(tmp_path / "a.docx")

    settings.ZHIFA_SOFFICE = "no-such-soffice"
    with pytest.raises(ConversionFailed, match="未找到 LibreOffice") as raised:
        to_pdf([tmp_path / "a.docx"], tmp_path / "out")
    assert raised.value.code == "soffice_missing"
    settings.ZHIFA_SOFFICE = "false"
    with pytest.raises(ConversionFailed, match=r"未能将 a\.docx 转换为 PDF") as raised:
        to_pdf([tmp_path / "a.docx"], tmp_path / "out")
    assert raised.value.code == "soffice_failed"
    assert not (tmp_path / "out" / "a.pdf").exists()
