from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from zhifa.ledger import chain, note
from zhifa.ledger.models import LedgerCheckpoint, LedgerEntry

# Any constant works; it only has to be the same for every writer.
_PG_LOCK_KEY = 7_304_201


def _actor_fields(actor) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "系统"
    officer = getattr(actor, "officer", None)
    return actor.pk, (officer.name if officer else actor.get_username())


def _object_fields(obj: models.Model | None) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    return f"{obj._meta.app_label}.{obj._meta.model_name}", str(obj.pk), str(obj)[:255]


def _agency_of(obj: models.Model | None) -> int | None:
    if obj is None:
        return None
    if obj._meta.label == "accounts.Agency":
        return obj.pk
    return getattr(obj, "agency_id", None)


def entry_append(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    agency_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> LedgerEntry:
    """Append one entry to the ledger, linked to the one before it.

    Must run inside the caller's ``transaction.atomic()`` so that the entry and
    the change it records commit or roll back together.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger.append must be called inside transaction.atomic()")
    # Serialise appenders: the lock is held until the transaction ends, so
    # the next writer reads the head only after this entry is committed.
    _lock_appenders()
    # On SQLite the connection runs BEGIN IMMEDIATE (see settings), which
    # already gives this transaction the only write lock.
    head = LedgerEntry.objects.order_by("-seq").values("seq", "entry_hash").first()
    seq = head["seq"] + 1 if head else 1
    prev_hash = head["entry_hash"] if head else chain.GENESIS_HASH

    actor_id, actor_name = _actor_fields(actor)
    object_type, object_id, object_repr = _object_fields(obj)
    # Normalise through JSON so the hash is computed over exactly what the
    # database will give back (dates as strings, no tuples).
    normalised = json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder))
    fields = {
        "seq": seq,
        "recorded_at": timezone.now(),
        "action": action,
        "actor_id": actor_id,
        "actor_name": actor_name,
        "agency_id": agency_id if agency_id is not None else _agency_of(obj),
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "payload": normalised,
        "prev_hash": prev_hash,
    }
    return LedgerEntry.objects.create(**fields, entry_hash=chain.entry_hash(**fields))


def _lock_appenders() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def checkpoint_issue() -> LedgerCheckpoint | None:
    """Sign the ledger's current size and root, unless nothing was appended since
    the last checkpoint; then copy the note outside the database.

    Issued by the system (``zhifa ledger checkpoint``), not by a person, so it
    takes no actor and appends no entry: an entry would change the tree it signs.
    """
    from zhifa.ledger import checkpoint_store
    from zhifa.ledger.selectors import ledger_root
    from zhifa.ledger.signing import ledger_signer

    with transaction.atomic():
        # Hold appenders back so that size and root describe one moment.
        _lock_appenders()
        last = LedgerCheckpoint.objects.order_by("-size").first()
        size, root = ledger_root()
        if size == 0 or (last is not None and last.size == size):
            return None
        signer = ledger_signer()
        text = note.Checkpoint(settings.ZHIFA_LEDGER_ORIGIN, size, root).text()
        checkpoint = LedgerCheckpoint.objects.create(
            size=size,
            root=root.hex(),
            note=note.sign_note(text, signer),
            key_name=signer.name,
            key_id=signer.key_id.hex(),
            issued_at=timezone.now(),
        )
    # Written after the commit: a file must never name a checkpoint the
    # database does not hold. A copy lost to a crash here is reported by verify.
    checkpoint_store.write(checkpoint.size, checkpoint.note)
    return checkpoint
