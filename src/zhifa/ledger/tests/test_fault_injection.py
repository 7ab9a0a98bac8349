"""Fault injection (REC-11): random single changes to a small demo-like world —
a byte of a stored file, a field of a row, a deleted, inserted or swapped row,
a replaced, renamed or removed file — and ``zhifa verify``'s audit must name
every one, and nothing in the untouched world.

The world is built once; each fault is applied inside a savepoint that is
rolled back afterwards, and files are put back from their original bytes.
"""

from __future__ import annotations

import io
import os
import random
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from zhifa.cases.models import Case, CaseOfficer, Party, Record, Signature, Stage
from zhifa.cases.testing import add, advance_to, open_case
from zhifa.cases.testing import team as make_team
from zhifa.ledger import checkpoint_store, evidence
from zhifa.ledger.models import LedgerCheckpoint, LedgerEntry, MerkleNode, StoredFile
from zhifa.ledger.selectors import (
    checkpoint_audit,
    ledger_audit,
    ledger_verify,
    merkle_node_audit,
    row_audits,
    stored_files_audit,
)
from zhifa.ledger.services import checkpoint_issue, file_store
from zhifa.ledger.tests.tampering import (
    FileFaults,
    append_events,
    behind_the_guard,
    chain_findings,
    without_the_guard,
)

pytestmark = pytest.mark.django_db

ITERATIONS = int(os.environ.get("FAULTS", 1000))
FULL_EVERY = 8  # every 8th fault goes through the whole ledger_audit()
SEED = 20261123


class Rollback(Exception):
    pass


# --- The world ---------------------------------------------------------------------


def _build_world(build, county):
    team = make_team(build, county.market)
    cases = [open_case(team, title=f"第{i}号示范案") for i in range(3)]
    cases[0] = advance_to(team, cases[0], Stage.INVESTIGATION)
    cases[1] = advance_to(team, cases[1], Stage.INVESTIGATION)
    for kind in ("interview", "onsite_inspection"):
        add(team, cases[1], kind)
    append_events(3)
    checkpoint_issue()
    rng = random.Random(7)
    for i, size in enumerate((0, 1, 4096, 4097, 3 * 4096 + 11, 20000)):
        data = bytes(rng.getrandbits(8) for _ in range(size))
        file_store(
            actor=team.lead,
            stream=io.BytesIO(data),
            original_name=f"证据{i}.bin",
            content_type="application/octet-stream",
        )
    add(team, cases[0], "interview")
    append_events(2)
    checkpoint_issue()  # at the head, so that a removed last entry is named too
    return team


@pytest.fixture
def world(build, county, settings):
    settings.ZHIFA_EVIDENCE_CHUNK_BYTES = 4096  # several chunks from small files
    return _build_world(build, county)


# --- Faults ------------------------------------------------------------------------
# Each fault changes one thing and returns (targets, audits): the names a finding
# must carry (its object, its object up to "（", or its path) and the component
# audits that cover it.

CHAIN = "chain"
CHECKPOINTS = "checkpoints"
NODES = "nodes"
FILES = "files"
ROWS = "rows"


def _entry(seq):
    return f"台账第 {seq} 条"


def _record(pk):
    return f"执法记录 #{pk}"


def _checkpoint(size):
    return f"检查点 {size}"


def _checkpoint_path(size):
    return str(checkpoint_store.path_for(size))


def _head():
    return LedgerEntry.objects.order_by("-seq").values_list("seq", flat=True).first()


def _covering_checkpoints(seq):
    """The checkpoints that signed the last entry ``seq``: removed, it leaves no gap
    in the chain, and they are what names it. (Any other entry must be named by
    the chain check itself.)"""
    if seq != _head():
        return []
    return [
        _checkpoint(s)
        for s in LedgerCheckpoint.objects.filter(size__gte=seq).values_list("size", flat=True)
    ]


def _other(rng, value, choices):
    return rng.choice([c for c in choices if c != value])


