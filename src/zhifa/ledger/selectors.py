from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from zhifa.ledger import chain, merkle
from zhifa.ledger.models import LedgerEntry

_HASHED_FIELDS = (
    "seq",
    "recorded_at",
    "action",
    "actor_id",
    "actor_name",
    "agency_id",
    "object_type",
    "object_id",
    "object_repr",
    "payload",
    "prev_hash",
)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    reason: str = ""


def ledger_verify() -> ChainReport:
    """Re-compute every link of the chain and report the first broken one."""
    prev_hash = chain.GENESIS_HASH
    expected_seq = 1
    count = 0
    rows = LedgerEntry.objects.order_by("seq").values(*_HASHED_FIELDS, "entry_hash")
    for row in rows.iterator(chunk_size=2000):
        count += 1
        if row["seq"] != expected_seq:
            return ChainReport(False, count, expected_seq, f"缺少第 {expected_seq} 条记录")
        if row["prev_hash"] != prev_hash:
            return ChainReport(False, count, row["seq"], "与前一条记录的链接不符")
        fields = {name: row[name] for name in _HASHED_FIELDS}
        if chain.entry_hash(**fields) != row["entry_hash"]:
            return ChainReport(False, count, row["seq"], "记录内容与其哈希不符")
        prev_hash = row["entry_hash"]
        expected_seq += 1
    return ChainReport(True, count)


def ledger_root(size: int | None = None) -> tuple[int, bytes]:
    """The RFC 9162 Merkle root over the first ``size`` entries (all when None),
    each leaf being ``merkle.leaf_hash`` of the entry's canonical bytes."""
    head = LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    if size is None:
        size = head
    if not 0 <= size <= head:
        raise ValueError(f"the ledger has {head} entries, not {size}")
    leaves: list[bytes] = []
    rows = LedgerEntry.objects.filter(seq__lte=size).order_by("seq").values(*_HASHED_FIELDS)
    for row in rows.iterator(chunk_size=2000):
        if row["seq"] != len(leaves) + 1:
            # Leaf i must be entry i + 1, or the root would not commit to seq.
            raise ValueError(f"缺少第 {len(leaves) + 1} 条记录")
        leaves.append(merkle.leaf_hash(chain.canonical(**row)))
    if len(leaves) != size:
        raise ValueError(f"缺少第 {len(leaves) + 1} 条记录")
    return size, merkle.root(leaves)


def entries_for(obj) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(
        object_type=f"{obj._meta.app_label}.{obj._meta.model_name}", object_id=str(obj.pk)
    )


@dataclass(frozen=True)
class Finding:
    """One thing ``zhifa ledger verify`` found wrong, named precisely."""

    kind: str  # changed | missing | gap | signature_invalid
    object: str
    message: str
    expected: str = ""
    found: str = ""
    chunk: int | None = None  # for a stored file: the first differing chunk, from 1


def checkpoint_audit() -> list[Finding]:
    """Check every checkpoint: its signature, its root against the entries as
    they are now, and its copy outside the database."""
    from zhifa.ledger import checkpoint_store
    from zhifa.ledger.models import LedgerCheckpoint
    from zhifa.ledger.signing import ledger_verifiers

    verifiers = ledger_verifiers()
    findings: list[Finding] = []
    leaves: list[bytes] = []
    rows = LedgerEntry.objects.order_by("seq").values(*_HASHED_FIELDS)
    for row in rows.iterator(chunk_size=2000):
        if row["seq"] != len(leaves) + 1:
            break  # the chain check names the gap; roots past it cannot match
        leaves.append(merkle.leaf_hash(chain.canonical(**row)))
    checkpoints = list(LedgerCheckpoint.objects.order_by("size"))
    held = {checkpoint.size for checkpoint in checkpoints}
    for size in checkpoint_store.sizes():
        if size in held:
            continue
        # The database lost a checkpoint its outside copy still has: the copy
        # is what was signed, so the entries are checked against it too.
        name = f"检查点 {size}"
        findings.append(Finding("missing", name, f"数据库中缺少{name}，库外副本仍在"))
        findings += _signed_root_findings(name, checkpoint_store.read(size), verifiers, leaves)
    for checkpoint in checkpoints:
        name = f"检查点 {checkpoint.size}"
        copy = checkpoint_store.read(checkpoint.size)
        path = str(checkpoint_store.path_for(checkpoint.size))
        if copy is None:
            findings.append(Finding("missing", path, f"{name}在库外的副本缺失"))
        elif copy != checkpoint.note:
            findings.append(Finding("changed", path, f"{name}与库外副本不一致"))
            # What was signed is in the copy: hold the entries against it too.
            findings += _signed_root_findings(f"{name}（库外副本）", copy, verifiers, leaves)
        findings += _signed_root_findings(name, checkpoint.note, verifiers, leaves, checkpoint)
    return findings


