"""Where the end-customer layout finds a template's images."""

from __future__ import annotations

from portal.models import PortalTemplate

IMAGE_KINDS = ("logo", "icon", "favicon")


def image_urls(template: PortalTemplate) -> dict[str, str]:
    """``{kind: URL}`` of the template's uploaded images; the one place that decides how they are served."""
    return {kind: template.image_url(kind) for kind in IMAGE_KINDS if getattr(template, kind)}
