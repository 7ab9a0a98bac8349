from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from zhifa.ledger import chain, merkle
from zhifa.ledger.models import LedgerEntry

HASHED_FIELDS = (
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


# How often a long check reports its progress, in entries.
_PROGRESS_EVERY = 1000


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    first_bad_seq: int | None = None
    reason: str = ""
    kind: str = ""  # gap | changed, as a ``Finding`` names it
    expected: str = ""
    found: str = ""


def ledger_verify(*, progress: Callable[[int], None] | None = None) -> ChainReport:
    """Re-compute every link of the chain and report the first broken one.

    ``progress(n)`` is called now and then with the number of entries checked.
    """
    prev_hash = chain.GENESIS_HASH
    expected_seq = 1
    count = 0
    rows = LedgerEntry.objects.order_by("seq").values(*HASHED_FIELDS, "entry_hash")
    for row in rows.iterator(chunk_size=2000):
        count += 1
        if progress is not None and count % _PROGRESS_EVERY == 0:
            progress(count)
        if row["seq"] != expected_seq:
            return ChainReport(
                False,
                count,
                expected_seq,
                f"缺少第 {expected_seq} 条记录",
                "gap",
                f"第 {expected_seq} 条",
                f"第 {row['seq']} 条",
            )
        fields = {name: row[name] for name in HASHED_FIELDS}
        if row["prev_hash"] != prev_hash:
            moved_from = _intact_elsewhere(fields, row["entry_hash"])
            if moved_from is not None:
                return ChainReport(
                    False,
                    count,
                    row["seq"],
                    f"本条是原第 {moved_from} 条，内容完好但顺序被调换",
                    "reordered",
                    f"第 {moved_from} 条",
                    f"第 {row['seq']} 条",
                )
            return ChainReport(
                False,
                count,
                row["seq"],
                "与前一条记录的链接不符",
                "changed",
                prev_hash,
                row["prev_hash"],
            )
        recomputed = chain.entry_hash(**fields)
        if recomputed != row["entry_hash"]:
            return ChainReport(
                False,
                count,
                row["seq"],
                "记录内容与其哈希不符",
                "changed",
                row["entry_hash"],
                recomputed,
            )
        prev_hash = row["entry_hash"]
        expected_seq += 1
    if progress is not None:
        progress(count)
    return ChainReport(True, count)


def _intact_elsewhere(fields: dict, entry_hash: str) -> int | None:
    """The position an entry was written at, when it is intact but has been moved:
    its hash matches its fields with the number that follows the entry its link
    names. ``None`` when it was changed rather than moved."""
    if fields["prev_hash"] == chain.GENESIS_HASH:
        origin = 1
    else:
        before = (
            LedgerEntry.objects.filter(entry_hash=fields["prev_hash"])
            .values_list("seq", flat=True)
            .first()
        )
        if before is None:
            return None
        origin = before + 1
    if origin == fields["seq"]:
        return None
    return origin if chain.entry_hash(**{**fields, "seq": origin}) == entry_hash else None


def entry_leaves(*, after: int = 0, upto: int | None = None, stop_at_gap: bool = False):
    """The Merkle leaf hashes of entries ``after + 1`` … ``upto`` (to the head when
    None), in order: ``merkle.leaf_hash`` of each entry's canonical bytes.

    Leaf i must be entry i + 1, or the tree would not commit to ``seq``: a
    missing entry raises, or ends the leaves when ``stop_at_gap``.
    """
    rows = LedgerEntry.objects.filter(seq__gt=after).order_by("seq").values(*HASHED_FIELDS)
    if upto is not None:
        rows = rows.filter(seq__lte=upto)
    expected = after + 1
    for row in rows.iterator(chunk_size=2000):
        if row["seq"] != expected:
            if stop_at_gap:
                return
            raise ValueError(f"缺少第 {expected} 条记录")
        yield merkle.leaf_hash(chain.canonical(**row))
        expected += 1


def ledger_root(size: int | None = None) -> tuple[int, bytes]:
    """The RFC 9162 Merkle root over the first ``size`` entries (all when None),
    recomputed from the entries as they are now."""
    head = LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    if size is None:
        size = head
    if not 0 <= size <= head:
        raise ValueError(f"the ledger has {head} entries, not {size}")
    leaves = list(entry_leaves(upto=size))
    if len(leaves) != size:
        raise ValueError(f"缺少第 {len(leaves) + 1} 条记录")
    return size, merkle.root(leaves)


def entries_for(obj) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(
        object_type=f"{obj._meta.app_label}.{obj._meta.model_name}", object_id=str(obj.pk)
    )


# How each kind of finding is named to a person (``zhifa verify``, the supervisor's page).
FINDING_KINDS = {
    "changed": "被改动",
    "missing": "缺失",
    "untracked": "未经登记写入",
    "reordered": "顺序被调换",
    "gap": "断号",
    "proof_invalid": "证明不成立",
    "signature_invalid": "签名无效",
}


@dataclass(frozen=True)
class Finding:
    """One thing ``zhifa ledger verify`` found wrong, named precisely."""

    # changed | missing | untracked (a row the ledger never recorded) | reordered
    # (intact, but not where it was recorded) | gap | proof_invalid | signature_invalid
    kind: str
    object: str
    message: str
    expected: str = ""
    found: str = ""
    chunk: int | None = None  # for a stored file: the first differing chunk, from 1
    path: str | None = None  # the file or storage key concerned, where there is one
    # Who made the last legitimate change to the object, and when (REC-12): the
    # person answerable for its state before it was tampered with.
    actor: str = ""

    def as_dict(self) -> dict:
        """The JSON form ``zhifa verify --json`` prints and a verification run keeps."""
        return asdict(self)


class RecomputedTree:
    """Every perfect subtree hash of the Merkle tree over the entries as they are
    now, up to the first gap: one pass over the entries and N - 1 node hashes.

    Any prefix's root is then O(log N) (``root``), so checking C checkpoints
    costs O(N + C log N) instead of a full root per checkpoint; the stored
    ``MerkleNode`` rows are held against ``levels`` by ``merkle_node_audit``.
    It keeps about 2N hashes in memory.
    """

    def __init__(self, leaves: list[bytes]):
        self.levels: list[list[bytes]] = [leaves]
        below = leaves
        while len(below) > 1:
            below = [merkle.node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            self.levels.append(below)

    def __len__(self) -> int:
        return len(self.levels[0])

    def node(self, level: int, index: int) -> bytes | None:
        if level < len(self.levels) and index < len(self.levels[level]):
            return self.levels[level][index]
        return None

    def root(self, size: int) -> bytes:
        """``merkle.root`` of the first ``size`` (<= len) leaves."""
        from zhifa.ledger import tree

        if size == 0:
            return merkle.EMPTY_ROOT
        return tree.range_hash((0, size), lambda key: self.node(*key))


def recomputed_tree() -> RecomputedTree:
    """The tree over the entries as they are now, up to the first gap (the chain
    check names the gap; roots past it cannot match)."""
    return RecomputedTree(list(entry_leaves(stop_at_gap=True)))


def checkpoint_audit(*, recomputed: RecomputedTree | None = None) -> list[Finding]:
    """Check every checkpoint: its signature, its root against the entries as
    they are now, and its copy outside the database.

    ``recomputed`` lets the full audit share one pass over the entries with
    ``merkle_node_audit``; by default the entries are read here.
    """
    from zhifa.ledger import checkpoint_store
    from zhifa.ledger.models import LedgerCheckpoint
    from zhifa.ledger.signing import ledger_verifiers

    verifiers = ledger_verifiers()
    findings: list[Finding] = []
    # Named "leaves" for the calls below: it has the length and prefix roots
    # they need, never the stored nodes, so a rewritten entry still shows.
    leaves = recomputed if recomputed is not None else recomputed_tree()
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
            findings.append(Finding("missing", path, f"{name}在库外的副本缺失", path=path))
        elif copy != checkpoint.note:
            findings.append(Finding("changed", path, f"{name}与库外副本不一致", path=path))
            # What was signed is in the copy: hold the entries against it too.
            findings += _signed_root_findings(f"{name}（库外副本）", copy, verifiers, leaves)
        findings += _signed_root_findings(name, checkpoint.note, verifiers, leaves, checkpoint)
        findings += _timestamp_findings(name, checkpoint)
    return findings


def _timestamp_findings(name: str, checkpoint) -> list[Finding]:
    """With ``ZHIFA_TSA_CA_FILE`` set, every checkpoint has a valid RFC 3161 token
    over its note, stamped no earlier than it was issued (INF-05)."""
    from datetime import timedelta

    from django.conf import settings

    from zhifa.ledger import checkpoint_store, timestamp

    if not settings.ZHIFA_TSA_CA_FILE:
        return []
    path = str(checkpoint_store.token_path_for(checkpoint.size))
    token = checkpoint_store.read_token(checkpoint.size)
    if token is None:
        return [Finding("missing", path, f"{name}没有可信时间戳（RFC 3161）", path=path)]
    try:
        stamped = timestamp.verify(checkpoint.note.encode(), token)
    except timestamp.TimestampError as exc:
        return [Finding("signature_invalid", path, f"{name}的可信时间戳无效：{exc}", path=path)]
    if stamped < checkpoint.issued_at - timedelta(minutes=5):
        return [
            Finding(
                "changed",
                path,
                f"{name}的时间戳早于签发时间",
                expected=f"{checkpoint.issued_at:%Y-%m-%d %H:%M:%S}",
                found=f"{stamped:%Y-%m-%d %H:%M:%S}",
                path=path,
            )
        ]
    return []


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
        now = leaves.root(signed.size)
        if now != signed.root:
            findings.append(
                Finding(
                    "proof_invalid",
                    name,
                    f"台账前 {signed.size} 条记录与{name}签署时不同（一致性证明不成立）",
                    signed.root.hex(),
                    now.hex(),
                )
            )
    return findings


def merkle_node_audit(*, recomputed: RecomputedTree | None = None) -> list[Finding]:
    """Hold every stored ``MerkleNode`` against the tree recomputed from the
    entries as they are now, and name each one that differs.

    A rewritten entry makes its stored leaf and every stored ancestor differ;
    only the lowest is named, since the rest follow from it. A node above the
    recomputed tree (entries removed) is not named: the chain check names the
    gap, and stored proofs past it fail on their own.
    """
    from zhifa.ledger.models import MerkleNode

    tree_now = recomputed if recomputed is not None else recomputed_tree()
    findings: list[Finding] = []
    differing: set[tuple[int, int]] = set()
    rows = MerkleNode.objects.order_by("level", "index").values_list("level", "index", "hash")
    for level, index, stored in rows.iterator(chunk_size=2000):
        now = tree_now.node(level, index)
        if now is None or now.hex() == stored:
            continue
        differing.add((level, index))
        if level == 0:
            name = f"台账第 {index + 1} 条的默克尔叶"
            message = f"台账第 {index + 1} 条与其存储的默克尔叶哈希不符"
        elif (level - 1, 2 * index) in differing or (level - 1, 2 * index + 1) in differing:
            continue
        else:
            name = f"默克尔节点 {level}/{index}"
            message = f"{name}与台账记录重新计算的哈希不符"
        findings.append(Finding("changed", name, message, stored, now.hex()))
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
        return [
            Finding(
                "missing",
                stored_file.storage_key,
                f"{name}缺失",
                stored_file.sha256,
                path=stored_file.storage_key,
            )
        ]
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
                path=stored_file.storage_key,
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
            path=stored_file.storage_key,
        )
    ]


