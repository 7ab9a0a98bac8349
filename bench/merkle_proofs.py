"""Merkle tree costs at 1,000,000 leaves (``zhifa.ledger.merkle``, pure Python).

Baseline, in the same run: hashing the 1,000,000 leaves once with hashlib
(SHA-256 of 0x00 || entry bytes, i.e. ``merkle.leaf_hash``, inlined), entry
bytes of the size of a canonical ledger entry. The figures then show the
tree work against that one pass over the data.

The pure-module figures involve no database: the module works on a list of
leaf hashes, which is what ``ledger_root`` and ``checkpoint_audit`` hand it.

Then the stored-node path (``zhifa.ledger.tree``): the ``ledger_merkle_node``
table of a fresh, migrated SQLite database (product settings) is filled by
bulk-inserting every perfect subtree hash of the same leaves, computed level by
level with ``merkle.node_hash`` (not by ``merkle_extend``, which would first need
10⁶ ledger entries written), and ``tree.stored_*`` is timed against it, its
results checked equal to ``merkle``'s.

    .venv/bin/python bench/merkle_proofs.py [--quick]
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import time

import _common

from zhifa.ledger import merkle

LEAVES = 1_000_000
QUICK_LEAVES = 100_000
PROOFS = 5  # inclusion proofs generated (each walks the whole tree today)
STORED_PROOFS = 200  # stored-node proofs are cheap: take a steadier median
QUICK_PROOFS = 3
VERIFIES = 2_000
CHUNK = 50_000

# The canonical bytes of a typical entry (see bench/_common.payload_for), ~560 B.
_TEMPLATE = json.dumps(
    {
        "seq": 0,
        "recorded_at": "2026-11-23T02:00:00.000000+00:00",
        "action": "case.stage_changed",
        "actor_id": 12,
        "actor_name": "张三",
        "agency_id": 1,
        "object_type": "cases.case",
        "object_id": "123",
        "object_repr": "示市监罚〔2026〕000123号",
        "payload": _common.payload_for(0),
        "prev_hash": "0" * 64,
    },
    sort_keys=True,
    ensure_ascii=False,
    separators=(",", ":"),
).encode()


def _leaf_data(start: int, stop: int) -> list[bytes]:
    return [b"%d" % i + _TEMPLATE for i in range(start, stop)]


def _timed(fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - started


def _stored_nodes(leaves, root, indices, proofs_made, old_size, cproof, rng) -> dict:
    """Time ``zhifa.ledger.tree`` over a node table holding the leaves' tree."""
    _common.setup_django("sqlite")
    from django.db import connection, transaction

    from zhifa.ledger import tree

    n = len(leaves)
    started = time.perf_counter()
    level, below, rows = 0, leaves, 0
    with transaction.atomic(), connection.cursor() as cursor:
        while below:
            cursor.executemany(
                'INSERT INTO ledger_merkle_node (level, "index", hash) VALUES (%s, %s, %s)',
                [(level, i, h.hex()) for i, h in enumerate(below)],
            )
            rows += len(below)
            # Only perfect subtrees are stored: an odd last node has no parent yet.
            below = [merkle.node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
            level += 1
    fill_s = time.perf_counter() - started
    print(f"  node table: {rows:,} rows in {fill_s:.1f} s", file=sys.stderr)

    root_times = []
    for _ in range(20):
        value, seconds = _timed(tree.stored_root, n)
        assert value == root
        root_times.append(seconds)
    for index, proof in proofs_made:
        assert tree.stored_inclusion_proof(index, n) == proof
    proof_times = []
    for _ in range(STORED_PROOFS):
        index = rng.randrange(n)
        proof, seconds = _timed(tree.stored_inclusion_proof, index, n)
        merkle.verify_inclusion(
            index=index, size=n, leaf_hash=leaves[index], proof=proof, root=root
        )
        proof_times.append(seconds)
    consistency_times = []
    for _ in range(20):
        value, seconds = _timed(tree.stored_consistency_proof, old_size, n)
        assert value == cproof
        consistency_times.append(seconds)
    print(
        f"  stored inclusion proof median: {_common.median(proof_times) * 1e3:.2f} ms",
        file=sys.stderr,
    )
    _common.teardown_django("sqlite")
    return {
        "backend": "sqlite",
        "filled_by": "bulk insert of merkle.node_hash levels",
        "rows": rows,
        "fill_s": fill_s,
        "root_median_s": _common.median(root_times),
        "inclusion_proof_median_s": _common.median(proof_times),
        "inclusion_proof_max_s": max(proof_times),
        "consistency_proof_median_s": _common.median(consistency_times),
    }


def main() -> None:
    args = _common.parser(__doc__.splitlines()[0], backends=False).parse_args()
    n = QUICK_LEAVES if args.quick else LEAVES
    proofs = QUICK_PROOFS if args.quick else PROOFS
    sha256 = hashlib.sha256

    # Baseline: hash every leaf once (data generated outside the timed part).
    leaves: list[bytes] = []
    baseline_s = 0.0
    for lo in range(0, n, CHUNK):
        data = _leaf_data(lo, min(n, lo + CHUNK))
        started = time.perf_counter()
        leaves.extend([sha256(b"\x00" + d).digest() for d in data])
        baseline_s += time.perf_counter() - started
    print(f"  leaves hashed: {baseline_s:.3f} s", file=sys.stderr)

    root, root_s = _timed(merkle.root, leaves)
    print(f"  root: {root_s:.3f} s", file=sys.stderr)

    rng = random.Random(2026)
    indices = [0, n - 1] + [rng.randrange(n) for _ in range(proofs - 2)]
    proof_times, proof_lens = [], []
    proofs_made = []
    for index in indices:
        proof, seconds = _timed(merkle.inclusion_proof, leaves, index)
        proof_times.append(seconds)
        proof_lens.append(len(proof))
        proofs_made.append((index, proof))
    print(f"  inclusion proof median: {_common.median(proof_times):.3f} s", file=sys.stderr)

    verify_times = []
    for k in range(VERIFIES):
        index, proof = proofs_made[k % len(proofs_made)]
        started = time.perf_counter()
        merkle.verify_inclusion(
            index=index, size=n, leaf_hash=leaves[index], proof=proof, root=root
        )
        verify_times.append(time.perf_counter() - started)

    old_size = n // 2 + 12_345
    cproof, consistency_s = _timed(merkle.consistency_proof, leaves, old_size)
    old_root = merkle.root(leaves[:old_size])
    cverify_times = []
    for _ in range(VERIFIES):
        started = time.perf_counter()
        merkle.verify_consistency(
            old_size=old_size, new_size=n, old_root=old_root, new_root=root, proof=cproof
        )
        cverify_times.append(time.perf_counter() - started)

    stored = _stored_nodes(leaves, root, indices, proofs_made, old_size, cproof, rng)

    proof_med = _common.median(proof_times)
    verify_med = _common.median(verify_times)
    results = {
        "leaves": n,
        "entry_bytes": len(_TEMPLATE) + 6,
        "baseline_hash_leaves_s": baseline_s,
        "root_s": root_s,
        "inclusion_proof_s": proof_times,
        "inclusion_proof_median_s": proof_med,
        "inclusion_proof_hashes": proof_lens,
        "inclusion_verify_median_s": verify_med,
        "consistency_proof_s": consistency_s,
        "consistency_proof_hashes": len(cproof),
        "consistency_verify_median_s": _common.median(cverify_times),
        "targets": {
            "inclusion_proof_under_20ms": proof_med < 0.020,
            "inclusion_verify_under_1ms": verify_med < 0.001,
            "stored_inclusion_proof_under_20ms": stored["inclusion_proof_median_s"] < 0.020,
            "evaluated_at_1M": n == LEAVES,
        },
        "stored": stored,
    }
    rows = [
        ["hash leaves once (baseline)", baseline_s * 1e3, 1.0, ""],
        ["root", root_s * 1e3, root_s / baseline_s, ""],
        [
            f"inclusion proof, median of {len(indices)}",
            proof_med * 1e3,
            proof_med / baseline_s,
            "< 20 ms: " + ("met" if proof_med < 0.020 else "NOT met"),
        ],
        [
            f"inclusion verify, median of {VERIFIES}",
            verify_med * 1e3,
            verify_med / baseline_s,
            "< 1 ms: " + ("met" if verify_med < 0.001 else "NOT met"),
        ],
        ["consistency proof", consistency_s * 1e3, consistency_s / baseline_s, ""],
        [
            "consistency verify, median",
            results["consistency_verify_median_s"] * 1e3,
            results["consistency_verify_median_s"] / baseline_s,
            "",
        ],
        [
            "fill node table (setup, SQLite)",
            stored["fill_s"] * 1e3,
            stored["fill_s"] / baseline_s,
            "",
        ],
        ["stored root", stored["root_median_s"] * 1e3, stored["root_median_s"] / baseline_s, ""],
        [
            f"stored inclusion proof, median of {STORED_PROOFS}",
            stored["inclusion_proof_median_s"] * 1e3,
            stored["inclusion_proof_median_s"] / baseline_s,
            "< 20 ms: " + ("met" if stored["inclusion_proof_median_s"] < 0.020 else "NOT met"),
        ],
        [
            "stored consistency proof, median",
            stored["consistency_proof_median_s"] * 1e3,
            stored["consistency_proof_median_s"] / baseline_s,
            "",
        ],
    ]
    print(f"Merkle tree of {n:,} leaves")
    print(_common.table(rows, ["operation", "ms", "× baseline", "target"]))
    out = {"benchmark": "merkle_proofs", "quick": args.quick, "machine": _common.machine()}
    out["results"] = results
    print(f"results: {_common.save('merkle_proofs', out)}")


if __name__ == "__main__":
    main()
