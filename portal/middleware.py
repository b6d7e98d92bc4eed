"""Host routing for the white-label portal, and sessions bound to the host they were made on."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase

from portal.routing import host_name, is_main_host, template_for_host
from portal.services import SESSION_TEMPLATE_KEY

PORTAL_URLCONF = "portal.urls"


class PortalHostMiddleware:
    """Listed first: validates the Host header itself and picks the portal a request belongs to.

    Django accepts every host (``ALLOWED_HOSTS = ["*"]``, as its documentation describes for hosts known
    only at run time), so this is the host check: a main host (``settings.MAIN_HOSTS``) gets the main
    portal, a portal template's host the end-customer portal (``request.portal_template``, its own
    ``request.urlconf``), and every other host a 400 before anything else reads the request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        raw = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
        host = host_name(raw)
        if host is None:
            raise DisallowedHost("Invalid HTTP_HOST header.")
        request.portal_template = None  # type: ignore[attr-defined]
        if not is_main_host(host):
            template = template_for_host(host)
            if template is None:
                raise DisallowedHost("Unknown HTTP_HOST header; neither a main host nor a portal template's host.")
            request.portal_template = template  # type: ignore[attr-defined]
            request.urlconf = PORTAL_URLCONF
        return self.get_response(request)


class PortalSessionMiddleware:
    """A session is valid only on the host it was made on: one portal template's host, or the main portal.

    Browsers keep cookies per host already (no ``SESSION_COOKIE_DOMAIN``); this holds even where a cookie
    is carried to another host by hand. A session used elsewhere ends (logout) before anything reads it.
    Listed after the authentication middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            template = getattr(request, "portal_template", None)
            expected = template.pk if template is not None else None
            if request.session.get(SESSION_TEMPLATE_KEY) != expected:
                logout(request)
        return self.get_response(request)
