"""RFC 3161 time-stamp tokens on checkpoints, from a configured TSA (INF-05).

A trusted time-stamping authority (TSA) — a provincial 时间戳服务 or any RFC 3161
service — countersigns the SHA-256 of each signed checkpoint, proving from
outside Zhifa that the ledger had that content no later than the stamped time.
Requests are made and tokens verified with the ``openssl ts`` command, so no
more dependencies are needed; the token is kept beside the checkpoint's copy
outside the database (``<size>.tsr``).

Off unless ``ZHIFA_TSA_URL`` is set. A TSA that cannot be reached does not stop
the checkpoint: the failure is logged, and ``zhifa verify`` reports the missing
token when ``ZHIFA_TSA_CA_FILE`` says tokens are expected.
"""

from __future__ import annotations

import logging
import re
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from zhifa.ledger import openssl
from zhifa.ledger.openssl import OpenSSLError

log = logging.getLogger(__name__)


class TimestampError(Exception):
    pass


def _openssl(*args: str, files: dict[str, bytes]) -> bytes:
    try:
        return openssl.run(*args, files=files)
    except OpenSSLError as exc:
        raise TimestampError(str(exc)) from None


def query(data: bytes) -> bytes:
    """A DER TimeStampReq for the SHA-256 of ``data``, asking for the TSA's certificate."""
    return _openssl("ts", "-query", "-data", "data", "-sha256", "-cert", files={"data": data})


def fetch(data: bytes, url: str | None = None) -> bytes:
    """Ask the TSA at ``url`` (``ZHIFA_TSA_URL``) for a token over ``data``."""
    url = url or settings.ZHIFA_TSA_URL
    request = urllib.request.Request(
        url, data=query(data), headers={"Content-Type": "application/timestamp-query"}
    )
    with urllib.request.urlopen(request, timeout=settings.ZHIFA_TSA_TIMEOUT_SECONDS) as response:
        if response.headers.get_content_type() != "application/timestamp-reply":
            raise TimestampError(f"TSA answered {response.headers.get_content_type()}")
        return response.read()


def verify(data: bytes, token: bytes, ca_file: str | None = None) -> datetime:
    """Check ``token`` covers ``data`` and chains to the CA; return the stamped time."""
    ca_file = str(Path(ca_file or settings.ZHIFA_TSA_CA_FILE).resolve())
    files = {"data": data, "r.tsr": token}
    _openssl("ts", "-verify", "-data", "data", "-in", "r.tsr", "-CAfile", ca_file, files=files)
    text = _openssl("ts", "-reply", "-in", "r.tsr", "-text", files=files).decode(errors="replace")
    found = re.search(r"Time stamp: (\w{3} +\d+ \d\d:\d\d:\d\d(?:\.\d+)? \d{4}) GMT", text)
    if not found:
        raise TimestampError("no time in the token")
    stamp = re.sub(r"\.\d+", "", re.sub(" +", " ", found.group(1)))
    return datetime.strptime(stamp, "%b %d %H:%M:%S %Y").replace(tzinfo=UTC)


def stamp_checkpoint(size: int, signed_note: str) -> Path | None:
    """Fetch and keep the token for one checkpoint; ``None`` when off or on failure."""
    from zhifa.ledger import checkpoint_store

    if not settings.ZHIFA_TSA_URL:
        return None
    try:
        token = fetch(signed_note.encode())
    except (OSError, TimestampError) as exc:
        log.warning("RFC 3161 time stamp for checkpoint %s failed: %s", size, exc)
        return None
    return checkpoint_store.write_token(size, token)
