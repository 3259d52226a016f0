"""Sealing what the stores keep: nothing a user typed or a Keystone token sits in
clear at rest.

Every session field and every wizard record is encrypted and authenticated with
Fernet (AES-128-CBC and HMAC-SHA256, from ``cryptography``) under a key derived
from the app's secret key with HKDF, so every host that shares ``SECRET_KEY``
reads what the others wrote, and nobody without it reads anything.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet
from cryptography.fernet import InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["Sealer"]


class Sealer:
    """Encrypts and authenticates values with a key derived from ``secret_key``.

    :param secret_key: the app's secret key (any length).
    """

    def __init__(self, secret_key: str | bytes) -> None:
        secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"skiff state at rest"
        ).derive(secret)
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, value: bytes) -> bytes:
        """``value`` encrypted and signed."""
        return self._fernet.encrypt(value)

    def unseal(self, sealed: bytes) -> bytes | None:
        """The value :meth:`seal` was given, or None when ``sealed`` was not made
        with this key (another secret key, or tampered with)."""
        try:
            return self._fernet.decrypt(sealed)
        except InvalidToken:
            return None
