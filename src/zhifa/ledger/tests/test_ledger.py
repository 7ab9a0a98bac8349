import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from zhifa import ledger
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import ledger_verify
from zhifa.ledger.tests.tampering import append_events, behind_the_guard

pytestmark = pytest.mark.django_db


def test_entries_are_numbered_and_linked():
    append_events(3)
    entries = list(LedgerEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[1].prev_hash == entries[0].entry_hash
    assert ledger_verify().ok


@pytest.mark.django_db(transaction=True)
def test_append_outside_a_transaction_is_refused():
    # The entry must commit or roll back with the change it records.
    with pytest.raises(RuntimeError):
        ledger.append(actor=None, action="test.event")
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE ledger_entry SET action = 'changed' WHERE seq = 1",
        "DELETE FROM ledger_entry WHERE seq = 1",
    ],
)
def test_the_database_refuses_update_and_delete(statement):
    append_events(2)
    with (
        pytest.raises(DatabaseError, match="台账记录只能追加"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert LedgerEntry.objects.get(seq=1).action == "test.event"
    assert LedgerEntry.objects.count() == 2


def test_the_orm_cannot_change_or_delete_entries():
    append_events(1)
    entry = LedgerEntry.objects.get()
    entry.action = "changed"
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.all().delete()
    assert LedgerEntry.objects.get().action == "test.event"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists on PostgreSQL only")
def test_postgresql_refuses_truncate():
    append_events(1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE ledger_entry")
    assert LedgerEntry.objects.count() == 1


def test_verify_pinpoints_an_entry_altered_behind_the_guard():
    append_events(4)
    # Someone with the database password drops the guard and edits an entry.
    behind_the_guard("UPDATE ledger_entry SET payload = %s WHERE seq = 3", ['{"i": 99}'])
    report = ledger_verify()
    assert not report.ok
    assert report.first_bad_seq == 3


def test_verify_pinpoints_a_removed_entry():
    append_events(4)
    behind_the_guard("DELETE FROM ledger_entry WHERE seq = 2")
    report = ledger_verify()
    assert (report.ok, report.first_bad_seq) == (False, 2)


def test_ledger_verify_command(capsys):
    append_events(2)
    call_command("ledger", "verify")
    assert "台账完整：共 2 条" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_ledger_and_keeps_the_guard():
    append_events(2)
    call_command("flush", interactive=False, verbosity=0)
    assert LedgerEntry.objects.count() == 0
    append_events(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.all().delete()
