"""Stored subtree hashes (``MerkleNode``, ``services.merkle_extend``) and the
roots and proofs read from them (``zhifa.ledger.tree``), held against
``zhifa.ledger.merkle`` over the leaves recomputed from the entries."""

import pytest
from django.db import DatabaseError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhifa.ledger import chain, dbguard, merkle, services, tree
from zhifa.ledger.models import LedgerEntry, MerkleNode
from zhifa.ledger.selectors import HASHED_FIELDS, checkpoint_audit, ledger_audit, ledger_root
from zhifa.ledger.services import checkpoint_issue, merkle_extend
from zhifa.ledger.tests.tampering import append_events, behind_the_guard

pytestmark = [pytest.mark.django_db, pytest.mark.req("REC-11")]


def _leaves() -> list[bytes]:
    rows = LedgerEntry.objects.order_by("seq").values(*HASHED_FIELDS)
    return [merkle.leaf_hash(chain.canonical(**row)) for row in rows]


def _node_count() -> int:
    return MerkleNode.objects.count()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.data())
def test_stored_roots_and_proofs_equal_the_recomputed_ones(data):
    size = data.draw(st.integers(1, 70), label="size")
    extend_at = data.draw(
        st.lists(st.integers(1, size), max_size=5, unique=True).map(sorted), label="extend_at"
    )
    # Each example rolls back, so that the next starts from an empty ledger
    # (the guard refuses to delete entries or nodes).
    with transaction.atomic():
        appended = 0
        for point in extend_at:
            append_events(point - appended)
            appended = point
            assert merkle_extend() == point
        append_events(size - appended)
        extended = extend_at[-1] if extend_at else 0
        leaves = _leaves()
        assert len(leaves) == size

        assert tree.stored_root(0) == merkle.EMPTY_ROOT
        for n in range(1, extended + 1):
            assert tree.stored_root(n) == merkle.root(leaves[:n])
            prefix = leaves[:n]
            indices = {0, n - 1, data.draw(st.integers(0, n - 1), label=f"index@{n}")}
            for index in indices:
                assert tree.stored_inclusion_proof(index, n) == merkle.inclusion_proof(
                    prefix, index
                )
            olds = {1, n, data.draw(st.integers(1, n), label=f"old@{n}")}
            for old in olds:
                assert tree.stored_consistency_proof(old, n) == merkle.consistency_proof(
                    prefix, old
                )
        if extended < size:
            # Not extended that far: refused, never recomputed behind the caller's back.
            with pytest.raises(tree.NotExtended):
                tree.stored_root(size)
            with pytest.raises(tree.NotExtended):
                tree.stored_inclusion_proof(0, size)
            with pytest.raises(tree.NotExtended):
                tree.stored_consistency_proof(1, size)
        transaction.set_rollback(True)


def test_every_perfect_subtree_is_stored_once():
    append_events(13)
    assert merkle_extend() == 13
    leaves = _leaves()
    stored = {(n.level, n.index): n.hash for n in MerkleNode.objects.all()}
    # 13 leaves complete 6 + 3 + 1 subtrees above them.
    assert len(stored) == 13 + 6 + 3 + 1
    for (level, index), value in stored.items():
        lo = index << level
        assert value == merkle.root(leaves[lo : lo + (1 << level)]).hex()


def test_extending_twice_adds_nothing_and_later_entries_are_added():
    append_events(6)
    merkle_extend()
    count = _node_count()
    assert merkle_extend() == 6
    assert _node_count() == count
    append_events(2)
    assert merkle_extend() == 8
    assert _node_count() == 8 + 4 + 2 + 1


def test_a_concurrent_extender_that_got_there_first_is_not_an_error(monkeypatch):
    append_events(5)
    merkle_extend()
    real = services._stored_leaves
    reads = iter([0])
    # The first read is stale, as it would be had another extender committed
    # just after it: the insert collides and the re-check finds the nodes.
    monkeypatch.setattr(services, "_stored_leaves", lambda: next(reads, None) or real())
    assert merkle_extend() == 5
    assert _node_count() == 5 + 2 + 1


def test_the_node_table_refuses_update_and_delete():
    assert "ledger_merkle_node" in dbguard.TABLES
    append_events(2)
    merkle_extend()
    with pytest.raises(DatabaseError), transaction.atomic():
        MerkleNode.objects.update(hash="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        MerkleNode.objects.all().delete()


def test_checkpoints_sign_the_stored_root_and_only_new_entries_are_hashed():
    append_events(5)
    first = checkpoint_issue()
    append_events(4)
    second = checkpoint_issue()
    assert (first.size, second.size) == (5, 9)
    assert second.root == ledger_root()[1].hex() == tree.stored_root(9).hex()
    assert _node_count() == 9 + 4 + 2 + 1
    assert checkpoint_audit() == []
    assert ledger_audit().findings == []


def test_the_audit_finds_a_rewritten_entry_and_names_its_stored_leaf():
    append_events(4)
    checkpoint_issue()
    append_events(3)
    checkpoint_issue()
    behind_the_guard("UPDATE ledger_entry SET action = 'forged' WHERE seq = 2")
    # Both checkpoints are re-derived from the entries as they are now.
    messages = [f.message for f in checkpoint_audit()]
    assert any("前 4 条记录与检查点 4签署时不同" in m for m in messages)
    assert any("前 7 条记录与检查点 7签署时不同" in m for m in messages)
    findings = ledger_audit().findings
    leaf = [f for f in findings if f.object == "台账第 2 条的默克尔叶"]
    assert [f.kind for f in leaf] == ["changed"]
    stored = MerkleNode.objects.get(level=0, index=1).hash
    assert (leaf[0].expected, leaf[0].found) == (stored, _leaves()[1].hex())
    # Its stored ancestors differ only because of it, so they are not named.
    assert not [f for f in findings if f.object.startswith("默克尔节点")]


def test_the_audit_names_a_rewritten_interior_node():
    append_events(4)
    merkle_extend()
    behind_the_guard(
        # "index" is quoted: it is a reserved word in SQL.
        'UPDATE ledger_merkle_node SET hash = %s WHERE level = 1 AND "index" = 1',
        ["ab" * 32],
    )
    findings = [f for f in ledger_audit().findings if f.object.startswith("默克尔")]
    assert [(f.kind, f.object, f.expected) for f in findings] == [
        ("changed", "默克尔节点 1/1", "ab" * 32)
    ]


def test_an_inclusion_proof_at_1000_reads_few_nodes(django_assert_max_num_queries):
    append_events(1000)
    merkle_extend()
    leaves = _leaves()
    with django_assert_max_num_queries(1):
        proof = tree.stored_inclusion_proof(617, 1000)
    assert proof == merkle.inclusion_proof(leaves, 617)
    with django_assert_max_num_queries(1):
        root = tree.stored_root(1000)
    merkle.verify_inclusion(index=617, size=1000, leaf_hash=leaves[617], proof=proof, root=root)
    with django_assert_max_num_queries(1):
        assert tree.stored_consistency_proof(617, 1000) == merkle.consistency_proof(leaves, 617)
