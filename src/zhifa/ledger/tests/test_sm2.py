"""SM2 co-signatures on checkpoints through the installed OpenSSL (INF-05)."""

import pytest

from zhifa import ledger
from zhifa.ledger import sm2
from zhifa.ledger.note import Checkpoint, NoteError, Verifier, open_note, sign_note
from zhifa.ledger.services import checkpoint_issue
from zhifa.ledger.signing import ledger_signer, ledger_signers, ledger_verifiers

pytestmark = [
    pytest.mark.req("INF-05"),
    pytest.mark.skipif(not sm2.available(), reason="the installed OpenSSL has no SM2"),
]
TEXT = Checkpoint("zhifa.example/ledger", 7, bytes(32)).text()


def test_sm2_signer_round_trip_and_key_formats():
    signer = sm2.SM2Signer.generate("zhifa.example/ledger")
    again = sm2.SM2Signer.from_key(signer.signer_key())
    assert again.key_id == signer.key_id
    verifier = Verifier.from_key(signer.verifier_key())
    assert open_note(sign_note(TEXT, again), [verifier]) == TEXT


def test_a_changed_note_or_a_foreign_sm2_key_is_refused():
    signer = sm2.SM2Signer.generate("zhifa.example/ledger")
    note = sign_note(TEXT, signer)
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(note.replace("\n7\n", "\n8\n"), [Verifier.from_key(signer.verifier_key())])
    other = sm2.SM2Signer.generate("zhifa.example/ledger")
    with pytest.raises(NoteError, match="no signature by a trusted key"):
        open_note(note, [Verifier.from_key(other.verifier_key())])
    forged = signer.verifier_key()[:-6] + "AAAAAA"
    with pytest.raises(NoteError):
        Verifier.from_key(forged)


@pytest.mark.django_db
def test_checkpoints_carry_ed25519_and_sm2_signatures(settings):
    settings.ZHIFA_LEDGER_SM2 = "on"
    from django.db import transaction

    with transaction.atomic():
        ledger.append(actor=None, action="test.sm2")
    checkpoint = checkpoint_issue()
    lines = checkpoint.note.rstrip("\n").split("\n\n")[1].split("\n")
    assert len(lines) == 2
    assert len(ledger_signers()) == 2
    # Each key alone verifies the note: an Ed25519-only verifier skips the SM2 line.
    for verifier in ledger_verifiers():
        assert open_note(checkpoint.note, [verifier]).startswith(settings.ZHIFA_LEDGER_ORIGIN)
    assert open_note(checkpoint.note, [Verifier.from_key(ledger_signer().verifier_key())])


@pytest.mark.django_db
def test_sm2_off_signs_with_ed25519_only(settings):
    settings.ZHIFA_LEDGER_SM2 = "off"
    assert len(ledger_signers()) == 1
