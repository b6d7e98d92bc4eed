"""The question a reverse proxy with on-demand certificates asks before it gets one (Caddy's ``on_demand_tls``
``ask``): is this host name a portal host? 200 for a portal template's host, 404 for any other, 400 for what is
not a host name. Nothing else is said, so the answer tells a stranger no more than DNS and TLS would."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseNotFound
from django.views.decorators.http import require_GET

from portal.hosts import normalize_host
from portal.models import PortalTemplate


@login_not_required
@require_GET
def tls_ask_view(request: HttpRequest) -> HttpResponse:
    try:
        host = normalize_host(request.GET.get("domain", ""))
    except ValueError:
        return HttpResponseBadRequest()
    # unrestricted: the proxy asks for every account's hosts; the answer is yes or no, over the unique index
    if PortalTemplate.objects.filter(host=host).exists():
        return HttpResponse()
    return HttpResponseNotFound()
