"""The ledger's signing key and the keys its checkpoints are verified with."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

from zhifa.ledger.note import Ed25519Signer, Signer, Verifier


def _key_name() -> str:
    return settings.ZHIFA_LEDGER_ORIGIN


def ledger_signer() -> Signer:
    """The configured signer; on first use without one, a new key in the key file."""
    if settings.ZHIFA_LEDGER_SIGNER_KEY:
        return Ed25519Signer.from_key(settings.ZHIFA_LEDGER_SIGNER_KEY)
    path = Path(settings.ZHIFA_LEDGER_KEY_FILE)
    if path.exists():
        return Ed25519Signer.from_key(path.read_text().strip())
    signer = Ed25519Signer.generate(_key_name())
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes starting together must not both write a key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return Ed25519Signer.from_key(path.read_text().strip())
    with os.fdopen(fd, "w") as handle:
        handle.write(signer.signer_key() + "\n")
    return signer


def sm2_signer():
    """The SM2 co-signer (INF-05), where enabled and the installed OpenSSL has SM2;
    its key lives beside the Ed25519 key file."""
    from zhifa.ledger import sm2

    mode = settings.ZHIFA_LEDGER_SM2
    if mode == "off" or (mode == "auto" and not sm2.available()):
        return None
    path = Path(settings.ZHIFA_LEDGER_KEY_FILE).with_name("ledger-sm2.skey")
    return sm2.key_file_signer(path, _key_name())


def ledger_signers() -> list[Signer]:
    """Who signs each checkpoint: Ed25519, and SM2 as a co-signature where on."""
    co = sm2_signer()
    return [ledger_signer(), *([co] if co else [])]


def ledger_verifiers() -> list[Verifier]:
    keys = [s.verifier_key() for s in ledger_signers()] + list(settings.ZHIFA_LEDGER_TRUSTED_KEYS)
    return [Verifier.from_key(key) for key in keys]
