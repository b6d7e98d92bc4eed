from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest
from django.views.decorators.http import require_http_methods

if TYPE_CHECKING:
    from core.actor import Actor


class ActorRequest(HttpRequest):
    """A request that ``accounts.middleware.ActorMiddleware`` gave its actor; for annotations only."""

    actor: Actor


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; X-Forwarded-For only behind a configured number of proxies."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    if proxies:
        header: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    remote_addr: str | None = request.META.get("REMOTE_ADDR")
    return remote_addr


# Every function view states its methods; anything else (PUT, DELETE, OPTIONS, FOO) gets 405.
page_methods = require_http_methods(["GET", "HEAD", "POST"])
