"""Secrets at rest: MultiFernet over ``settings.ENCRYPTION_KEYS`` (newest key first).

Fernet (AES-128-CBC with HMAC-SHA256) is ASVS "legacy" but vetted and
rotatable; it is recorded as such in docs/operations.md. Rotation: prepend a
new key, run ``manage.py rotate_secrets``, then drop the old key.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.expressions import Expression

    # Django's fields take type arguments only in the stubs.
    _TextField = models.TextField[str, str]
else:
    _TextField = models.TextField

PREFIX = "fernet:"


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return PREFIX + fernet().encrypt(plaintext.encode()).decode()


def decrypt(stored: str) -> str:
    try:
        return fernet().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken as error:
        raise ValueError("A stored secret cannot be decrypted with the configured ENCRYPTION_KEYS.") from error


def rotate(stored: str) -> str:
    return PREFIX + fernet().rotate(stored.removeprefix(PREFIX).encode()).decode()


class EncryptedTextField(_TextField):
    """A text column whose value is stored encrypted; the empty string stays empty (no secret set)."""

    def to_python(self, value: Any) -> Any:
        # Fixtures and backups carry the ciphertext (see value_to_string), never the secret.
        if isinstance(value, str) and value.startswith(PREFIX):
            return decrypt(value)
        return value

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return encrypt(value) if value else ""

    def from_db_value(self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper) -> str | None:
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)
