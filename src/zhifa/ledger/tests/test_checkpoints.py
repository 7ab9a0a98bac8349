import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, transaction

from zhifa.ledger import checkpoint_store
from zhifa.ledger.models import LedgerCheckpoint
from zhifa.ledger.note import Checkpoint, Ed25519Signer, Verifier, open_note, sign_note
from zhifa.ledger.selectors import checkpoint_audit, ledger_root
from zhifa.ledger.services import checkpoint_issue
from zhifa.ledger.signing import ledger_signer
from zhifa.ledger.tests.tampering import append_events, behind_the_guard

pytestmark = [pytest.mark.django_db, pytest.mark.req("REC-11")]


def test_a_checkpoint_signs_the_current_size_and_root_and_is_copied_outside():
    append_events(5)
    checkpoint = checkpoint_issue()
    size, root = ledger_root()
    assert (checkpoint.size, checkpoint.root) == (5, root.hex())
    signed = Checkpoint.parse(
        open_note(checkpoint.note, [Verifier.from_key(ledger_signer().verifier_key())])
    )
    assert (signed.origin, signed.size, signed.root) == ("zhifa.local/ledger", size, root)
    assert checkpoint_store.read(5) == checkpoint.note
    assert checkpoint_audit() == []


def test_no_new_entries_no_new_checkpoint_and_the_key_is_kept():
    assert checkpoint_issue() is None  # an empty ledger has nothing to sign
    append_events(2)
    first = checkpoint_issue()
    assert checkpoint_issue() is None
    append_events(1)
    second = checkpoint_issue()
    assert (first.size, second.size) == (2, 3)
    assert first.key_id == second.key_id
    call_command("ledger", "verify")


def test_checkpoints_cannot_be_changed_or_deleted():
    append_events(1)
    checkpoint_issue()
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerCheckpoint.objects.update(root="0" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerCheckpoint.objects.all().delete()


def test_an_entry_rewritten_after_a_checkpoint_is_found():
    append_events(4)
    checkpoint_issue()
    # Someone with the database password edits entry 2: the checkpoint audit
    # finds it on its own, whatever was done to the hash chain.
    behind_the_guard("UPDATE ledger_entry SET action = 'forged' WHERE seq = 2")
    findings = checkpoint_audit()
    assert [f.kind for f in findings] == ["proof_invalid"]
    assert "前 4 条记录与检查点 4签署时不同" in findings[0].message
    with pytest.raises(CommandError, match="检查点 4"):
        call_command("ledger", "verify")


def test_a_checkpoint_re_signed_with_another_key_is_found():
    append_events(3)
    checkpoint = checkpoint_issue()
    _, root = ledger_root()
    forger = Ed25519Signer.generate("zhifa.local/ledger")
    forged = sign_note(Checkpoint("zhifa.local/ledger", 3, root).text(), forger)
    behind_the_guard("UPDATE ledger_checkpoint SET note = %s WHERE size = 3", [forged])
    kinds = {(f.kind, f.object) for f in checkpoint_audit()}
    assert ("signature_invalid", "检查点 3") in kinds
    assert ("changed", str(checkpoint_store.path_for(checkpoint.size))) in kinds


def test_a_missing_or_changed_outside_copy_is_found():
    append_events(2)
    checkpoint = checkpoint_issue()
    path = checkpoint_store.path_for(checkpoint.size)
    path.chmod(0o644)
    path.write_text(checkpoint.note.replace("2\n", "3\n", 1))
    assert [f.kind for f in checkpoint_audit()] == ["changed", "signature_invalid"]
    path.unlink()
    assert [f.kind for f in checkpoint_audit()] == ["missing"]


def test_removed_entries_after_a_checkpoint_are_found():
    append_events(3)
    checkpoint_issue()
    behind_the_guard("DELETE FROM ledger_entry WHERE seq = 3")
    assert [f.kind for f in checkpoint_audit()] == ["missing"]


def test_the_signer_key_can_come_from_the_environment(settings):
    signer = Ed25519Signer.generate("zhifa.example/county")
    settings.ZHIFA_LEDGER_SIGNER_KEY = signer.signer_key()
    append_events(1)
    assert checkpoint_issue().key_id == signer.key_id.hex()


def test_checkpoint_and_public_key_commands(capsys):
    append_events(2)
    call_command("ledger", "checkpoint", "--watch", "--rounds", "1")
    call_command("ledger", "public-key")
    out = capsys.readouterr().out
    assert "已签发检查点：2 条" in out
    assert ledger_signer().verifier_key() in out


def test_a_database_rewritten_with_a_stolen_key_is_caught_by_the_outside_copy(settings):
    append_events(3)
    checkpoint_issue()
    # The attacker holds the database and the signing key, rewrites entry 1,
    # deletes the checkpoint row and signs a fresh one over the forged ledger.
    behind_the_guard("UPDATE ledger_entry SET action = 'forged' WHERE seq = 1")
    behind_the_guard("DELETE FROM ledger_checkpoint")
    _, root = ledger_root()
    forged = sign_note(Checkpoint("zhifa.local/ledger", 3, root).text(), ledger_signer())
    behind_the_guard(
        "INSERT INTO ledger_checkpoint (size, root, note, key_name, key_id, issued_at) "
        "VALUES (3, %s, %s, 'k', 'k', CURRENT_TIMESTAMP)",
        [root.hex(), forged],
    )
    findings = checkpoint_audit()
    messages = " ".join(f.message for f in findings)
    assert "检查点 3与库外副本不一致" in messages
    assert "台账前 3 条记录与检查点 3（库外副本）签署时不同" in messages


def test_a_checkpoint_row_deleted_from_the_database_is_found_from_its_copy():
    append_events(2)
    checkpoint_issue()
    behind_the_guard("DELETE FROM ledger_checkpoint")
    assert [f.message for f in checkpoint_audit()] == ["数据库中缺少检查点 2，库外副本仍在"]


@pytest.mark.django_db(transaction=True)
def test_flush_sets_the_old_checkpoint_copies_aside(settings):
    append_events(2)
    checkpoint_issue()
    call_command("flush", interactive=False, verbosity=0)
    assert checkpoint_store.sizes() == []
    append_events(1)
    checkpoint_issue()
    assert checkpoint_audit() == []
