"""Activation codes: 13 Crockford base32 characters (65 bits), shown as XXXX-XXXX-XXXX-X.

Only a SHA-256 of the normalised code is stored. Input is forgiving the way
Crockford's alphabet intends: case, spaces and dashes do not matter, and the
look-alikes O, I and L read as 0, 1 and 1.
"""

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 13
_CONFUSABLES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def generate() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def normalize(value: str) -> str | None:
    """The canonical 13 characters, or None when the input cannot be a code."""
    if not value or len(value) > 64:
        return None
    cleaned = "".join(value.split()).replace("-", "").upper().translate(_CONFUSABLES)
    if len(cleaned) != LENGTH or any(char not in ALPHABET for char in cleaned):
        return None
    return cleaned


def digest(normalized: str) -> str:
    return hashlib.sha256(normalized.encode()).hexdigest()
