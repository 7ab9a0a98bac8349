"""Gap-free numbers per agency, sequence and year (案件编号, 文号).

``number_next`` must run inside the transaction of the write that uses the
number: the sequence row stays locked until that transaction ends, so two
writers never get the same number, and a rolled-back write gives its number
back. On SQLite the whole write transaction is already exclusive
(``BEGIN IMMEDIATE``); on PostgreSQL ``SELECT … FOR UPDATE`` serialises the
writers of one sequence only.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from zhifa.accounts.models import Agency
from zhifa.cases.models import NumberSequence


def number_next(*, agency: Agency, name: str, year: int) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_next must be called inside transaction.atomic()")
    sequence = _locked(agency, name, year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def _locked(agency: Agency, name: str, year: int) -> NumberSequence:
    query = NumberSequence.objects.select_for_update().filter(agency=agency, name=name, year=year)
    sequence = query.first()
    if sequence is not None:
        return sequence
    try:
        # A savepoint, so that losing the race to create the row does not
        # spoil the caller's transaction.
        with transaction.atomic():
            NumberSequence.objects.create(agency=agency, name=name, year=year, last=0)
    except IntegrityError:
        pass  # created by a concurrent writer a moment earlier
    return query.get()


def number_peek(*, agency: Agency, name: str, year: int) -> int:
    """The last number used, without taking one."""
    row = NumberSequence.objects.filter(agency=agency, name=name, year=year).first()
    return row.last if row else 0
