"""SM2 co-signatures on checkpoints (INF-05: 国密), through the installed OpenSSL.

``cryptography`` has no SM2, but OpenSSL 3 does: keys are made and notes signed
and verified by the ``openssl`` command (SM2 with SM3, GB/T 32918.2, the default
identifier 1234567812345678). A checkpoint then carries two signature lines,
Ed25519 and SM2; verifiers that know only one of them still accept the note
(c2sp.org/signed-note: unknown signatures are skipped).

Signature type ``0xff`` is not registered by signed-note; Zhifa uses it for
SM2, with the public key as DER SubjectPublicKeyInfo. Signing takes a process
start (about 10 ms), fine for one checkpoint a minute.
"""

from __future__ import annotations

import base64
import functools
import os
import subprocess
from pathlib import Path

from zhifa.ledger import openssl
from zhifa.ledger.note import ALG_SM2, NoteError, _check_name, key_id
from zhifa.ledger.openssl import OpenSSLError


def _openssl(*args: str, data: bytes = b"", files: dict[str, bytes] | None = None) -> bytes:
    try:
        return openssl.run(*args, data=data, files=files)
    except OpenSSLError as exc:
        raise NoteError(f"openssl {args[0]} failed: {exc}") from None


@functools.cache
def available() -> bool:
    """Whether the installed OpenSSL makes SM2 keys."""
    try:
        return b"PRIVATE KEY" in _openssl("genpkey", "-algorithm", "SM2")
    except (NoteError, OSError, subprocess.SubprocessError):
        return False


class SM2Signer:
    """A ``note.Signer`` whose key is an SM2 key in PEM, held by Zhifa."""

    def __init__(self, name: str, private_pem: bytes) -> None:
        _check_name(name)
        self.name = name
        self._pem = private_pem
        self.public_key = _openssl(
            "pkey", "-in", "key.pem", "-pubout", "-outform", "DER", files={"key.pem": private_pem}
        )
        self.key_id = key_id(name, ALG_SM2, self.public_key)

    @classmethod
    def generate(cls, name: str) -> SM2Signer:
        return cls(name, _openssl("genpkey", "-algorithm", "SM2"))

    @classmethod
    def from_key(cls, skey: str) -> SM2Signer:
        """Parse ``PRIVATE+SM2+name+hash+base64(pem)``."""
        try:
            private, kind, name, hash_hex, material = skey.split("+", 4)
            pem = base64.b64decode(material, validate=True)
        except ValueError:
            raise NoteError("malformed SM2 signer key") from None
        if (private, kind) != ("PRIVATE", "SM2"):
            raise NoteError("not an SM2 signer key")
        signer = cls(name, pem)
        if signer.key_id.hex() != hash_hex:
            raise NoteError("SM2 signer key hash does not match its key")
        return signer

    def signer_key(self) -> str:
        material = base64.b64encode(self._pem).decode()
        return f"PRIVATE+SM2+{self.name}+{self.key_id.hex()}+{material}"

    def verifier_key(self) -> str:
        material = base64.b64encode(bytes([ALG_SM2]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{material}"

    def sign(self, message: bytes) -> bytes:
        return _openssl(
            "pkeyutl", "-sign", "-inkey", "key.pem", "-rawin", "-digest", "sm3",
            data=message, files={"key.pem": self._pem},
        )  # fmt: skip


class SM2Verifier:
    def __init__(self, name: str, key_hash: bytes, public_der: bytes) -> None:
        self.name, self.key_id, self.public_key = name, key_hash, public_der

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            _openssl(
                "pkeyutl", "-verify", "-pubin", "-inkey", "key.der", "-keyform", "DER",
                "-rawin", "-digest", "sm3", "-sigfile", "sig",
                data=message, files={"key.der": self.public_key, "sig": signature},
            )  # fmt: skip
        except NoteError:
            return False
        return True


def key_file_signer(path: Path, name: str) -> SM2Signer:
    """The SM2 key in ``path``, made on first use (mode 0600, never overwritten)."""
    if path.exists():
        return SM2Signer.from_key(path.read_text().strip())
    signer = SM2Signer.generate(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return SM2Signer.from_key(path.read_text().strip())
    with os.fdopen(fd, "w") as handle:
        handle.write(signer.signer_key() + "\n")
    return signer
