"""The verifiable random draw of 双随机、一公开 (INS-01). Pure functions: no
database, no clock, no Python ``random`` state. Anyone holding the recorded
inputs re-runs it and gets the same result.

How a draw is made verifiable (commit, then reveal)
----------------------------------------------------

1. **Freeze.** When a plan is committed its libraries are copied and put in a
   fixed order (``PlanTarget``, ``PlanInspector``, ``PlanConflict``; positions
   from 0):

   * targets in order of ``key`` (统一社会信用代码, or the name of an object with
     no code; compared by Unicode code point, as Python sorts strings), then
     the target's id;
   * inspectors in order of their credential number, then the officer's id;
   * conflicts as ``(target position, inspector position)`` pairs, sorted.

   Each list is digested as ``SHA-256(canonical(list))`` where
   ``canonical(x) = json.dumps(x, ensure_ascii=False, sort_keys=True,
   separators=(",", ":")).encode("utf-8")`` and the lists are

   * ``targets``: ``[[position, key, name, category], …]``;
   * ``inspectors``: ``[[position, credential_number, name, [category, …]], …]``
     (categories sorted);
   * ``conflicts``: ``[[target_position, inspector_position], …]``.

   From version 3 of the seed material (below) the inspectors and conflicts
   are *sealed* before being digested, so that the public material can show
   the positions the draw needs without telling who declared a conflict with
   whom (see "Sealed lists").

   Targets already drawn for the same matter within the plan's *frequency
   window* are left out of ``targets`` (see "Frequency" below) and frozen
   apart (``PlanExclusion``), in the same order, as the list

   * ``excluded``: ``[[key, name, plan], …]``, ``plan`` being the id of the
     earlier plan that drew the target (the lowest id where several did).

2. **Commit.** The platform makes a secret ``nonce`` (32 random bytes from the
   operating system, as 64 hex digits) and builds the *seed material*, a JSON
   object (see ``seed_material``) holding: the format version ``"v": 3``, the
   plan id, the agency id, the matter code, the ratio (as a decimal string) or
   the count, the inspectors per target, the frequency, the period, the
   frequency window (``[start, end]``, ``null`` for 一次性), the four digests
   (``excluded_digest`` of the ``excluded`` list), the ``beacon_source``
   (which public random value will be used: a lottery drawing or beacon pulse
   not yet produced) and the nonce. Plans committed before the frequency was
   enforced have version 1 material: no window and no ``excluded_digest``;
   plans committed before the lists were sealed have version 2 material. The
   version is inside what is committed, so a plan cannot be verified under a
   format other than the one it was committed under.
   ``commitment = hex(SHA-256(canonical(seed material)))`` is recorded in the
   ledger and published (``/api/v1/inspection-draws/``) with the digests and the
   beacon source — but not the nonce.

3. **Draw.** Once the public random value has been produced, the agency enters
   it (``beacon_value``, the text as published, e.g. ``"3 7 1"``). Then
   ``seed = SHA-256(canonical({"v": v, "material": seed material,
   "beacon_value": beacon_value}))`` (32 bytes, ``v`` being the material's
   version), and the draw below runs. The
   nonce, the beacon value, the seed and ``result_digest`` are published at
   once; the frozen lists and the result (the public material, for re-running
   the draw offline: ``zhifa inspections verify-draw --material FILE``) at
   ``/api/v1/inspection-draws/{id}/material/`` once the plan's period is over
   or every result is published, so that the drawn targets are not told in
   advance. The public material names no inspector (see "Sealed lists"); the
   full material is at ``/api/v1/inspection-plans/{id}/material/`` for the
   agency and its supervisor.

Sealed lists (version 3)
------------------------

A conflict (回避) is a personal relation between a named officer and a named
business; the public does not need it to check the draw, only the positions.
Each plan therefore gets a secret ``seal_key`` (32 random bytes, never
published) at commitment, and each inspector and each target's set of
conflicts gets a *salt* ``HMAC-SHA256(seal_key, canonical([kind, position]))``
(hex; ``kind`` is ``"inspector"`` or ``"conflicts"``). The digested lists are

* ``inspectors``: ``[[position, [category, …], seal], …]`` with ``seal =
  digest([salt, credential_number, name])``;
* ``conflicts``: ``[[target_position, seal], …]``, one entry for *every*
  frozen target in position order, conflicts or none, with ``seal =
  digest([salt, target_position, [inspector_position, …]])`` (sorted); so
  the list tells neither which targets have conflicts nor how many;
* ``targets`` and ``excluded`` as above, in clear: the library is of market
  subjects whose names and codes are public registers, each of them can check
  it was in the library (had its chance) or why it was left out, and the
  drawn ones are published with their results anyway.

The *public* material gives these lists as digested, plus the *opening*
``[target_position, [inspector_position, …], salt]`` of the seal of each
drawn target, and only those: the draw consults the conflicts of drawn
targets alone. Anyone can then check the three digests, each opening against
its seal (a seal binds the whole set, so no conflict of a drawn target can be
left out, and every drawn target must be opened), and re-run the draw on the
categories and the opened conflicts. What stays hidden: every name and
credential number of an inspector, and every conflict of a target not drawn.
A salt is 256 bits, so a seal cannot be matched by trying the agency's
officers' names; salts differ per plan, so seals do not link plans. What is
left: an opening ties a drawn target to inspector *positions*, and a business
that was inspected knows the officers who came, whose positions the result
shows; such a business could learn that an officer who inspected it is in
conflict with another drawn target. Hiding that too would hide the conflicts
the draw used, which is what the public must be able to check.

The *full* material (staff of the agency and its supervising 司法局, through
the authenticated API or ``verify-draw PLAN`` with the database) gives the
names, credential numbers, every conflict and every salt, from which the
sealed lists, then the digests, are recomputed.

Frequency
---------

A plan's frequency (抽查频次) fixes its *window*: the calendar year, half-year
(1 Jan – 30 Jun, 1 Jul – 31 Dec), quarter or month holding the plan's first
day, or, for 一次性, all time. A target drawn in another drawn plan of the same
matter whose period overlaps that window is not eligible: checked once in the
window, it is not checked again in it (一次性: never again for that matter).
The ratio applies to the eligible targets. Since the excluded list is digested
into the commitment, the agency cannot shield a target by calling it drawn
elsewhere: ``verify-draw`` checks each exclusion against the plan that drew it
and that no target drawn in the window slipped into ``targets``.

Neither side can bend the result: the agency fixed the libraries and the nonce
before the beacon existed, and nobody knew the nonce (so nobody could compute
the draw in advance from the beacon) until the draw was recorded.

The pseudo-random stream
------------------------

``block(i) = SHA-256(seed ‖ uint64_be(i))`` for ``i = 0, 1, 2, …``; each block
gives four 64-bit unsigned integers, big-endian, in order. ``below(n)`` takes
the next integer ``x`` and returns ``x mod n`` unless ``x ≥ 2⁶⁴ − (2⁶⁴ mod n)``,
in which case it takes the next one (rejection, so every value is equally
likely).

The draw
--------

* ``k`` targets: the count, or ``ceil(N × ratio / 100)`` for ``N`` frozen
  targets (at most ``N``). A partial Fisher–Yates shuffle over ``[0, N)``: for
  ``i = 0 … k−1``: ``j = i + below(N − i)``, swap positions ``i`` and ``j``; the
  target at ``i`` is the ``i``-th drawn.
* For each drawn target, in draw order: the *eligible* inspectors are those
  whose categories include the target's category and who are not in conflict
  with it, in position order. Fewer than ``m`` (inspectors per target) is an
  error, and nothing is recorded. Otherwise ``m`` of them are picked by the
  same partial Fisher–Yates shuffle over the eligible list, the stream going
  on where the previous shuffle stopped (one stream for the whole draw).
* ``result = [[target_position, [inspector_position, …]], …]`` in draw order;
  ``result_digest = hex(SHA-256(canonical(result)))``.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

VERSION = 3
_TWO64 = 1 << 64


# One encoder for every call: ``json.dumps`` with options builds a new one each
# time, which doubles the cost of sealing a county's 10⁵ targets.
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical(value) -> bytes:
    return _ENCODER.encode(value).encode("utf-8")


def digest(value) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


_CATEGORY_SPLIT = re.compile(r"[、,，;；/\s]+")


def split_categories(text: str) -> list[str]:
    """The 执法类别 written on a credential (“市场监管、安全生产”), sorted."""
    return sorted({part for part in _CATEGORY_SPLIT.split(text or "") if part})


# --- Frequency --------------------------------------------------------------------------

# Months in one window of each periodic frequency; 一次性 ("once") has no window
# but all time.
WINDOW_MONTHS = {"yearly": 12, "half_yearly": 6, "quarterly": 3, "monthly": 1}


def frequency_window(frequency: str, day: date) -> tuple[date, date] | None:
    """The window of ``frequency`` holding ``day``: first and last day of its
    calendar year, half-year, quarter or month; ``None`` (all time) for once."""
    months = WINDOW_MONTHS.get(frequency)
    if months is None:
        return None
    first = (day.month - 1) // months * months + 1
    last = first + months - 1
    return (
        date(day.year, first, 1),
        date(day.year, last, calendar.monthrange(day.year, last)[1]),
    )


def windows_overlap(window: tuple[date, date] | None, start: date, end: date) -> bool:
    """Whether a period ``[start, end]`` overlaps ``window`` (all time: always)."""
    return window is None or (start <= window[1] and end >= window[0])


# --- Seed -------------------------------------------------------------------------------


def seed_material(
    *,
    plan_id: int,
    agency_id: int,
    matter_code: str,
    ratio_percent: Decimal | None,
    count: int | None,
    inspectors_per_target: int,
    frequency: str,
    period_start: str,
    period_end: str,
    targets_digest: str,
    inspectors_digest: str,
    conflicts_digest: str,
    beacon_source: str,
    nonce: str,
    excluded_digest: str | None = None,
    window: tuple[str, str] | None = None,
    sealed: bool = False,
) -> dict:
    """The seed material: version 3 where the inspectors and conflicts are
    ``sealed``, version 2 without; without ``excluded_digest`` either, the
    version 1 material of a plan committed before the frequency was enforced."""
    if sealed and excluded_digest is None:
        raise ValueError("sealed lists come with the frequency exclusion (version 3)")
    material = {
        "v": 1,
        "plan": plan_id,
        "agency": agency_id,
        "matter": matter_code,
        "ratio_percent": None if ratio_percent is None else f"{Decimal(ratio_percent):.2f}",
        "count": count,
        "inspectors_per_target": inspectors_per_target,
        "frequency": frequency,
        "period": [period_start, period_end],
        "targets_digest": targets_digest,
        "inspectors_digest": inspectors_digest,
        "conflicts_digest": conflicts_digest,
        "beacon_source": beacon_source,
        "nonce": nonce,
    }
    if excluded_digest is not None:
        material.update(
            v=VERSION if sealed else 2,
            excluded_digest=excluded_digest,
            window=None if window is None else list(window),
        )
    return material


def is_sealed(material: dict) -> bool:
    """Whether the inspectors and conflicts of this seed material are sealed."""
    return material["v"] >= 3


# --- Sealed lists -----------------------------------------------------------------------


def seal_salt(seal_key: str, kind: str, position: int) -> str:
    """The salt of one inspector (``kind="inspector"``) or one target's conflicts
    (``kind="conflicts"``): a keyed hash of the position, so the plan keeps one
    secret instead of one per row, and showing a salt shows nothing of the
    key nor of any other salt."""
    return _salts(seal_key, kind, [position])[0]


def _salts(seal_key: str, kind: str, positions: Iterable[int]) -> list[str]:
    # One keyed state copied per salt: a county's 10⁵ targets are salted at
    # each commitment, verification and publication.
    keyed = hmac.new(bytes.fromhex(seal_key), digestmod=hashlib.sha256)
    salts = []
    for position in positions:
        state = keyed.copy()
        state.update(canonical([kind, position]))
        salts.append(state.hexdigest())
    return salts


def inspector_seal(salt: str, credential_number: str, name: str) -> str:
    return digest([salt, credential_number, name])


def conflicts_seal(salt: str, target_position: int, inspector_positions: Iterable[int]) -> str:
    return digest([salt, target_position, sorted(inspector_positions)])


def conflicts_by_target(target_count: int, pairs: Iterable[Sequence[int]]) -> list[list[int]]:
    """The inspector positions in conflict with each target position, sorted."""
    sets: list[list[int]] = [[] for _ in range(target_count)]
    for target_position, inspector_position in pairs:
        sets[target_position].append(inspector_position)
    return [sorted(s) for s in sets]


def opened_inspectors(seal_key: str, inspectors: Sequence[Sequence]) -> list[list]:
    """Named inspector rows ``[position, number, name, categories]`` with their
    salt appended: the full material's form."""
    salts = _salts(seal_key, "inspector", (row[0] for row in inspectors))
    return [[*row, salt] for row, salt in zip(inspectors, salts, strict=True)]


