"""Sealing what the stores keep: nothing a user typed and no Keystone token sits in
clear at rest.

Every session field and every wizard record is encrypted and authenticated with
AES-256-GCM (``cryptography``) under a key derived from the app's secret key with
HKDF, so every host that shares ``SECRET_KEY`` reads what the others wrote, and
nobody without it reads anything. Each value gets a random 96-bit nonce: safe for
far more values than a portal seals under one key (about 2**32).
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["Sealer"]

_NONCE = 12


class Sealer:
    """Encrypts and authenticates values with a key derived from ``secret_key``.

    :param secret_key: the app's secret key (any length).
    """

    def __init__(self, secret_key: str | bytes) -> None:
        secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
        key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"skiff state at rest"
        ).derive(secret)
        self._aead = AESGCM(key)

    def seal(self, value: bytes) -> bytes:
        """``value`` encrypted and authenticated (a nonce, then the ciphertext)."""
        nonce = os.urandom(_NONCE)
        return nonce + self._aead.encrypt(nonce, value, None)

    def unseal(self, sealed: bytes) -> bytes | None:
        """The value :meth:`seal` was given, or None when ``sealed`` was not made
        with this key (another secret key, or tampered with)."""
        try:
            return self._aead.decrypt(sealed[:_NONCE], sealed[_NONCE:], None)
        except (InvalidTag, ValueError):
            return None
