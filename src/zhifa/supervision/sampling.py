"""The reproducible draw of case files for evaluation (SUP-02).

``sample(population, seed, size)`` is pure: a SHA-256 counter-mode stream keyed
by the seed and the population's digest drives a partial Fisher–Yates shuffle.
The same inputs give the same cases in the same order on any machine; changing
the seed, the size or any member of the population changes the result.
"""

from __future__ import annotations

import hashlib


def population_digest(ids: list[int]) -> str:
    return hashlib.sha256(",".join(str(i) for i in sorted(ids)).encode()).hexdigest()


class _Stream:
    def __init__(self, key: bytes) -> None:
        self.key, self.counter, self.buffer = key, 0, b""

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)``, by rejection (no modulo bias)."""
        limit = (1 << 64) - ((1 << 64) % n)
        while True:
            if len(self.buffer) < 8:
                self.buffer += hashlib.sha256(self.key + self.counter.to_bytes(8, "big")).digest()
                self.counter += 1
            value, self.buffer = int.from_bytes(self.buffer[:8], "big"), self.buffer[8:]
            if value < limit:
                return value % n


def sample(population: list[int], seed: str, size: int) -> list[int]:
    ids = sorted(population)
    stream = _Stream(bytes.fromhex(seed) + bytes.fromhex(population_digest(ids)))
    k = min(size, len(ids))
    for i in range(k):
        j = i + stream.below(len(ids) - i)
        ids[i], ids[j] = ids[j], ids[i]
    return ids[:k]
