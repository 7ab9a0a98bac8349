"""Fingerprints of reasons passages, for the boilerplate check (RSN-04).

A passage's fingerprint is the SHA-256 of its text with whitespace and
punctuation taken out (``checker.plain``): two passages copied word for word
share it. ``reasons_save`` stores the fingerprints of each case's latest
version in ``ReasonsFingerprint``, so the check looks up the few fingerprints
of the passages in front of it through an index instead of reading the
reasons of every other case.
"""

from __future__ import annotations

import hashlib

from zhifa.reasons.checker import boilerplate_texts, plain


def fingerprint(key: str) -> str:
    """The fingerprint of a passage already made plain."""
    return hashlib.sha256(key.encode()).hexdigest()


def passages(content: dict, *, floor: int = 1) -> dict[str, str]:
    """Plain text → fingerprint of the free passages of ``content`` at least
    ``floor`` characters long."""
    out: dict[str, str] = {}
    for _place, text in boilerplate_texts(content):
        key = plain(text)
        if len(key) >= max(floor, 1):
            out[key] = fingerprint(key)
    return out
