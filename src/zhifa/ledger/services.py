from __future__ import annotations

import json
import os
from typing import Any, BinaryIO

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from zhifa.ledger import chain, note
from zhifa.ledger.models import (
    LedgerCheckpoint,
    LedgerEntry,
    MerkleNode,
    StoredFile,
    VerificationRun,
)

# Any constant works; it only has to be the same for every writer.
_PG_LOCK_KEY = 7_304_201


def _actor_fields(actor) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "系统"
    officer = getattr(actor, "officer", None)
    return actor.pk, (officer.name if officer else actor.get_username())


def _actor_agency_id(actor) -> int | None:
    """The agency of the person acting, for entries whose object has none."""
    officer = getattr(actor, "officer", None) if actor is not None else None
    return officer.agency_id if officer else None


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
    seq, prev_hash = _locked_head()

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


_HEAD_SQL = "SELECT seq, entry_hash FROM ledger_entry ORDER BY seq DESC LIMIT 1"


def _locked_head() -> tuple[int, str]:
    """Take the appenders' lock and read the head, in one round trip."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Two statements in one message: under READ COMMITTED the second
            # takes its snapshot after the first has returned, i.e. once the
            # lock is held, so it sees the previous appender's commit. One
            # round trip fewer per append (755 → 1,011 appends/s, bench/).
            cursor.execute(f"SELECT pg_advisory_xact_lock(%s); {_HEAD_SQL}", [_PG_LOCK_KEY])
            cursor.nextset()
        else:
            # SQLite: BEGIN IMMEDIATE (see settings) already holds the write lock.
            cursor.execute(_HEAD_SQL)
        row = cursor.fetchone()
    return (row[0] + 1, row[1]) if row else (1, chain.GENESIS_HASH)


def _lock_appenders() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def _stored_leaves() -> int:
    """How many leaves the stored Merkle tree has (leaves are stored contiguously)."""
    last = MerkleNode.objects.filter(level=0).order_by("-index").values_list("index", flat=True)
    index = last.first()
    return 0 if index is None else index + 1


def merkle_extend() -> int:
    """Store the Merkle leaves of the entries appended since the last call, and
    every perfect subtree they complete; return the stored tree's size.

    Reads only the entries beyond the last stored leaf and the O(log N) nodes of
    the stored tree's right edge. Appends no entry: the nodes are derived from
    the entries, and an entry would change the tree. Runs outside the
    appenders' lock for the same reason as ``checkpoint_issue``: the visible
    entries are a prefix no later write changes. Two calls at once compute the
    same nodes; the loser's insert hits the unique (level, index) constraint
    and it returns what the winner stored.
    """
    from zhifa.ledger import merkle, tree
    from zhifa.ledger.selectors import entry_leaves

    stored = _stored_leaves()
    leaves = list(entry_leaves(after=stored))
    if not leaves:
        return stored
    # The right edge of the stored tree: the perfect subtrees [0, stored)
    # splits into, largest first. New leaves merge into it like a binary counter.
    edge = [tree.node_key(*r) for r in tree.perfect_ranges(0, stored)] if stored else []
    known = tree.fetch_nodes([(0, stored)], stored) if stored else {}
    frontier: list[tuple[int, int, bytes]] = [(lv, ix, known[(lv, ix)]) for lv, ix in edge]
    new: list[MerkleNode] = []
    for offset, leaf in enumerate(leaves):
        level, index, value = 0, stored + offset, leaf
        new.append(MerkleNode(level=0, index=index, hash=value.hex()))
        while frontier and frontier[-1][0] == level:
            _, _, left = frontier.pop()
            level, index, value = level + 1, index >> 1, merkle.node_hash(left, value)
            new.append(MerkleNode(level=level, index=index, hash=value.hex()))
        frontier.append((level, index, value))
    size = stored + len(leaves)
    try:
        with transaction.atomic():
            MerkleNode.objects.bulk_create(new, batch_size=2000)
    except IntegrityError:
        # Another extender stored some of these nodes first; they are the same
        # hashes, derived from the same entries. Re-check that it got this far.
        if _stored_leaves() < size:
            raise
    return size


def checkpoint_issue() -> LedgerCheckpoint | None:
    """Sign the ledger's current size and root, unless nothing was appended since
    the last checkpoint; then copy the note outside the database.

    Issued by the system (``zhifa ledger checkpoint``), not by a person, so it
    takes no actor and appends no entry: an entry would change the tree it signs.
    """
    from zhifa.ledger import checkpoint_store, timestamp, tree
    from zhifa.ledger.signing import ledger_signers

    # Computed outside any transaction and without the appenders' lock: entries
    # are only ever appended, one committed transaction at a time, so the rows
    # visible now are a prefix of the ledger that no later write can change.
    # Holding the lock here would stall every write for the whole computation.
    # Extending hashes only the entries since the last call, and the root then
    # reads O(log N) stored nodes.
    size = merkle_extend()
    root = tree.stored_root(size)
    if size == 0:
        return None
    signers = ledger_signers()
    signer = signers[0]
    text = note.Checkpoint(settings.ZHIFA_LEDGER_ORIGIN, size, root).text()
    with transaction.atomic():
        last = LedgerCheckpoint.objects.order_by("-size").first()
        if last is not None and last.size >= size:
            return None  # nothing new, or another signer got there first
        try:
            with transaction.atomic():
                checkpoint = LedgerCheckpoint.objects.create(
                    size=size,
                    root=root.hex(),
                    note=note.sign_note(text, *signers),
                    key_name=signer.name,
                    key_id=signer.key_id.hex(),
                    issued_at=timezone.now(),
                )
        except IntegrityError:
            return None  # a concurrent signer stored this size a moment earlier
    # Written after the commit: a file must never name a checkpoint the
    # database does not hold. A copy lost to a crash here is reported by verify.
    checkpoint_store.write(checkpoint.size, checkpoint.note)
    timestamp.stamp_checkpoint(checkpoint.size, checkpoint.note)
    return checkpoint


def file_store(
    *, actor, stream: BinaryIO, original_name: str, content_type: str = ""
) -> StoredFile:
    """Store an evidence file in the evidence store and record it (REC-05, REC-11).

    The stream is hashed (SHA-256, SM3, per-chunk SHA-256) while it is copied to
    an unnamed incoming file, outside any transaction: a long upload holds no
    lock, and a process killed meanwhile leaves nothing behind. The object is
    then placed under its SHA-256 and its row and ledger entry written in one
    transaction; if that fails, an object placed by this call is removed again.

    The same content stored again returns the existing row, and still appends a
    ``file.store`` entry (``already_stored``): the ledger records who handed in
    which evidence when, and the row only names the first person who did.
    """
    from zhifa.core.errors import InvalidInput
    from zhifa.ledger import evidence

    name = os.path.basename((original_name or "").replace("\\", "/")).strip()
    if not name:
        raise InvalidInput("文件名不能为空。", code="file_name_required")
    content_type = (content_type or "").strip()
    if len(name) > 255 or len(content_type) > 255:
        raise InvalidInput("文件名和文件类型都不能超过 255 个字符。", code="file_name_too_long")
    store = evidence.backend()
    placed: str | None = None
    with store.incoming() as incoming:
        digests = evidence.digest_stream(stream, incoming)
        key = evidence.object_key(digests.sha256)
        try:
            with transaction.atomic():
                # Taken before the look-up, so that two people storing the same
                # new content cannot both place it and one roll back the other's.
                _lock_appenders()
                stored = StoredFile.objects.filter(sha256=digests.sha256).first()
                already = stored is not None
                if already and stored.backend == store.name:
                    # Same bytes as recorded: putting back an object that went
                    # missing repairs the store without touching the row.
                    restored = store.place(incoming, stored.storage_key, content_type=content_type)
                    placed = stored.storage_key if restored else None
                elif not already:
                    if store.place(incoming, key, content_type=content_type):
                        placed = key
                    actor_id, actor_name = _actor_fields(actor)
                    stored = StoredFile.objects.create(
                        sha256=digests.sha256,
                        sm3=digests.sm3,
                        size=digests.size,
                        chunk_size=digests.chunk_size,
                        chunk_sha256=digests.chunk_sha256,
                        content_type=content_type,
                        original_name=name,
                        storage_key=key,
                        backend=store.name,
                        stored_at=timezone.now(),
                        stored_by_id=actor_id,
                        stored_by_name=actor_name,
                    )
                entry_append(
                    actor=actor,
                    action="file.store",
                    obj=stored,
                    agency_id=_actor_agency_id(actor),
                    payload={
                        "sha256": digests.sha256,
                        "sm3": digests.sm3,
                        "size": digests.size,
                        "chunks": len(digests.chunk_sha256),
                        "chunk_size": digests.chunk_size,
                        "name": name,
                        "already_stored": already,
                        "restored": already and placed is not None,
                    },
                )
        except BaseException:
            if placed is not None:
                store.discard(placed)
            raise
    return stored


def verification_run(*, actor=None, trigger: str, progress=None) -> VerificationRun:
    """Run the full verification (``selectors.ledger_audit``) and record it: the
    run's row and its ``ledger.verify`` entry are written in one transaction
    (REC-11, REC-12).

    ``actor`` is ``None`` when the system runs it (``zhifa verify``); a person
    must be one who may see the ledger's state. ``progress`` is handed on to
    ``ledger_audit``.
    """
    from zhifa.core.errors import Forbidden
    from zhifa.ledger.selectors import ledger_audit, ledger_supervised_by

    trigger = VerificationRun.Trigger(trigger)
    if actor is not None and not ledger_supervised_by(actor):
        raise Forbidden("只有司法局执法监督人员和系统管理员可以校验台账。")
    # The audit reads, and may hash every evidence file for a long time: it runs
    # outside the transaction so that no write waits on it (on SQLite the
    # transaction would hold the only write lock throughout).
    result = ledger_audit(progress=progress)
    actor_id, actor_name = _actor_fields(actor)
    with transaction.atomic():
        run = VerificationRun.objects.create(
            started_at=result.started_at,
            finished_at=result.finished_at,
            entries=result.entries,
            checkpoints=result.checkpoints,
            files=result.files,
            findings_count=len(result.findings),
            findings=[finding.as_dict() for finding in result.findings],
            trigger=trigger,
            run_by_id=actor_id,
            run_by_name=actor_name,
        )
        entry_append(
            actor=actor,
            action="ledger.verify",
            obj=run,
            agency_id=_actor_agency_id(actor),
            payload={
                "ok": result.ok,
                "entries": result.entries,
                "checkpoints": result.checkpoints,
                "files": result.files,
                "findings": len(result.findings),
                "trigger": trigger.value,
            },
        )
    return run
