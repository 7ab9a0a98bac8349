"""Roots and proofs of the ledger's Merkle tree from its stored perfect subtrees
(``MerkleNode``), giving the same results as ``zhifa.ledger.merkle`` over the
leaf hashes while reading only O(log N) nodes.

RFC 9162 splits a range at the largest power of two below its length, so every
range it hashes is a run of perfect, aligned subtrees followed by the recursion
on the rest; each perfect one is a stored node. The functions below first work
out which nodes a result needs, fetch them in one query, then hash.

They trust the stored nodes: checking those against the entries is the
audit's job (``selectors.merkle_node_audit``), which re-derives them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce

from django.db.models import Q

from zhifa.ledger import merkle

Range = tuple[int, int]  # [lo, hi) over leaf indices
Key = tuple[int, int]  # (level, index) of a perfect subtree


class NotExtended(ValueError):
    """The stored nodes do not cover the tree asked for: run ``merkle_extend``."""


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1), as RFC 9162 splits."""
    return 1 << ((n - 1).bit_length() - 1)


def node_key(lo: int, hi: int) -> Key:
    """The (level, index) of the perfect, aligned subtree over [lo, hi)."""
    level = (hi - lo).bit_length() - 1
    return level, lo >> level


def perfect_ranges(lo: int, hi: int) -> list[Range]:
    """[lo, hi) as the perfect subtrees that MTH(D[lo:hi]) combines, left to right.

    Only valid for ranges RFC 9162's recursion produces (``lo`` a multiple of
    the largest power of two not above ``hi - lo``), which all ranges here are.
    """
    out: list[Range] = []
    while (hi - lo) & (hi - lo - 1):
        k = _split(hi - lo)
        out.append((lo, lo + k))
        lo += k
    out.append((lo, hi))
    return out


def range_hash(rng: Range, node: Callable[[Key], bytes]) -> bytes:
    """MTH over ``rng`` from its perfect subtrees, each given by ``node(key)``:
    the stored nodes here, the recomputed ones in the audit."""
    # MTH(lo, hi) = node_hash(left perfect part, MTH(rest)): fold from the right.
    hashes = [node(node_key(*r)) for r in perfect_ranges(*rng)]
    return reduce(
        lambda right, left: merkle.node_hash(left, right), reversed(hashes[:-1]), hashes[-1]
    )


def fetch_nodes(ranges: list[Range], size: int) -> dict[Key, bytes]:
    """The stored nodes that the ranges are made of, in one query."""
    from zhifa.ledger.models import MerkleNode

    by_level: dict[int, set[int]] = {}
    for rng in ranges:
        for r in perfect_ranges(*rng):
            level, index = node_key(*r)
            by_level.setdefault(level, set()).add(index)
    if not by_level:
        return {}
    # One disjunct per level keeps the statement at O(log N) terms.
    query = reduce(
        lambda a, b: a | b,
        (Q(level=level, index__in=sorted(indices)) for level, indices in by_level.items()),
    )
    nodes = {
        (level, index): bytes.fromhex(value)
        for level, index, value in MerkleNode.objects.filter(query).values_list(
            "level", "index", "hash"
        )
    }
    wanted = sum(len(indices) for indices in by_level.values())
    if len(nodes) != wanted:
        # merkle_extend stores every perfect subtree of the leaves it stores, so
        # a missing node means the tree was not extended this far. Recomputing
        # from the entries here would hide an O(N) cost behind a fast call.
        raise NotExtended(f"the stored Merkle tree does not yet cover {size} leaves")
    return nodes


def stored_root(size: int) -> bytes:
    """``merkle.root`` of the first ``size`` leaves, from the stored nodes."""
    if size < 0:
        raise ValueError(f"a tree cannot have {size} leaves")
    if size == 0:
        return merkle.EMPTY_ROOT
    return range_hash((0, size), fetch_nodes([(0, size)], size).__getitem__)


def _inclusion_ranges(index: int, size: int) -> list[Range]:
    # The walk of merkle.inclusion_proof, keeping the sibling ranges.
    path: list[Range] = []
    lo, hi = 0, size
    while hi - lo > 1:
        mid = lo + _split(hi - lo)
        if index < mid:
            path.append((mid, hi))
            hi = mid
        else:
            path.append((lo, mid))
            lo = mid
    path.reverse()
    return path


def stored_inclusion_proof(index: int, size: int) -> list[bytes]:
    """``merkle.inclusion_proof`` for leaf ``index`` of the tree of ``size`` leaves."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of {size} leaves")
    ranges = _inclusion_ranges(index, size)
    # The whole tree is fetched too, so that a size beyond the stored leaves
    # raises even where the proof itself happens not to reach that far.
    nodes = fetch_nodes([*ranges, (0, size)], size)
    return [range_hash(r, nodes.__getitem__) for r in ranges]


def _consistency_ranges(old_size: int, new_size: int) -> list[Range]:
    # The walk of merkle.consistency_proof, keeping the ranges.
    path: list[Range] = []
    lo, hi, m, whole = 0, new_size, old_size, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            path.append((lo + k, hi))
            hi = lo + k
        else:
            path.append((lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        path.append((lo, hi))
    path.reverse()
    return path


def stored_consistency_proof(old_size: int, new_size: int) -> list[bytes]:
    """``merkle.consistency_proof`` from ``old_size`` to the tree of ``new_size`` leaves."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"old size {old_size} must be between 1 and the tree's size {new_size}")
    ranges = _consistency_ranges(old_size, new_size)
    nodes = fetch_nodes([*ranges, (0, new_size)], new_size)
    return [range_hash(r, nodes.__getitem__) for r in ranges]
