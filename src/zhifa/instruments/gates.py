"""Conditions other apps set on issuing an instrument (REV-09, RSN-04).

Issuing a decision is the act the legal review and the reasons check guard:
``@gate(Kind.DECISION, …)`` registers ``fn(case, kind) -> [refusal, …]`` and
``instruments_issue`` runs every gate of the kinds it issues under the case's
row lock, so no door (workbench, API, command) can issue around them. A
refusal is written to the ledger as ``instrument.refused`` in its own
transaction, after the issuing one has rolled back, so the attempt itself is
on record (REV-10).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.db import transaction

from zhifa import ledger
from zhifa.core.errors import Conflict

Gate = Callable[..., list[str]]
_GATES: dict[str, list[Gate]] = defaultdict(list)


def gate(*kinds: str) -> Callable[[Gate], Gate]:
    """Register ``fn(case, kind) -> [refusal, …]`` as a condition for issuing ``kinds``."""

    def register(fn: Gate) -> Gate:
        for kind in kinds:
            if fn not in _GATES[kind]:
                _GATES[kind].append(fn)
        return fn

    return register


def refusals(case, kind: str) -> list[str]:
    """Every registered gate's refusals for issuing ``kind`` in ``case`` now."""
    found: list[str] = []
    for fn in _GATES.get(kind, ()):
        found.extend(fn(case, kind))
    return found


class GateClosed(Conflict):
    """Issuing was refused by a gate; carries what the ledger records."""

    default_code = "gate_closed"

    def __init__(self, case, kind: str, reasons: list[str]) -> None:
        super().__init__("不得制作此文书：" + "；".join(reasons), details=reasons)
        self.case = case
        self.kind = kind


def require_open_gates(case, kind: str) -> None:
    found = refusals(case, kind)
    if found:
        raise GateClosed(case, kind, found)


def refusal_record(*, actor, error: GateClosed) -> None:
    """Write the refused attempt to the ledger (outside the rolled-back issue)."""
    with transaction.atomic():
        ledger.append(
            actor=actor,
            action="instrument.refused",
            obj=error.case,
            payload={"case": error.case.number, "kind": error.kind, "reasons": error.details},
        )
