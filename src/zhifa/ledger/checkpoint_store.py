"""The copy of every signed checkpoint outside the database (a directory).

Files are written once, atomically (temporary file, then rename) and made
read-only; ``latest.note`` always holds the newest checkpoint.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings


def _directory() -> Path:
    return Path(settings.ZHIFA_CHECKPOINT_DIR)


def path_for(size: int) -> Path:
    return _directory() / f"{size:012d}.note"


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    data = content.encode() if isinstance(content, str) else content
    with open(temporary, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, 0o444)
    os.replace(temporary, path)


def write(size: int, note: str) -> Path:
    path = path_for(size)
    if not path.exists():
        _write(path, note)
    _write(_directory() / "latest.note", note)
    return path


def token_path_for(size: int) -> Path:
    return _directory() / f"{size:012d}.tsr"


def write_token(size: int, token: bytes) -> Path:
    """Keep the RFC 3161 token of checkpoint ``size`` beside its copy (once)."""
    path = token_path_for(size)
    if not path.exists():
        _write(path, token)
    return path


def read_token(size: int) -> bytes | None:
    path = token_path_for(size)
    return path.read_bytes() if path.exists() else None


def read(size: int) -> str | None:
    path = path_for(size)
    # Damaged bytes must be reported by verify, not crash it.
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else None


def sizes() -> list[int]:
    """The sizes of every checkpoint copy in the directory."""
    if not _directory().exists():
        return []
    return sorted(int(p.stem) for p in _directory().glob("*.note") if p.stem.isdigit())
