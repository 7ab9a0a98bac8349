"""An RFC 9162 (Certificate Transparency 2.0, formerly RFC 6962) Merkle tree over
the ledger, kept pure (``hashlib`` only) so that anyone can check a proof
without Zhifa's code or database.

Leaf and node hashes carry different one-byte prefixes (RFC 9162 §2.1.1) so
that a leaf can never be passed off as an interior node. A tree of ``n`` leaves
is split at ``k``, the largest power of two below ``n``; the proofs and their
verification follow §2.1.3 (inclusion) and §2.1.4 (consistency).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof, or the sizes and hashes it is checked against, does not hold."""


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d) (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right) (RFC 9162 §2.1.1)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _mth(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) for 0 <= lo < hi, walking index ranges so that no list is copied."""
    n = hi - lo
    if n == 1:
        return leaves[lo]
    if n == 2:
        # Saves half the calls on the bottom level, which holds half the work.
        return node_hash(leaves[lo], leaves[lo + 1])
    mid = lo + _split(n)
    return node_hash(_mth(leaves, lo, mid), _mth(leaves, mid, hi))


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of the leaves (RFC 9162 §2.1.1); SHA-256("") when empty."""
    if not leaf_hashes:
        return EMPTY_ROOT
    return _mth(leaf_hashes, 0, len(leaf_hashes))


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) (RFC 9162 §2.1.3.1): sibling hashes from the leaf up to the root."""
    n = len(leaf_hashes)
    if not 0 <= index < n:
        raise ValueError(f"leaf index {index} is outside a tree of {n} leaves")
    path: list[bytes] = []
    lo, hi = 0, n
    # Walk down from the root, collecting the sibling of each subtree that holds
    # the leaf; the RFC lists them bottom-up, so reverse at the end.
    while hi - lo > 1:
        mid = lo + _split(hi - lo)
        if index < mid:
            path.append(_mth(leaf_hashes, mid, hi))
            hi = mid
        else:
            path.append(_mth(leaf_hashes, lo, mid))
            lo = mid
    path.reverse()
    return path


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 9162 §2.1.4.1), m = ``old_size``.

    Only 0 < m <= n is defined: every tree is trivially an extension of the
    empty one, so there is nothing to prove for m = 0 (§2.1.4.2 requires 0 < first).
    """
    n = len(leaf_hashes)
    if not 0 < old_size <= n:
        raise ValueError(f"old size {old_size} must be between 1 and the tree's size {n}")
    path: list[bytes] = []
    lo, hi, m, whole = 0, n, old_size, True
    # SUBPROOF recurses into one child only, appending the other's hash after the
    # recursive part; walking down and reversing at the end gives the same order.
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            path.append(_mth(leaf_hashes, lo + k, hi))
            hi = lo + k
        else:
            path.append(_mth(leaf_hashes, lo, lo + k))
            lo, m, whole = lo + k, m - k, False
    if not whole:
        # The old tree's root is not itself a node of the new tree: the proof has to
        # include the subtree that it ends in.
        path.append(_mth(leaf_hashes, lo, hi))
    path.reverse()
    return path


def _check_lengths(what: str, hashes: Sequence[bytes]) -> None:
    for i, h in enumerate(hashes):
        if len(h) != HASH_SIZE:
            raise ProofError(f"{what}[{i}] is {len(h)} bytes, not {HASH_SIZE}")


def _lsb(x: int) -> int:
    return x & 1


def verify_inclusion(
    *, index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``size`` leaves whose
    hash is ``root`` (RFC 9162 §2.1.3.2); raise ``ProofError`` if not."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is outside a tree of {size} leaves")
    if len(leaf_hash) != HASH_SIZE or len(root) != HASH_SIZE:
        raise ProofError(f"the leaf hash and the root must be {HASH_SIZE} bytes each")
    _check_lengths("proof", proof)
    fn, sn = index, size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            raise ProofError("the proof has more elements than it needs")
        if _lsb(fn) or fn == sn:
            r = node_hash(p, r)
            # A right-most node with no sibling at this level is carried up unchanged.
            while not _lsb(fn) and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError(f"the proof is too short for leaf {index} of a tree of {size}")
    if r != root:
        raise ProofError("the proof does not lead to the given root")


def verify_consistency(
    *, old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of ``new_size`` leaves hashing to ``new_root`` extends the
    one of ``old_size`` leaves hashing to ``old_root`` (RFC 9162 §2.1.4.2); raise
    ``ProofError`` if not."""
    if not 0 < old_size <= new_size:
        # §2.1.4.2 is defined for 0 < first < second; the empty tree is a prefix of
        # every tree, so a "proof" from size 0 would prove nothing.
        raise ProofError(f"sizes must satisfy 0 < old ({old_size}) <= new ({new_size})")
    if old_size == new_size:
        # Nothing is hashed: the two heads must simply be the same.
        if proof:
            raise ProofError("the sizes are equal, so the proof must be empty")
        if old_root != new_root:
            raise ProofError("the sizes are equal but the roots differ")
        return
    if len(old_root) != HASH_SIZE or len(new_root) != HASH_SIZE:
        raise ProofError(f"the roots must be {HASH_SIZE} bytes each")
    if not proof:
        raise ProofError("the proof is empty")
    _check_lengths("proof", proof)
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        # A power-of-two old tree is a node of the new one, so its root is the
        # starting point and the log leaves it out of the proof.
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while _lsb(fn):
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the proof has more elements than it needs")
        if _lsb(fn) or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not _lsb(fn) and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            # Nodes right of the old tree count towards the new root only.
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the proof is too short")
    if fr != old_root:
        raise ProofError("the proof does not lead to the old root")
    if sr != new_root:
        raise ProofError("the proof does not lead to the new root")
