"""Secrets at rest: MultiFernet over ``settings.ENCRYPTION_KEYS`` (newest key first).

Fernet (AES-128-CBC with HMAC-SHA256) is ASVS "legacy" but vetted and
rotatable; it is recorded as such in docs/operations.md. Rotation: prepend a
new key, run ``manage.py rotate_secrets``, then drop the old key.
"""

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

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


class EncryptedTextField(models.TextField):
    """A text column whose value is stored encrypted; the empty string stays empty (no secret set)."""

    def to_python(self, value):
        # Fixtures and backups carry the ciphertext (see value_to_string), never the secret.
        if isinstance(value, str) and value.startswith(PREFIX):
            return decrypt(value)
        return value

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return encrypt(value) if value else ""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)
