from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from portal.branding import image_urls


def portal_template(request: HttpRequest) -> dict[str, Any]:
    """The portal template of the request's host and its image URLs, for the end-customer layout."""
    template = getattr(request, "portal_template", None)
    if template is None:
        return {}
    return {"portal_template": template, "portal_images": image_urls(template)}
