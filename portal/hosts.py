"""Portal URLs and host names: one canonical form, so one host belongs to exactly one template."""

from __future__ import annotations

from urllib.parse import urlsplit

import idna
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INVALID_PORTAL_URL = _(
    "Enter the portal's address as http(s)://host name, without a path, e.g. https://kunden.example.de"
)


def normalize_host(value: str) -> str:
    """A host name as requests carry it: IDNA (punycode), lowercase, no port, no trailing dot.

    Raises ``ValueError`` for anything that is not a DNS host name (addresses, paths, spaces, ...).
    """
    host = (value or "").strip().rstrip(".").lower()
    if not host or len(host) > 253:
        raise ValueError(host)
    try:
        host = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise ValueError(host) from error
    labels = host.split(".")
    if len(labels) < 2 or labels[-1].isdigit():
        raise ValueError(host)
    return host


def split_portal_url(value: str) -> tuple[str, str]:
    """``(portal_url, host)`` in canonical form: ``scheme://host[:port]`` and the bare host name.

    Refuses other schemes, user info, paths, queries and fragments with a field error.
    """
    try:
        parts = urlsplit((value or "").strip())
        port = parts.port
    except ValueError:
        raise ValidationError(INVALID_PORTAL_URL, code="invalid") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise ValidationError(INVALID_PORTAL_URL, code="invalid")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValidationError(INVALID_PORTAL_URL, code="invalid")
    try:
        host = normalize_host(parts.hostname)
    except ValueError:
        raise ValidationError(INVALID_PORTAL_URL, code="invalid") from None
    default_port = {"http": 80, "https": 443}[parts.scheme]
    netloc = host if port in (None, default_port) else f"{host}:{port}"
    return f"{parts.scheme}://{netloc}", host