def opened_conflicts(
    seal_key: str, target_count: int, pairs: Iterable[Sequence[int]]
) -> list[list]:
    """``[target_position, [inspector_position, …], salt]`` for every target."""
    salts = _salts(seal_key, "conflicts", range(target_count))
    return [
        [t, inspectors, salt]
        for t, (inspectors, salt) in enumerate(
            zip(conflicts_by_target(target_count, pairs), salts, strict=True)
        )
    ]


def sealed_inspectors(opened: Iterable[Sequence]) -> list[list]:
    """The digested inspectors list of version 3 from the opened rows."""
    return [
        [position, list(categories), inspector_seal(salt, number, name)]
        for position, number, name, categories, salt in opened
    ]


def sealed_conflicts(opened: Iterable[Sequence]) -> list[list]:
    """The digested conflicts list of version 3 from the opened rows."""
    return [[t, conflicts_seal(salt, t, inspectors)] for t, inspectors, salt in opened]


def commitment_of(material: dict) -> str:
    return digest(material)


def seed_of(material: dict, beacon_value: str) -> bytes:
    return hashlib.sha256(
        canonical({"v": material["v"], "material": material, "beacon_value": beacon_value})
    ).digest()


# --- Stream -----------------------------------------------------------------------------


class HashStream:
    """SHA-256 in counter mode over ``seed``: the documented, portable stream."""

    def __init__(self, seed: bytes) -> None:
        self._seed = seed
        self._counter = 0
        self._buffer: list[int] = []

    def _refill(self) -> None:
        block = hashlib.sha256(self._seed + self._counter.to_bytes(8, "big")).digest()
        self._counter += 1
        # Reversed, so that pop() yields the four words in order.
        self._buffer = [int.from_bytes(block[i : i + 8], "big") for i in (24, 16, 8, 0)]

    def next_u64(self) -> int:
        if not self._buffer:
            self._refill()
        return self._buffer.pop()

    def below(self, n: int) -> int:
        if n <= 0:
            raise ValueError("n must be positive")
        limit = _TWO64 - (_TWO64 % n)
        while True:
            x = self.next_u64()
            if x < limit:
                return x % n


