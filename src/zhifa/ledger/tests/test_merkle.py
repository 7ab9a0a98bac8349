"""The RFC 9162 Merkle tree (``zhifa.ledger.merkle``), proven against the
transparency-dev/merkle test vectors in ``merkle_vectors/`` and by properties
over random trees, and the ledger's root (``ledger_root``)."""

import base64
import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhifa.ledger import chain, merkle
from zhifa.ledger.merkle import ProofError
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import ledger_root
from zhifa.ledger.tests.tampering import append_events, behind_the_guard

VECTORS = Path(__file__).parent / "merkle_vectors"
INCLUSION = sorted((VECTORS / "inclusion").rglob("*.json"))
CONSISTENCY = sorted((VECTORS / "consistency").rglob("*.json"))

# The eight leaves of the RFC 6962 reference tree, from which the vectors are built.
RFC6962_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]


def _id(path: Path) -> str:
    return path.relative_to(VECTORS).as_posix()


def _b64(value: str | None) -> bytes:
    # The vectors are Go structs marshalled to JSON: a nil []byte is null.
    return base64.b64decode(value) if value else b""


def _proof(vector: dict) -> list[bytes]:
    # A nil proof (null or absent) is an empty one.
    return [_b64(p) for p in vector.get("proof") or []]


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _verify_inclusion_vector(v: dict) -> None:
    merkle.verify_inclusion(
        index=v.get("leafIdx", 0),
        size=v.get("treeSize", 0),
        leaf_hash=_b64(v.get("leafHash")),
        proof=_proof(v),
        root=_b64(v.get("root")),
    )


def _verify_consistency_vector(v: dict) -> None:
    merkle.verify_consistency(
        old_size=v.get("size1", 0),
        new_size=v.get("size2", 0),
        old_root=_b64(v.get("root1")),
        new_root=_b64(v.get("root2")),
        proof=_proof(v),
    )


def test_the_vectors_are_all_there():
    # An empty glob would silently parametrize nothing.
    assert (len(INCLUSION), len(CONSISTENCY)) == (98, 98)


@pytest.mark.parametrize("path", INCLUSION, ids=_id)
def test_inclusion_vector(path):
    vector = _load(path)
    if vector["wantErr"]:
        with pytest.raises(ProofError):
            _verify_inclusion_vector(vector)
    else:
        _verify_inclusion_vector(vector)


@pytest.mark.parametrize("path", CONSISTENCY, ids=_id)
def test_consistency_vector(path):
    vector = _load(path)
    if vector["wantErr"]:
        with pytest.raises(ProofError):
            _verify_consistency_vector(vector)
    else:
        _verify_consistency_vector(vector)


def test_the_reference_tree_has_the_published_root():
    leaves = [merkle.leaf_hash(d) for d in RFC6962_LEAVES]
    assert merkle.root(leaves).hex() == (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    )
    assert merkle.root([]) == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("path", [p for p in INCLUSION if p.name == "happy-path.json"], ids=_id)
def test_inclusion_proof_reproduces_the_vector(path):
    v = _load(path)
    leaves = [merkle.leaf_hash(d) for d in RFC6962_LEAVES[: v["treeSize"]]]
    assert leaves[v["leafIdx"]] == _b64(v["leafHash"])
    assert merkle.root(leaves) == _b64(v["root"])
    assert merkle.inclusion_proof(leaves, v["leafIdx"]) == _proof(v)


@pytest.mark.parametrize("path", [p for p in CONSISTENCY if p.name == "happy-path.json"], ids=_id)
def test_consistency_proof_reproduces_the_vector(path):
    v = _load(path)
    leaves = [merkle.leaf_hash(d) for d in RFC6962_LEAVES[: v["size2"]]]
    assert merkle.root(leaves[: v["size1"]]) == _b64(v["root1"])
    assert merkle.root(leaves) == _b64(v["root2"])
    assert merkle.consistency_proof(leaves, v["size1"]) == _proof(v)


def test_generators_refuse_impossible_arguments():
    leaves = [merkle.leaf_hash(b"a"), merkle.leaf_hash(b"b")]
    for index in (-1, 2):
        with pytest.raises(ValueError, match="outside"):
            merkle.inclusion_proof(leaves, index)
    for old_size in (0, 3):
        with pytest.raises(ValueError, match="old size"):
            merkle.consistency_proof(leaves, old_size)


# --- Properties over random trees --------------------------------------------------


@st.composite
def trees(draw) -> list[bytes]:
    """1–200 distinct leaf hashes: with two equal leaves, a proof for one can honestly
    verify as a proof for the other, so "wrong index is rejected" would not hold."""
    n = draw(st.integers(1, 200))
    salt = draw(st.binary(max_size=8))
    return [merkle.leaf_hash(salt + i.to_bytes(2, "big")) for i in range(n)]


