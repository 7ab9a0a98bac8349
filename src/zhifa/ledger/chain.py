"""The canonical form and hash of a ledger entry, kept pure so that anyone can
re-check an exported ledger without Zhifa's database."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


def canonical(
    *,
    seq: int,
    recorded_at: datetime,
    action: str,
    actor_id: int | None,
    actor_name: str,
    agency_id: int | None,
    object_type: str,
    object_id: str,
    object_repr: str,
    payload: Any,
    prev_hash: str,
) -> bytes:
    document = {
        "seq": seq,
        "recorded_at": recorded_at.astimezone(UTC).isoformat(),
        "action": action,
        "actor_id": actor_id,
        "actor_name": actor_name,
        "agency_id": agency_id,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "payload": payload,
        "prev_hash": prev_hash,
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def entry_hash(**fields: Any) -> str:
    return hashlib.sha256(canonical(**fields)).hexdigest()