def stored_files_audit(*, progress: Callable[[int], None] | None = None) -> list[Finding]:
    """``file_verify`` over every stored evidence file; ``progress(n)`` after each."""
    from zhifa.ledger.models import StoredFile

    findings: list[Finding] = []
    for done, stored_file in enumerate(
        StoredFile.objects.order_by("id").iterator(chunk_size=500), start=1
    ):
        findings += file_verify(stored_file)
        if progress is not None:
            progress(done)
    return findings


# --- The full verification (REC-11, REC-12) -------------------------------------


@dataclass(frozen=True)
class AuditResult:
    """What one full verification checked and found."""

    started_at: datetime
    finished_at: datetime
    entries: int
    checkpoints: int
    files: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


# ``progress(phase, done, total)``: phase is chain, checkpoints or files.
AuditProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class AuditScope:
    """What a check covers: everything (the defaults), or one case — its rows,
    and the evidence files whose SHA-256 its ledger entries name."""

    case: object | None = None  # cases.Case
    sha256s: frozenset[str] | None = None

    def covers_file(self, sha256: str) -> bool:
        return self.sha256s is None or sha256 in self.sha256s


EVERYTHING = AuditScope()
RowAudit = Callable[[AuditScope], list[Finding]]
_ROW_AUDITS: list[RowAudit] = []


