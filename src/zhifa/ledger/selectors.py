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
