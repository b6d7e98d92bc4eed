"""The same-site paths a support request points at."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

PATH_MAX_LENGTH = 500
NOT_A_SITE_PATH = _("Enter a path on this site, e.g. /customers/.")


def validate_site_path(value: str) -> None:
    """A path on this site (``/customers/5/?tab=x``): never a scheme, a host, or ``//`` and ``\\`` that a
    browser reads as another site, so a link built from it cannot lead elsewhere."""
    if not value:
        return
    if len(value) > PATH_MAX_LENGTH:
        raise ValidationError(NOT_A_SITE_PATH, code="invalid")
    if not value.startswith("/"):
        raise ValidationError(NOT_A_SITE_PATH, code="invalid")
    if any(char.isspace() or not char.isprintable() for char in value):
        raise ValidationError(NOT_A_SITE_PATH, code="invalid")
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=set()):
        raise ValidationError(NOT_A_SITE_PATH, code="invalid")


def is_site_path(value: str) -> bool:
    try:
        validate_site_path(value)
    except ValidationError:
        return False
    return bool(value)
