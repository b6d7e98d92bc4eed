"""Host routing for the white-label portal, and sessions bound to the host they were made on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal import service_access
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


class PortalServiceAccessMiddleware:
    """A reseller viewing an end customer's portal (``portal.service_access``): checked on every request.

    ``request.portal_viewer`` is the reseller viewing, or None. When the access no longer holds (revoked,
    the reseller user's role gone), the session ends before the page is shown; while it holds, the
    customer's own settings and Plesk are refused with one clear message. Runs in ``process_view``, where
    the portal's urlconf is in force for the redirect.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request.portal_viewer = None  # type: ignore[attr-defined]
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if not request.user.is_authenticated or service_access.SESSION_VIEWING_KEY not in request.session:
            return None
        viewer = service_access.viewer(request.session, request.user)
        if viewer is None:
            logout(request)
            messages.warning(request, _("The service access has ended."))
            return redirect("endportal:login")
        request.portal_viewer = viewer  # type: ignore[attr-defined]
        match = request.resolver_match
        if match is not None and match.view_name in service_access.READ_ONLY_VIEWS:
            title = str(service_access.READ_ONLY_MESSAGE)
            return render(request, "portal/error.html", {"status": 403, "title": title}, status=403)
        return None
