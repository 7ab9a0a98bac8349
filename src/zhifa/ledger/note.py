"""Signed notes (c2sp.org/signed-note) and checkpoints (c2sp.org/tlog-checkpoint).

A checkpoint states a tree size and root; signed, it commits the ledger to its
content at that moment. Any verifier that speaks the format (Go's
``sumdb/note``, transparency-dev witnesses) can check Zhifa's checkpoints.

Signing goes through the ``Signer`` protocol so that an external 电子签章 or
HSM service can sign instead of a key held by Zhifa: implement ``name``,
``key_id``, ``verifier_key()`` and ``sign(message)`` over that service.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALG_ED25519 = 0x01
ALG_SM2 = 0xFF  # unregistered in signed-note; Zhifa's SM2 co-signature (see ledger.sm2)
_EM_DASH = "\u2014"


class NoteError(ValueError):
    """The note is malformed or no trusted signature verifies it."""


def key_id(name: str, alg: int, public_key: bytes) -> bytes:
    """The 4-byte key hash of signed-note: SHA-256(name ‖ 0x0A ‖ alg ‖ key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()[:4]


def _check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise NoteError(f"key name {name!r} must be non-empty, without spaces or '+'")


class Signer(Protocol):
    name: str
    key_id: bytes

    def verifier_key(self) -> str: ...

    def sign(self, message: bytes) -> bytes: ...


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: bytes
    public_key: Ed25519PublicKey

    @classmethod
    def from_key(cls, vkey: str) -> Verifier:  # or an SM2Verifier, which verifies alike
        """Parse a verifier key ``name+hash+base64(alg ‖ public key)``."""
        try:
            name, hash_hex, material = vkey.split("+", 2)
            raw = base64.b64decode(material, validate=True)
            expected = bytes.fromhex(hash_hex)
        except ValueError:
            raise NoteError("malformed verifier key") from None
        _check_name(name)
        if raw[:1] == bytes([ALG_SM2]) and len(expected) == 4:
            from zhifa.ledger.sm2 import SM2Verifier

            if key_id(name, ALG_SM2, raw[1:]) != expected:
                raise NoteError("verifier key hash does not match its key")
            return SM2Verifier(name, expected, raw[1:])
        if len(raw) != 33 or raw[0] != ALG_ED25519 or len(expected) != 4:
            raise NoteError("only Ed25519 and SM2 verifier keys are supported")
        if key_id(name, ALG_ED25519, raw[1:]) != expected:
            raise NoteError("verifier key hash does not match its key")
        return cls(name, expected, Ed25519PublicKey.from_public_bytes(raw[1:]))

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            self.public_key.verify(signature, message)
        except InvalidSignature:
            return False
        return True


class Ed25519Signer:
    """The default signer: an Ed25519 key held by Zhifa."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        _check_name(name)
        self.name = name
        self._key = private_key
        self.public_key = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.key_id = key_id(name, ALG_ED25519, self.public_key)

    @classmethod
    def generate(cls, name: str) -> Ed25519Signer:
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_key(cls, skey: str) -> Ed25519Signer:
        """Parse a signer key ``PRIVATE+KEY+name+hash+base64(alg ‖ seed)``."""
        try:
            private, key, name, hash_hex, material = skey.split("+", 4)
            raw = base64.b64decode(material, validate=True)
        except ValueError:
            raise NoteError("malformed signer key") from None
        if (private, key) != ("PRIVATE", "KEY") or len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("not an Ed25519 signer key")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if signer.key_id.hex() != hash_hex:
            raise NoteError("signer key hash does not match its key")
        return signer

    def signer_key(self) -> str:
        seed = self._key.private_bytes_raw()
        material = base64.b64encode(bytes([ALG_ED25519]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{material}"

    def verifier_key(self) -> str:
        material = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{material}"

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)


def sign_note(text: str, *signers: Signer) -> str:
    """Append one signature line per signer to ``text`` (which ends in a newline)."""
    if not text.endswith("\n"):
        raise NoteError("note text must end in a newline")
    lines = []
    for signer in signers:
        signature = signer.key_id + signer.sign(text.encode())
        lines.append(f"{_EM_DASH} {signer.name} {base64.b64encode(signature).decode()}\n")
    return text + "\n" + "".join(lines)


def open_note(note: str, verifiers: list[Verifier]) -> str:
    """Return the text of ``note`` if at least one trusted verifier's signature holds.

    A signature line by a known key that does not verify makes the whole note
    invalid: a forged line must never hide behind a good one.
    """
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise NoteError("note contains control characters")
    text, sep, block = note.rpartition("\n\n")
    if not sep or not block.endswith("\n"):
        raise NoteError("note has no signature block")
    text += "\n"
    trusted = {(v.name, v.key_id): v for v in verifiers}
    verified = False
    for line in block[:-1].split("\n"):
        prefix, _, rest = line.partition(" ")
        name, _, encoded = rest.partition(" ")
        if prefix != _EM_DASH or not name or not encoded:
            raise NoteError(f"malformed signature line {line!r}")
        try:
            signature = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise NoteError(f"malformed signature for {name}") from None
        verifier = trusted.get((name, signature[:4]))
        if verifier is None:
            continue
        if not verifier.verify(text.encode(), signature[4:]):
            raise NoteError(f"invalid signature by {name}")
        verified = True
    if not verified:
        raise NoteError("no signature by a trusted key")
    return text


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode()}\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or not lines[0] or not lines[1].isdigit():
            raise NoteError("malformed checkpoint")
        if len(lines[1]) > 1 and lines[1].startswith("0"):
            raise NoteError("checkpoint size has leading zeros")
        try:
            root = base64.b64decode(lines[2], validate=True)
        except ValueError:
            raise NoteError("malformed checkpoint root") from None
        if len(root) != 32:
            raise NoteError("checkpoint root must be 32 bytes")
        return cls(lines[0], int(lines[1]), root)
