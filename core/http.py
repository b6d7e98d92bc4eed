from django.conf import settings
from django.views.decorators.http import require_http_methods


def client_ip(request) -> str | None:
    """The client's address; X-Forwarded-For only behind a configured number of proxies."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


# Every function view states its methods; anything else (PUT, DELETE, OPTIONS, FOO) gets 405.
page_methods = require_http_methods(["GET", "HEAD", "POST"])
