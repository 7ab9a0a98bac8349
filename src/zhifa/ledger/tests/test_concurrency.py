import threading

import pytest
from django.db import connection, transaction

from zhifa import ledger
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import ledger_verify

WRITERS = 4
PER_WRITER = 25


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_leave_no_gap_and_no_duplicate():
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(PER_WRITER):
                with transaction.atomic():
                    ledger.append(actor=None, action="test.parallel", payload={"w": n, "i": i})
        except BaseException as exc:  # reported below, with the writer that failed
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    seqs = list(LedgerEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, WRITERS * PER_WRITER + 1))
    assert ledger_verify().ok