def row_audit(fn: RowAudit) -> RowAudit:
    """Register a check of an app's rows against the ledger entries that recorded
    them (for example: each case record's digest). ``ledger_audit`` runs them over
    everything, the one-case check over that case's rows."""
    if fn not in _ROW_AUDITS:
        _ROW_AUDITS.append(fn)
    return fn


def row_audits(scope: AuditScope = EVERYTHING) -> list[Finding]:
    findings: list[Finding] = []
    for audit in _ROW_AUDITS:
        findings += audit(scope)
    return findings


def who_and_when(actor_name: str, recorded_at, seq: int) -> str:
    """How a finding names the last legitimate change: who, when, which entry."""
    when = timezone.localtime(recorded_at)
    return f"{actor_name or '系统'}，{when:%Y-%m-%d %H:%M}，台账第 {seq} 条"


@row_audit
def stored_file_rows_audit(scope: AuditScope = EVERYTHING) -> list[Finding]:
    """Each evidence file's row against the ``file.store`` entry that recorded it:
    a row removed, added, or with a size, name or digest changed (the file check
    re-hashes the object against the row, so it cannot see a row and object
    both gone, or a field it does not hash)."""
    from zhifa.ledger.evidence import object_key
    from zhifa.ledger.models import StoredFile

    recorded: dict[str, dict] = {}
    by: dict[str, str] = {}
    entries = (
        LedgerEntry.objects.filter(object_type="ledger.storedfile", action="file.store")
        .order_by("seq")
        .values_list("object_id", "payload", "actor_name", "recorded_at", "seq")
    )
    for object_id, payload, actor_name, at, seq in entries.iterator(chunk_size=5000):
        if object_id not in recorded and scope.covers_file(payload.get("sha256") or ""):
            recorded[object_id] = payload  # the first: the one that stored it
            by[object_id] = who_and_when(actor_name, at, seq)
    findings = []
    seen = set()
    rows = StoredFile.objects.order_by("pk")
    if scope.sha256s is not None:
        rows = rows.filter(sha256__in=scope.sha256s)
    for row in rows.iterator(chunk_size=2000):
        key = str(row.pk)
        seen.add(key)
        name = f"证据文件 {row.original_name}（{row.storage_key}）"
        payload = recorded.get(key)
        if payload is None:
            findings.append(
                Finding(
                    "untracked",
                    row.storage_key,
                    f"{name}：台账中没有它的存证登记，系绕过系统写入。",
                    path=row.storage_key,
                )
            )
            continue
        expected = {
            "sha256": payload.get("sha256"),
            "sm3": payload.get("sm3"),
            "size": payload.get("size"),
            "chunk_size": payload.get("chunk_size"),
            "chunks": payload.get("chunks"),
            "name": payload.get("name"),
            "storage_key": object_key(payload.get("sha256") or ""),
        }
        found = {
            "sha256": row.sha256,
            "sm3": row.sm3,
            "size": row.size,
            "chunk_size": row.chunk_size,
            "chunks": len(row.chunk_sha256 or []),
            "name": row.original_name,
            "storage_key": row.storage_key,
        }
        differ = [field for field in expected if expected[field] != found[field]]
        if differ:
            findings.append(
                Finding(
                    "changed",
                    row.storage_key,
                    f"{name}：{'、'.join(differ)}与台账存证登记不符，记录已被修改。",
                    expected="; ".join(f"{f}={expected[f]}" for f in differ),
                    found="; ".join(f"{f}={found[f]}" for f in differ),
                    path=row.storage_key,
                    actor=by[key],
                )
            )
    for key in recorded.keys() - seen:
        storage_key = object_key(recorded[key].get("sha256") or "")
        findings.append(
            Finding(
                "missing",
                f"证据文件 #{key}",
                f"证据文件 #{key}（{storage_key}）：台账中有存证登记，数据库中已被删除。",
                expected=recorded[key].get("sha256") or "",
                path=storage_key,
                actor=by[key],
            )
        )
    return findings


