"""Reading back what the case file stored."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
from pathlib import Path

from pypdf import PdfWriter

from zhifa.ledger.evidence import backend


def stored_bytes(stored) -> bytes:
    with backend(stored.backend).open(stored.storage_key) as f:
        return f.read()


def stored_copy(stored, path: Path) -> Path:
    with backend(stored.backend).open(stored.storage_key) as f, open(path, "wb") as out:
        shutil.copyfileobj(f, out)
    return path


def page_text(pdf: Path, first: int, last: int) -> str:
    done = subprocess.run(
        ["pdftotext", "-f", str(first), "-l", str(last), "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        check=True,
    )
    return "".join(done.stdout.decode().split())


def blank_pdf(pages: int = 2) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def png(width: int = 40, height: int = 30, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid PNG of one colour (distinct bytes for each size and colour)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