def partial_shuffle(stream: HashStream, n: int, k: int) -> list[int]:
    """The first ``k`` indices of ``range(n)`` after a partial Fisher–Yates
    shuffle. The swaps are kept sparse (only touched positions are stored), so
    drawing ``k`` of ``n`` costs ``O(k)`` whatever ``n``; the result is exactly
    that of shuffling a list in place."""
    swapped: dict[int, int] = {}
    chosen = []
    for i in range(k):
        j = i + stream.below(n - i)
        at_i = swapped.get(i, i)
        at_j = swapped.get(j, j)
        swapped[j] = at_i
        chosen.append(at_j)
    return chosen


# --- Draw -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TooFewInspectors(Exception):
    """A drawn target has fewer eligible inspectors than the plan needs."""

    target_position: int
    available: int
    needed: int


def target_count(total: int, *, ratio_percent: Decimal | None, count: int | None) -> int:
    if count is not None:
        return min(count, total)
    return min(total, math.ceil(total * Decimal(ratio_percent) / 100))


def eligible_inspectors(
    category: str,
    inspector_categories: Sequence[Iterable[str]],
    conflicted: Iterable[int] = (),
) -> list[int]:
    excluded = set(conflicted)
    return [
        position
        for position, categories in enumerate(inspector_categories)
        if category in categories and position not in excluded
    ]