def ledger_field(rng, files):
    seq = rng.randint(1, _head())
    row = LedgerEntry.objects.get(seq=seq)
    name = rng.choice(
        [
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
            "entry_hash",
            "seq",
        ]
    )
    targets = [_entry(seq)]
    if name == "seq":
        value = _head() + rng.randint(1, 100)
        targets += _covering_checkpoints(seq)  # the last entry moved away leaves no gap
    else:
        value = _changed(rng, name, getattr(row, name))
    with without_the_guard():
        LedgerEntry.objects.filter(seq=seq).update(**{name: value})
    return f"ledger_field.{name}", targets, (CHAIN, CHECKPOINTS)


def _changed(rng, name, value):
    if name == "recorded_at":
        return value + timedelta(microseconds=rng.choice([1, -1]) * rng.randint(1, 10**6))
    if name in ("actor_id", "agency_id"):
        return (value or 0) + rng.randint(1, 1000)
    if name == "payload":
        return {**value, "forged": rng.randint(0, 10**6)}
    if name in ("prev_hash", "entry_hash"):
        return _flip_hex(rng, value)
    return (value or "") + rng.choice(["x", "改", " "])


def _flip_hex(rng, value):
    i = rng.randrange(len(value))
    return value[:i] + _other(rng, value[i], "0123456789abcdef") + value[i + 1 :]


def ledger_deleted(rng, files):
    seq = rng.randint(1, _head())
    targets = [_entry(seq), *_covering_checkpoints(seq)]
    behind_the_guard("DELETE FROM ledger_entry WHERE seq = %s", [seq])
    return "ledger_deleted", targets, (CHAIN, CHECKPOINTS)


def ledger_inserted(rng, files):
    """A row added by hand past the head: right after it with a broken link, or
    further on (a gap), its hash made up or computed over its fields.

    Not among them: an entry appended right after the head with a correct link
    and hash: that is what a legitimate append looks like, so the chain cannot
    tell (where its object disagrees with the rows, a row audit names it)."""
    from zhifa.ledger import chain

    head = _head()
    seq = head + rng.choice([1, 1, 2, 50])
    last = LedgerEntry.objects.get(seq=head)
    fields = {
        "seq": seq,
        "recorded_at": last.recorded_at + timedelta(seconds=1),
        "action": "record.add",
        "actor_id": last.actor_id,
        "actor_name": last.actor_name,
        "agency_id": last.agency_id,
        "object_type": "test.forged",
        "object_id": str(rng.randint(1, 99)),
        "object_repr": "forged",
        "payload": {},
        "prev_hash": rng.choice([_flip_hex(rng, last.entry_hash), "0" * 64]),
    }
    if seq != head + 1:
        fields["prev_hash"] = last.entry_hash
    entry_hash = rng.choice([chain.entry_hash(**fields), _flip_hex(rng, last.entry_hash)])
    LedgerEntry.objects.create(**fields, entry_hash=entry_hash)  # INSERT is not guarded
    first_bad = head + 1
    return "ledger_inserted", [_entry(first_bad)], (CHAIN,)


def ledger_swapped(rng, files):
    a, b = sorted(rng.sample(range(1, _head() + 1), 2))
    swap_rows("ledger_entry", "seq", a, b, park=-a)
    return "ledger_swapped", [_entry(a), _entry(b)], (CHAIN,)