def ledger_audit(*, progress: AuditProgress | None = None) -> AuditResult:
    """The whole check behind ``zhifa verify`` and the supervisor's page: the hash
    chain, every signed checkpoint, every stored evidence file, and the rows
    that apps check against their ledger entries (``row_audit``)."""
    from zhifa.ledger.models import LedgerCheckpoint, StoredFile

    def report(phase: str, total: int) -> Callable[[int], None] | None:
        if progress is None:
            return None
        return lambda done: progress(phase, done, total)

    started_at = timezone.now()
    # Counted first, so a progress bar has its end; entries appended while the
    # chain is walked are checked too, and counted below.
    total = LedgerEntry.objects.count()
    if progress is not None:
        progress("chain", 0, total)
    chain_report = ledger_verify(progress=report("chain", total))
    findings = [] if chain_report.ok else [chain_finding(chain_report)]

    checkpoints = LedgerCheckpoint.objects.count()
    if progress is not None:
        progress("checkpoints", 0, checkpoints)
    # One pass over the entries serves every checkpoint and the stored nodes.
    recomputed = recomputed_tree()
    findings += checkpoint_audit(recomputed=recomputed)
    findings += merkle_node_audit(recomputed=recomputed)
    del recomputed  # about 2N hashes; the file check below needs none of them
    if progress is not None:
        progress("checkpoints", checkpoints, checkpoints)

    files = StoredFile.objects.count()
    if progress is not None:
        progress("files", 0, files)
    findings += stored_files_audit(progress=report("files", files))
    findings += row_audits()
    return AuditResult(
        started_at=started_at,
        finished_at=timezone.now(),
        entries=max(total, chain_report.entries),
        checkpoints=checkpoints,
        files=files,
        findings=findings,
    )