def _flips(proof: list[bytes]):
    """Every proof with exactly one bit of one element flipped."""
    for i, element in enumerate(proof):
        for bit in range(len(element) * 8):
            changed = bytearray(element)
            changed[bit // 8] ^= 1 << (bit % 8)
            yield [*proof[:i], bytes(changed), *proof[i + 1 :]]


@settings(max_examples=30, deadline=None)
@given(trees())
def test_every_inclusion_proof_verifies(leaves):
    root = merkle.root(leaves)
    for index, leaf in enumerate(leaves):
        proof = merkle.inclusion_proof(leaves, index)
        merkle.verify_inclusion(
            index=index, size=len(leaves), leaf_hash=leaf, proof=proof, root=root
        )


@settings(max_examples=30, deadline=None)
@given(trees())
def test_every_consistency_proof_verifies(leaves):
    roots = [merkle.root(leaves[:m]) for m in range(len(leaves) + 1)]
    n = len(leaves)
    for m in range(1, n + 1):
        proof = merkle.consistency_proof(leaves, m)
        merkle.verify_consistency(
            old_size=m, new_size=n, old_root=roots[m], new_root=roots[n], proof=proof
        )


@settings(max_examples=40, deadline=None)
@given(trees(), st.data())
def test_a_tampered_inclusion_proof_is_rejected(all_leaves, data):
    # The proof is for a prefix of the leaves, so that larger wrong sizes have a
    # root of their own to be checked against.
    size = data.draw(st.integers(1, len(all_leaves)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    leaves = all_leaves[:size]
    root = merkle.root(leaves)
    proof = merkle.inclusion_proof(leaves, index)
    good = {"index": index, "size": size, "leaf_hash": leaves[index], "root": root}

    def rejected(**changes):
        with pytest.raises(ProofError):
            merkle.verify_inclusion(**{"proof": proof, **good, **changes})

    for bad in _flips(proof):
        rejected(proof=bad)
    for other in range(size):
        if other != index:
            rejected(index=other)
    for other in range(index + 1, len(all_leaves) + 1):
        # Checked against the true root of that size: a proof for one tree head
        # must not pass for another.
        if other != size:
            rejected(size=other, root=merkle.root(all_leaves[:other]))
    rejected(index=size)
    rejected(size=0)
    rejected(proof=[*proof, root])
    if proof:
        rejected(proof=proof[:-1])
        rejected(proof=proof[1:])
        rejected(proof=[proof[0][:-1], *proof[1:]])
    rejected(leaf_hash=merkle.leaf_hash(b"not in the tree"))
    rejected(root=root[:-1])


@settings(max_examples=40, deadline=None)
@given(trees(), st.data())
def test_a_tampered_consistency_proof_is_rejected(all_leaves, data):
    n = data.draw(st.integers(1, len(all_leaves)), label="new size")
    m = data.draw(st.integers(1, n), label="old size")
    roots = [merkle.root(all_leaves[:k]) for k in range(len(all_leaves) + 1)]
    proof = merkle.consistency_proof(all_leaves[:n], m)
    good = {"old_size": m, "new_size": n, "old_root": roots[m], "new_root": roots[n]}

    def rejected(**changes):
        with pytest.raises(ProofError):
            merkle.verify_consistency(**{"proof": proof, **good, **changes})

    for bad in _flips(proof):
        rejected(proof=bad)
    for other in range(0, n + 1):
        if other != m:
            rejected(old_size=other, old_root=roots[other])
    for other in range(m, len(all_leaves) + 1):
        if other != n:
            rejected(new_size=other, new_root=roots[other])
    rejected(old_size=n + 1)
    rejected(proof=[*proof, roots[n]])
    if proof:
        rejected(proof=proof[:-1])
        rejected(proof=proof[1:])
    if m < n:
        rejected(old_root=roots[m - 1] if m > 1 else merkle.leaf_hash(b"other"))
        rejected(new_root=roots[n - 1])
        rejected(old_root=roots[n], new_root=roots[m])


# --- The ledger's root -------------------------------------------------------------


def _leaf_data(entry: LedgerEntry) -> bytes:
    return chain.canonical(
        seq=entry.seq,
        recorded_at=entry.recorded_at,
        action=entry.action,
        actor_id=entry.actor_id,
        actor_name=entry.actor_name,
        agency_id=entry.agency_id,
        object_type=entry.object_type,
        object_id=entry.object_id,
        object_repr=entry.object_repr,
        payload=entry.payload,
        prev_hash=entry.prev_hash,
    )


@pytest.mark.django_db
def test_ledger_root_covers_the_entries_in_seq_order():
    assert ledger_root() == (0, merkle.EMPTY_ROOT)
    append_events(7)
    data = [_leaf_data(e) for e in LedgerEntry.objects.order_by("seq")]
    # A leaf is the entry's canonical form, the same bytes its entry_hash is over.
    assert [hashlib.sha256(d).hexdigest() for d in data] == list(
        LedgerEntry.objects.order_by("seq").values_list("entry_hash", flat=True)
    )
    leaves = [merkle.leaf_hash(d) for d in data]

    size, root = ledger_root()
    assert (size, root) == (7, merkle.root(leaves))
    for k in range(1, size + 1):
        merkle.verify_inclusion(
            index=k - 1,
            size=size,
            leaf_hash=merkle.leaf_hash(data[k - 1]),
            proof=merkle.inclusion_proof(leaves, k - 1),
            root=root,
        )

    old_size, old_root = ledger_root(4)
    assert (old_size, old_root) == (4, merkle.root(leaves[:4]))
    merkle.verify_consistency(
        old_size=4,
        new_size=7,
        old_root=old_root,
        new_root=root,
        proof=merkle.consistency_proof(leaves, 4),
    )
    assert ledger_root(0) == (0, merkle.EMPTY_ROOT)
    with pytest.raises(ValueError):
        ledger_root(8)


@pytest.mark.django_db
def test_ledger_root_changes_when_an_entry_is_altered_behind_the_guard():
    append_events(5)
    size, root = ledger_root()
    data = [_leaf_data(e) for e in LedgerEntry.objects.order_by("seq")]
    leaves = [merkle.leaf_hash(d) for d in data]
    proof = merkle.inclusion_proof(leaves, 2)
    behind_the_guard("UPDATE ledger_entry SET payload = %s WHERE seq = 3", ['{"i": 99}'])
    altered = LedgerEntry.objects.get(seq=3)
    assert ledger_root() != (size, root)
    with pytest.raises(ProofError):
        merkle.verify_inclusion(
            index=2,
            size=size,
            leaf_hash=merkle.leaf_hash(_leaf_data(altered)),
            proof=proof,
            root=root,
        )