def swap_rows(table, key, a, b, *, park):
    """Swap two rows' ``key`` values, by way of ``park`` (a value no row has)."""
    with without_the_guard(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {key} = %s WHERE {key} = %s", [park, a])
        cursor.execute(f"UPDATE {table} SET {key} = %s WHERE {key} = %s", [a, b])
        cursor.execute(f"UPDATE {table} SET {key} = %s WHERE {key} = %s", [b, park])


def record_field(rng, files):
    record = rng.choice(list(Record.objects.all()))
    name = rng.choice(
        ["content", "place", "occurred_at", "kind", "stage", "case_id", "digest", "created_by_id"]
    )
    if name == "content":
        content = dict(record.content)
        key = rng.choice([*content, "forged"])
        content[key] = f"{content.get(key, '')}改"
        Record.objects.filter(pk=record.pk).update(content=content)
    elif name == "occurred_at":
        value = record.occurred_at + timedelta(seconds=rng.choice([-1, 1]) * rng.randint(1, 10**5))
        Record.objects.filter(pk=record.pk).update(occurred_at=value)
    elif name == "kind":
        Record.objects.filter(pk=record.pk).update(
            kind=_other(rng, record.kind, ["interview", "onsite_inspection", "decision", "x"])
        )
    elif name == "stage":
        Record.objects.filter(pk=record.pk).update(stage=_other(rng, record.stage, Stage.values))
    elif name == "case_id":
        other = _other(
            rng, record.case_id, list(Case.objects.order_by("pk").values_list("pk", flat=True))
        )
        Record.objects.filter(pk=record.pk).update(case_id=other)
    elif name == "digest":
        Record.objects.filter(pk=record.pk).update(digest=_flip_hex(rng, record.digest))
    elif name == "created_by_id":
        from django.contrib.auth import get_user_model

        users = list(get_user_model().objects.order_by("pk").values_list("pk", flat=True))
        Record.objects.filter(pk=record.pk).update(
            created_by_id=_other(rng, record.created_by_id, users)
        )
    else:
        Record.objects.filter(pk=record.pk).update(place=record.place + "改")
    return f"record_field.{name}", [_record(record.pk)], (ROWS,)


def record_deleted(rng, files):
    record = rng.choice(list(Record.objects.all()))
    # Foreign keys are checked at commit (deferred), and this never commits.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_record WHERE id = %s", [record.pk])
    return "record_deleted", [_record(record.pk)], (ROWS,)


def record_inserted(rng, files):
    model = rng.choice(list(Record.objects.all()))
    model.pk = None
    model.occurred_at += timedelta(minutes=rng.randint(1, 60))
    model.supersedes = None
    from zhifa.cases.services import record_digest

    model.digest = record_digest(model)  # made to look right
    model.save()
    return "record_inserted", [_record(model.pk)], (ROWS,)


def record_swapped(rng, files):
    a, b = rng.sample(list(Record.objects.order_by("pk")), 2)
    for one, other in ((a, b), (b, a)):
        Record.objects.filter(pk=one.pk).update(
            content=other.content, occurred_at=other.occurred_at, digest=other.digest
        )
    return "record_swapped", [_record(a.pk), _record(b.pk)], (ROWS,)


def case_stage(rng, files):
    case = rng.choice(list(Case.objects.all()))
    Case.objects.filter(pk=case.pk).update(stage=_other(rng, case.stage, Stage.values))
    return "case_stage", [f"执法案件 {case.number}"], (ROWS,)


def case_field(rng, files):
    case = rng.choice(list(Case.objects.all()))
    name, value = rng.choice(
        [
            ("title", case.title + "（改）"),
            ("procedure", _other(rng, case.procedure, ["ordinary", "simple", "fast"])),
            ("started_on", case.started_on - timedelta(days=rng.randint(1, 30))),
            ("source_detail", "改写的来源"),
            ("is_emergency", not case.is_emergency),
        ]
    )
    Case.objects.filter(pk=case.pk).update(**{name: value})
    return "case_field", [f"执法案件 {case.number}"], (ROWS,)


def party_field(rng, files):
    party = rng.choice(list(Party.objects.select_related("case")))
    name, value = rng.choice(
        [
            ("name", party.name + "某"),
            ("id_number", "110101199003070000"),
            ("credit_code", "91350100M000100Y43"),
            ("address", "另一个地址"),
            ("phone", "13800000000"),
            ("kind", _other(rng, party.kind, ["natural", "legal", "other_org"])),
        ]
    )
    Party.objects.filter(pk=party.pk).update(**{name: value})
    return "party_field", [f"当事人 #{party.pk}"], (ROWS,)


def party_deleted_or_inserted(rng, files):
    party = rng.choice(list(Party.objects.select_related("case")))
    if rng.random() < 0.5:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cases_party WHERE id = %s", [party.pk])
        return "party_deleted", [f"当事人 #{party.pk}"], (ROWS,)
    party.pk = None
    party.name = "凭空增加的当事人"
    party.save()
    return "party_inserted", [f"当事人 #{party.pk}"], (ROWS,)


def assignment_field(rng, files):
    assignment = rng.choice(list(CaseOfficer.objects.all()))
    name, value = rng.choice(
        [
            ("credential_number", assignment.credential_number + "9"),
            ("is_lead", not assignment.is_lead),
            ("released_at", None if assignment.released_at else timezone.now()),
        ]
    )
    CaseOfficer.objects.filter(pk=assignment.pk).update(**{name: value})
    return "assignment_field", [f"承办人员 #{assignment.pk}"], (ROWS,)


def signature_field(rng, files):
    signature = rng.choice(list(Signature.objects.all()))
    name, value = rng.choice(
        [
            ("name", signature.name + "代"),
            ("signed_at", signature.signed_at - timedelta(hours=rng.randint(1, 48))),
            # A refusal needs a witness (a database constraint): the other methods.
            ("method", _other(rng, signature.method, ["canvas", "scan"])),
            ("witness_name", "补写的见证人"),
        ]
    )
    Signature.objects.filter(pk=signature.pk).update(**{name: value})
    return "signature_field", [_record(signature.record_id)], (ROWS,)


def stored_file_field(rng, files):
    row = rng.choice(list(StoredFile.objects.exclude(size=0)))
    name = rng.choice(["sha256", "sm3", "chunk_sha256", "chunk_size", "storage_key", "size"])
    if name == "chunk_sha256":
        chunks = list(row.chunk_sha256)
        i = rng.randrange(len(chunks))
        chunks[i] = _flip_hex(rng, chunks[i])
        value = chunks
    elif name == "chunk_size":
        value = rng.choice([1024, 8192, 4095])
    elif name == "size":
        value = row.size + rng.choice([-1, 1, 4096])
    elif name == "storage_key":
        value = rng.choice([row.storage_key + "x", evidence.object_key("0" * 64)])
    else:
        value = _flip_hex(rng, getattr(row, name))
    with without_the_guard():
        StoredFile.objects.filter(pk=row.pk).update(**{name: value})
    targets = [row.storage_key, value] if name == "storage_key" else [row.storage_key]
    return f"stored_file_field.{name}", targets, (FILES, ROWS)


def stored_file_deleted(rng, files):
    row = rng.choice(list(StoredFile.objects.all()))
    behind_the_guard("DELETE FROM ledger_stored_file WHERE id = %s", [row.pk])
    return "stored_file_deleted", [row.storage_key], (FILES, ROWS)


def stored_file_inserted(rng, files):
    sha = "".join(rng.choice("0123456789abcdef") for _ in range(64))
    key = evidence.object_key(sha)
    template = rng.choice(list(StoredFile.objects.order_by("pk")))
    template.pk, template.sha256, template.storage_key = None, sha, key
    template.save()
    return "stored_file_inserted", [key], (FILES,)


def stored_files_swapped(rng, files):
    a, b = rng.sample(list(StoredFile.objects.exclude(size=0)), 2)
    swap_rows("ledger_stored_file", "storage_key", a.storage_key, b.storage_key, park="parked")
    return "stored_files_swapped", [a.storage_key, b.storage_key], (FILES,)


def file_byte(rng, files):
    row = rng.choice(list(StoredFile.objects.exclude(size=0)))
    path = files.evidence(row.storage_key)
    data = bytearray(files.take(path))
    i = rng.randrange(len(data))
    data[i] ^= rng.randint(1, 255)
    path.write_bytes(bytes(data))
    return "file_byte", [row.storage_key], (FILES,)


def file_truncated_or_grown(rng, files):
    row = rng.choice(list(StoredFile.objects.all()))
    path = files.evidence(row.storage_key)
    data = files.take(path)
    if data and rng.random() < 0.5:
        data = data[: rng.randrange(len(data))]
    else:
        data += bytes([rng.randint(0, 255)])
    path.write_bytes(data)
    return "file_length", [row.storage_key], (FILES,)


def file_removed(rng, files):
    row = rng.choice(list(StoredFile.objects.all()))
    path = files.evidence(row.storage_key)
    files.take(path)
    path.unlink()
    return "file_removed", [row.storage_key], (FILES,)


def file_renamed(rng, files):
    a, b = rng.sample(list(StoredFile.objects.all()), 2)
    path_a, path_b = files.evidence(a.storage_key), files.evidence(b.storage_key)
    files.take(path_a)
    if rng.random() < 0.5:
        # Renamed away.
        path_a.rename(path_a.with_name(path_a.name + ".old"))
        files.added(path_a.with_name(path_a.name + ".old"))
        return "file_renamed", [a.storage_key], (FILES,)
    # Two files swapped by renaming.
    files.take(path_b)
    data_a, data_b = path_a.read_bytes(), path_b.read_bytes()
    path_a.write_bytes(data_b)
    path_b.write_bytes(data_a)
    return "files_swapped", [a.storage_key, b.storage_key], (FILES,)


def checkpoint_file(rng, files):
    sizes = list(LedgerCheckpoint.objects.values_list("size", flat=True))
    size = rng.choice(sizes)
    path = Path(_checkpoint_path(size))
    original = files.take(path)
    how = rng.choice(["byte", "replaced", "removed", "renamed"])
    targets = [str(path)]
    if how == "byte":
        # An ASCII byte stays ASCII: a copy made undecodable crashes the audit
        # (see test_an_undecodable_checkpoint_copy_is_a_finding_not_a_crash).
        data = bytearray(original)
        i = rng.choice([i for i, byte in enumerate(data) if byte < 0x80])
        data[i] ^= rng.randint(1, 127)
        path.write_bytes(bytes(data))
    elif how == "replaced":
        other = _other(rng, size, sizes)
        path.write_bytes(Path(_checkpoint_path(other)).read_bytes())
    elif how == "removed":
        path.unlink()
    else:
        new = Path(_checkpoint_path(_free_size(rng)))
        path.rename(new)
        files.added(new)
    return f"checkpoint_file.{how}", targets, (CHECKPOINTS,)


def _free_size(rng):
    """A checkpoint size that neither the database nor the copies hold."""
    taken = set(LedgerCheckpoint.objects.values_list("size", flat=True))
    taken |= set(checkpoint_store.sizes())
    return rng.choice([size for size in range(1, 2000) if size not in taken])


def checkpoint_row(rng, files):
    checkpoint = rng.choice(list(LedgerCheckpoint.objects.all()))
    how = rng.choice(["note", "replaced", "root", "size", "deleted", "inserted"])
    targets = [_checkpoint(checkpoint.size), _checkpoint_path(checkpoint.size)]
    table = "ledger_checkpoint"
    if how == "note":
        note = checkpoint.note
        i = rng.randrange(len(note) - 1)
        forged = note[:i] + _other(rng, note[i], "ABCxyz019+/ \n") + note[i + 1 :]
        behind_the_guard(f"UPDATE {table} SET note = %s WHERE id = %s", [forged, checkpoint.pk])
    elif how == "replaced":
        other = rng.choice(list(LedgerCheckpoint.objects.exclude(pk=checkpoint.pk)))
        behind_the_guard(
            f"UPDATE {table} SET note = %s, root = %s WHERE id = %s",
            [other.note, other.root, checkpoint.pk],
        )
    elif how == "root":
        forged = _flip_hex(rng, checkpoint.root)
        behind_the_guard(f"UPDATE {table} SET root = %s WHERE id = %s", [forged, checkpoint.pk])
    elif how == "size":
        forged = _free_size(rng)
        behind_the_guard(f"UPDATE {table} SET size = %s WHERE id = %s", [forged, checkpoint.pk])
    elif how == "deleted":
        behind_the_guard(f"DELETE FROM {table} WHERE id = %s", [checkpoint.pk])
    else:
        forged = _free_size(rng)
        LedgerCheckpoint.objects.create(
            size=forged,
            root=checkpoint.root,
            note=checkpoint.note.replace(f"\n{checkpoint.size}\n", f"\n{forged}\n"),
            key_name=checkpoint.key_name,
            key_id=checkpoint.key_id,
            issued_at=checkpoint.issued_at,
        )
        targets = [_checkpoint(forged), _checkpoint_path(forged)]
    return f"checkpoint_row.{how}", targets, (CHECKPOINTS,)


def merkle_node(rng, files):
    node = rng.choice(list(MerkleNode.objects.all()))
    forged = _flip_hex(rng, node.hash)
    behind_the_guard("UPDATE ledger_merkle_node SET hash = %s WHERE id = %s", [forged, node.pk])
    if node.level == 0:
        target = f"台账第 {node.index + 1} 条的默克尔叶"
    else:
        target = f"默克尔节点 {node.level}/{node.index}"
    return "merkle_node", [target], (NODES,)


FAULTS = [
    ledger_field,
    ledger_deleted,
    ledger_inserted,
    ledger_swapped,
    record_field,
    record_deleted,
    record_inserted,
    record_swapped,
    case_stage,
    case_field,
    party_field,
    party_deleted_or_inserted,
    assignment_field,
    signature_field,
    stored_file_field,
    stored_file_deleted,
    stored_file_inserted,
    stored_files_swapped,
    file_byte,
    file_truncated_or_grown,
    file_removed,
    file_renamed,
    checkpoint_file,
    checkpoint_row,
    merkle_node,
]


# --- Running them ------------------------------------------------------------------


def _names(finding, targets) -> bool:
    for target in targets:
        if target in (finding.object, finding.path):
            return True
        if finding.object.startswith(f"{target}（"):
            return True
    return False


def _audit(audits, full: bool):
    if full:
        return ledger_audit().findings
    found = []
    if CHAIN in audits:
        found += chain_findings(ledger_verify())
    if CHECKPOINTS in audits or NODES in audits:
        found += checkpoint_audit()
        found += merkle_node_audit()
    if FILES in audits:
        found += stored_files_audit()
    if ROWS in audits:
        found += row_audits()
    return found


@pytest.mark.req("REC-11")
def test_every_random_single_fault_is_named_and_the_untouched_world_is_clean(world, settings):
    assert ledger_audit().findings == []
    files = FileFaults(settings.ZHIFA_EVIDENCE_DIR)
    rng = random.Random(SEED)
    counts: Counter = Counter()
    missed: list[str] = []
    full_runs = 0
    started = time.monotonic()
    for iteration in range(ITERATIONS):
        fault = FAULTS[iteration % len(FAULTS)] if iteration < len(FAULTS) else rng.choice(FAULTS)
        full = iteration % FULL_EVERY == 0
        try:
            with transaction.atomic():
                label, targets, audits = fault(rng, files)
                findings = _audit(audits, full)
                raise Rollback
        except Rollback:
            pass
        finally:
            files.restore()
        counts[label] += 1
        full_runs += full
        if not any(_names(f, targets) for f in findings):
            missed.append(f"#{iteration} {label} {targets}: {[f.object for f in findings]}")
        if iteration % 200 == 199:
            assert ledger_audit().findings == [], f"world not restored after #{iteration}"
    elapsed = time.monotonic() - started
    print(f"\n{ITERATIONS} faults in {elapsed:.1f}s, {full_runs} through ledger_audit()")
    for label, count in sorted(counts.items()):
        print(f"  {label}: {count}")
    assert not missed, "\n".join(missed)
    assert full_runs >= 100
    assert sum(counts.values()) >= 1000
    assert ledger_audit().findings == []


@pytest.mark.req("REC-11")
def test_an_undecodable_checkpoint_copy_is_a_finding_not_a_crash(sysadmin):
    append_events(3)
    checkpoint = checkpoint_issue()
    path = checkpoint_store.path_for(checkpoint.size)
    os.chmod(path, 0o644)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\n\xdb", 1))
    findings = checkpoint_audit()
    assert str(path) in [f.path for f in findings]