def run(
    *,
    seed: bytes,
    target_categories: Sequence[str],
    inspector_categories: Sequence[Iterable[str]],
    conflicts: Iterable[tuple[int, int]],
    k: int,
    per_target: int,
) -> list[tuple[int, list[int]]]:
    """The draw described in the module docstring; raises ``TooFewInspectors``."""
    stream = HashStream(seed)
    chosen = partial_shuffle(stream, len(target_categories), k)
    inspector_sets = [frozenset(c) for c in inspector_categories]
    by_category: dict[str, list[int]] = {}
    conflicts_of: dict[int, set[int]] = {}
    for target_position, inspector_position in conflicts:
        conflicts_of.setdefault(target_position, set()).add(inspector_position)
    result = []
    for target_position in chosen:
        category = target_categories[target_position]
        if category not in by_category:
            by_category[category] = eligible_inspectors(category, inspector_sets)
        eligible = by_category[category]
        excluded = conflicts_of.get(target_position)
        if excluded:
            eligible = [p for p in eligible if p not in excluded]
        if len(eligible) < per_target:
            raise TooFewInspectors(target_position, len(eligible), per_target)
        picked = partial_shuffle(stream, len(eligible), per_target)
        result.append((target_position, [eligible[p] for p in picked]))
    return result


def result_digest(result: Sequence[tuple[int, Sequence[int]]]) -> str:
    return digest([[t, list(i)] for t, i in result])
