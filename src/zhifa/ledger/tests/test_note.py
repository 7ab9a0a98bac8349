"""Known-answer tests from the signed-note specification and Go's sumdb/note."""

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.ledger.note import (
    Checkpoint,
    Ed25519Signer,
    NoteError,
    Verifier,
    open_note,
    sign_note,
)

# golang.org/x/mod/sumdb/note, note_test.go: the PeterNeumann key pair.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
# c2sp.org/signed-note: the example of the specification.
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n\u2014 example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)


def test_signing_reproduces_the_published_go_note_byte_for_byte():
    signer = Ed25519Signer.from_key(GO_SKEY)
    assert signer.verifier_key() == GO_VKEY
    assert signer.signer_key() == GO_SKEY
    assert sign_note(GO_TEXT, signer) == GO_NOTE


@pytest.mark.parametrize(
    ("note", "vkey", "text"),
    [(GO_NOTE, GO_VKEY, GO_TEXT), (SPEC_NOTE, SPEC_VKEY, "This is an example message.\n")],
)
def test_published_notes_open_with_their_keys(note, vkey, text):
    assert open_note(note, [Verifier.from_key(vkey)]) == text


def test_a_changed_text_or_an_unknown_key_is_refused():
    verifier = Verifier.from_key(GO_VKEY)
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(GO_NOTE.replace("cryptography", "cryptographY"), [verifier])
    with pytest.raises(NoteError, match="no signature by a trusted key"):
        open_note(GO_NOTE, [Verifier.from_key(SPEC_VKEY)])


@pytest.mark.parametrize(
    "vkey",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong hash
        "PeterNeumann+c74f20a3+ApRc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong key
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # space
        "PeterNeumann+c74f20a3",
    ],
)
def test_malformed_verifier_keys_are_refused(vkey):
    with pytest.raises(NoteError):
        Verifier.from_key(vkey)


def test_a_second_signature_by_another_key_does_not_hide_a_forgery():
    go = Ed25519Signer.from_key(GO_SKEY)
    other = Ed25519Signer.generate("zhifa.example/ledger")
    note = sign_note(GO_TEXT, go, other)
    verifiers = [Verifier.from_key(GO_VKEY), Verifier.from_key(other.verifier_key())]
    assert open_note(note, verifiers) == GO_TEXT
    forged = note.replace(note.splitlines()[-1][-10:], "AAAAAAAAA=")
    with pytest.raises(NoteError):
        open_note(forged, verifiers)


@given(size=st.integers(min_value=0, max_value=2**63), root=st.binary(min_size=32, max_size=32))
def test_checkpoints_round_trip_through_a_signed_note(size, root):
    signer = Ed25519Signer.from_key(GO_SKEY)
    checkpoint = Checkpoint("zhifa.example/示范县", size, root)
    note = sign_note(checkpoint.text(), signer)
    assert Checkpoint.parse(open_note(note, [Verifier.from_key(GO_VKEY)])) == checkpoint


@pytest.mark.parametrize(
    "text",
    ["origin\n01\n" + base64.b64encode(b"x" * 32).decode() + "\n", "origin\n1\nAAAA\n", "\n1\n"],
)
def test_malformed_checkpoints_are_refused(text):
    with pytest.raises(NoteError):
        Checkpoint.parse(text)
