"""The question a reverse proxy with on-demand certificates asks before it gets one (Caddy's ``on_demand_tls``
``ask``): is this host name a portal host? 200 for a host the portal serves (``portal.routing``: a template's
host, of an active account), 404 for any other, 400 for what is not a host name. Nothing else is said, so the
answer tells a stranger no more than DNS and TLS would."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.views.decorators.http import require_GET

from portal.hosts import normalize_host
from portal.routing import template_for_host


@login_not_required
@require_GET
def tls_ask_view(request: HttpRequest) -> HttpResponse:
    try:
        host = normalize_host(request.GET.get("domain", ""))
    except ValueError:
        return HttpResponseBadRequest(content_type="text/plain")
    # The same rule that routes requests: a certificate exactly for the hosts that get a portal.
    if template_for_host(host) is None:
        return HttpResponseNotFound(content_type="text/plain")
    return HttpResponse(content_type="text/plain")
