"""Service access to an end customer's portal view: "Anmelden" on the main host, entering and ending on the
portal's host, and the customer revoking it from Profil (``portal.service_access``)."""

from __future__ import annotations

from urllib.parse import urljoin

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from access import services as access_services
from access.models import SWITCH_IN, ServiceAccess
from audit.services import record_refusal
from core.access import access_object
from core.tenancy import CHANGE
from portal import service_access
from portal.views import portal_login_required, scope, template_of


@require_GET
def open_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Anmelden on an end customer's entry in Servicezugänge: a plain link whose answer leads to the portal's
    host with a fresh one-time link (a form could not: CSP ``form-action`` would stop the redirect)."""
    actor = request.actor  # type: ignore[attr-defined]
    access = access_object(actor, ServiceAccess.objects.with_state(), pk, CHANGE)
    try:
        url = service_access.handoff_url(actor, access)
    except ServiceAccess.DoesNotExist:
        record_refusal(actor, ServiceAccess, SWITCH_IN)
        raise Http404 from None
    if url is None:
        messages.error(request, str(service_access.NO_TEMPLATE))
        return redirect("access:serviceaccess_list")
    return HttpResponseRedirect(url)


@login_not_required
@never_cache
@require_GET
def enter_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        service_access.enter(request, template_of(request), token)
    except service_access.HandoffInvalid:
        title = _("This service access link is invalid, expired or already used.")
        return render(request, "portal/error.html", {"status": 404, "title": title}, status=404)
    return redirect("endportal:overview")


@portal_login_required
@require_POST
def end_view(request: HttpRequest) -> HttpResponseBase:
    """Beenden in the banner: the viewing session ends, back to the main portal's Servicezugänge."""
    if getattr(request, "portal_viewer", None) is None:
        raise Http404
    logout(request)
    return HttpResponseRedirect(
        urljoin(settings.SITE_URL, reverse("access:serviceaccess_list", urlconf="partnerportal.urls"))
    )


@portal_login_required
@require_POST
def revoke_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Widerrufen in Profil → Service-Zugriff: the reseller's view ends at its next request."""
    view = scope(request)
    try:
        access = access_services.revoke_end_customer_access(request.actor, view.portal_user, pk)  # type: ignore[attr-defined]
    except ServiceAccess.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("The service access of %(provider)s has been ended.") % {"provider": access.account})
    return redirect("endportal:profile")
