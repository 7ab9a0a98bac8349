"""Reading uploaded documents: the text of PDFs and of images of evidence.

A PDF's text layer is read page by page with poppler's ``pdftotext`` (installed
by scripts/system-deps.sh), or pypdf where poppler is missing. A page with no
text layer (a scan) and an image are read by OCR with ``rapidocr-onnxruntime``,
whose detection and recognition models ship inside the package (no download);
``ZHIFA_ASSIST_OCR = False`` turns OCR off, and such pages then stay empty.
Everything runs in the worker (``zhifa assist work``), never in a request.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings


class ReadingError(Exception):
    """The file cannot be read; the message is shown to the officer."""


@dataclass(frozen=True)
class Page:
    number: int
    method: str  # text, ocr, none
    text: str


PDF_MAGIC = b"%PDF-"
IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BM", b"II*\x00", b"MM\x00*", b"RIFF")


def sniff(head: bytes) -> str | None:
    """``pdf``, ``image`` or None from a file's first bytes."""
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if any(head.startswith(m) for m in IMAGE_MAGIC):
        return "image"
    return None


def ocr_enabled() -> bool:
    return bool(settings.ZHIFA_ASSIST_OCR) and _ocr_engine() is not None


@cache
def _ocr_engine():
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:  # pragma: no cover - a dependency; OCR is then off
        return None
    return RapidOCR()


def ocr_image(path: Path) -> str:
    """The lines of text the OCR engine finds, top to bottom."""
    engine = _ocr_engine()
    if engine is None:  # pragma: no cover
        return ""
    result, _elapsed = engine(str(path))
    lines = []
    for box, text, _score in result or []:
        top = min(p[1] for p in box)
        left = min(p[0] for p in box)
        lines.append((round(top / 12), left, text))
    lines.sort()
    return "\n".join(t for *_rest, t in lines)


def _pdf_pages(path: Path) -> int:
    from pypdf import PdfReader

    try:
        return len(PdfReader(str(path)).pages)
    except Exception as exc:
        raise ReadingError("无法打开该 PDF 文件（文件损坏或加密）。") from exc


def _pdftotext(path: Path, number: int) -> str:
    out = subprocess.run(
        [
            "pdftotext",
            "-q",
            "-layout",
            "-enc",
            "UTF-8",
            "-f",
            f"{number}",
            "-l",
            f"{number}",
            f"{path}",
            "-",
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    return out.stdout.decode("utf-8", "replace")


def _pypdf_text(path: Path, number: int) -> str:
    from pypdf import PdfReader

    return PdfReader(str(path)).pages[number - 1].extract_text() or ""


def _render_page(path: Path, number: int, workdir: Path) -> Path | None:
    if not shutil.which("pdftoppm"):
        return None
    prefix = workdir / f"page-{number}"
    subprocess.run(
        [
            "pdftoppm",
            "-q",
            "-r",
            "150",
            "-png",
            "-f",
            f"{number}",
            "-l",
            f"{number}",
            f"{path}",
            f"{prefix}",
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    found = sorted(workdir.glob(f"page-{number}*.png"))
    return found[0] if found else None


def clean(text: str) -> str:
    lines = [" ".join(line.split()) for line in (text or "").replace("\f", "\n").splitlines()]
    return "\n".join(line for line in lines if line)


def read_pdf(path: Path, workdir: Path, *, progress: Callable[[int, int], None]) -> Iterator[Page]:
    total = _pdf_pages(path)
    if total > settings.ZHIFA_ASSIST_DOCUMENT_MAX_PAGES:
        raise ReadingError(
            f"文件共 {total} 页，超过 {settings.ZHIFA_ASSIST_DOCUMENT_MAX_PAGES} 页的上限。"
        )
    poppler = shutil.which("pdftotext") is not None
    for number in range(1, total + 1):
        text = clean(_pdftotext(path, number) if poppler else _pypdf_text(path, number))
        method = "text"
        if not text and ocr_enabled():
            image = _render_page(path, number, workdir)
            if image is not None:
                text, method = clean(ocr_image(image)), "ocr"
                image.unlink(missing_ok=True)
        yield Page(number, method if text else "none", text)
        progress(number, total)


def read_image(path: Path, *, progress: Callable[[int, int], None]) -> Iterator[Page]:
    if not ocr_enabled():
        raise ReadingError("图片文字识别（OCR）未启用，无法识别图片中的文字。")
    try:
        text = clean(ocr_image(path))
    except Exception as exc:
        raise ReadingError("无法识别该图片（格式不支持或文件损坏）。") from exc
    progress(1, 1)
    yield Page(1, "ocr" if text else "none", text)


def engine_name(kind: str) -> str:
    if kind == "image":
        return "rapidocr-onnxruntime"
    base = "pdftotext" if shutil.which("pdftotext") else "pypdf"
    return f"{base}+rapidocr" if ocr_enabled() else base