def chain_finding(report: ChainReport) -> Finding:
    name = f"台账第 {report.first_bad_seq} 条"
    return Finding(report.kind, name, f"{name}：{report.reason}", report.expected, report.found)


# --- The supervisor's view of the ledger ------------------------------------------


def ledger_supervised_by(actor) -> bool:
    """Whether ``actor`` may see the ledger's state: the supervisors of a 司法局
    and the system administrators. Everyone else is shown a 404."""
    from zhifa.accounts.selectors import is_sysadmin, supervised_region

    return is_sysadmin(actor) or supervised_region(actor) is not None


@dataclass(frozen=True)
class LedgerState:
    size: int
    last_checkpoint: object | None  # LedgerCheckpoint
    last_run: object | None  # VerificationRun
    verifier_key: str


def ledger_state(*, actor) -> LedgerState | None:
    """The ledger's size, last checkpoint, verifier key and last full
    verification; ``None`` for whom may not see it."""
    from zhifa.ledger.models import LedgerCheckpoint, VerificationRun
    from zhifa.ledger.signing import ledger_signer

    if not ledger_supervised_by(actor):
        return None
    return LedgerState(
        size=LedgerEntry.objects.count(),
        last_checkpoint=LedgerCheckpoint.objects.order_by("-size").first(),
        last_run=VerificationRun.objects.order_by("-started_at", "-id").first(),
        verifier_key=ledger_signer().verifier_key(),
    )


def verification_run_list(*, actor) -> QuerySet:
    from zhifa.ledger.models import VerificationRun

    runs = VerificationRun.objects.order_by("-started_at", "-id")
    return runs if ledger_supervised_by(actor) else runs.none()