def _signed_root_findings(name, signed_note, verifiers, leaves, expect=None) -> list[Finding]:
    """Check one signed checkpoint note against the entries as they are now."""
    from zhifa.ledger import note

    findings: list[Finding] = []
    try:
        signed = note.Checkpoint.parse(note.open_note(signed_note, verifiers))
    except note.NoteError as exc:
        return [Finding("signature_invalid", name, f"{name}的签名无效：{exc}")]
    if expect is not None and (signed.size, signed.root.hex()) != (expect.size, expect.root):
        findings.append(
            Finding(
                "changed",
                name,
                f"{name}的记录与其签名内容不符",
                f"{signed.size}/{signed.root.hex()}",
                f"{expect.size}/{expect.root}",
            )
        )
    if signed.size > len(leaves):
        findings.append(
            Finding(
                "missing",
                name,
                f"{name}签署了 {signed.size} 条，台账现只有 {len(leaves)} 条连续记录",
                str(signed.size),
                str(len(leaves)),
            )
        )
    else:
        now = merkle.root(leaves[: signed.size])
        if now != signed.root:
            findings.append(
                Finding(
                    "changed",
                    name,
                    f"台账前 {signed.size} 条记录与{name}签署时不同",
                    signed.root.hex(),
                    now.hex(),
                )
            )
    return findings


def file_verify(stored_file) -> list[Finding]:
    """Re-hash one stored evidence file and hold it against its record.

    ``changed`` names the first differing chunk, numbered from 1 as people count
    them, with its recorded and present SHA-256; ``missing`` means the object
    is gone. Reads the object once, a chunk at a time.
    """
    from zhifa.ledger import evidence

    name = f"证据文件 {stored_file.original_name}（{stored_file.storage_key}）"
    try:
        handle = evidence.backend(stored_file.backend).open(stored_file.storage_key)
    except FileNotFoundError:
        return [Finding("missing", stored_file.storage_key, f"{name}缺失", stored_file.sha256)]
    with handle:
        found = evidence.digest_stream(handle, chunk_size=stored_file.chunk_size)
    expected = stored_file.chunk_sha256
    first_bad: tuple[int, str, str] | None = None
    for index in range(max(len(expected), len(found.chunk_sha256))):
        recorded = expected[index] if index < len(expected) else ""
        present = found.chunk_sha256[index] if index < len(found.chunk_sha256) else ""
        if recorded != present:  # "" stands for a chunk cut off or added
            first_bad = (index + 1, recorded, present)
            break
    if first_bad is None and (found.sha256, found.sm3) == (stored_file.sha256, stored_file.sm3):
        return []
    if first_bad is None:
        # Every chunk matches its record but the whole does not: the record's
        # digests disagree with each other, so the row itself was altered.
        return [
            Finding(
                "changed",
                stored_file.storage_key,
                f"{name}的记录摘要自相矛盾",
                f"{stored_file.sha256}/{stored_file.sm3}",
                f"{found.sha256}/{found.sm3}",
            )
        ]
    number, recorded, present = first_bad
    return [
        Finding(
            "changed",
            stored_file.storage_key,
            f"{name}自第 {number} 块（每块 {stored_file.chunk_size} 字节）起与存证时不同",
            recorded,
            present,
            chunk=number,
        )
    ]


def stored_files_audit() -> list[Finding]:
    """``file_verify`` over every stored evidence file."""
    from zhifa.ledger.models import StoredFile

    findings: list[Finding] = []
    for stored_file in StoredFile.objects.order_by("id").iterator(chunk_size=500):
        findings += file_verify(stored_file)
    return findings
