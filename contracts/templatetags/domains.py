"""Domain names as people read them: Unicode first, the stored ASCII (punycode) form as secondary text."""

from __future__ import annotations

from typing import Any

from django import template

from contracts.models import to_unicode

register = template.Library()


@register.filter
def unicode_domain(name: str) -> str:
    """``xn--caf-dma.de`` → ``café.de``; any other text as it is."""
    return to_unicode(name) if name else ""


@register.inclusion_tag("contracts/includes/domain_name.html")
def domain_name(name: str, empty: str = "–") -> dict[str, Any]:
    """A stored domain name in Unicode, with its punycode beneath when it differs; ``empty`` when there is none."""
    readable = to_unicode(name) if name else ""
    return {"ascii": name, "unicode": readable, "is_idn": readable != name, "empty": empty}
