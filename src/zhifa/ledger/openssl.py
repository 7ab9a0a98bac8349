"""The ``openssl`` command, for what ``cryptography`` does not offer: SM2
signatures (``ledger.sm2``) and RFC 3161 time stamps (``ledger.timestamp``).

Each call runs in a private temporary directory holding the given files
(name → bytes, mode 0600); arguments name them relative to it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


class OpenSSLError(Exception):
    """The command is missing or failed; the message is its error output."""


def run(*args: str, data: bytes = b"", files: dict[str, bytes] | None = None) -> bytes:
    binary = shutil.which("openssl")
    if binary is None:
        raise OpenSSLError("openssl not found")
    with tempfile.TemporaryDirectory(prefix="zhifa-openssl-") as tmp:
        for name, content in (files or {}).items():
            fd = os.open(Path(tmp) / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
        result = subprocess.run(
            [binary, *args], cwd=tmp, input=data, capture_output=True, timeout=30, check=False
        )
    if result.returncode != 0:
        raise OpenSSLError(result.stderr.decode(errors="replace").strip()[-300:])
    return result.stdout
