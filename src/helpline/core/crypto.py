"""Encryption at rest for secrets kept in the database (TOTP seeds, webhook secrets, mailbox tokens).

The key comes from HELPLINE_ENCRYPTION_KEY, else it is derived from SECRET_KEY.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


def _fernet() -> Fernet:
    raw = os.environ.get("HELPLINE_ENCRYPTION_KEY") or settings.SECRET_KEY
    key = base64.urlsafe_b64encode(hashlib.sha256(("helpline-at-rest:" + raw).encode()).digest())
    return Fernet(key)


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # key rotated or data tampered with
        raise ValueError("cannot decrypt secret: wrong HELPLINE_ENCRYPTION_KEY or corrupted value") from exc


class EncryptedTextField(models.TextField):
    """A text column whose value is stored encrypted and read back in clear."""

    def from_db_value(self, value, expression, connection):  # type: ignore[no-untyped-def]
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):  # type: ignore[no-untyped-def]
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)
