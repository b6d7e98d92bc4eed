"""The end-customer portal's pages, served on a portal template's host (``portal.urls``).

Thin views: who may see what is ``portal.services.scope_for``; login, password and two-factor workflows are
the main portal's services, bound to this host.
"""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST, require_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from access import services as access_services
from audit.models import AuditEntry
from audit.services import record
from core import throttle
from core.http import page_methods
from core.middleware import allow_form_action
from portal import services
from portal.forms import PortalLoginForm
from portal.models import PortalTemplate
from portal.services import SESSION_TEMPLATE_KEY, CustomerScope, PleskUnavailable
from portal.theme import theme_css
from users import services as user_services
from users import views as user_views
from users.auth import log_in
from users.forms import OTPForm, PasswordChangeForm, PasswordConfirmForm, PasswordResetForm, SetPasswordForm
from users.models import User

LOGIN_URL = "endportal:login"
HOME = "endportal:overview"
portal_login_required = login_required(login_url=LOGIN_URL)


def template_of(request: HttpRequest) -> PortalTemplate:
    """The portal template of the request's host; ``portal.urls`` is only ever the urlconf of such a request."""
    template: PortalTemplate = request.portal_template  # type: ignore[attr-defined]
    return template


def scope(request: HttpRequest) -> CustomerScope:
    user: User = request.user  # type: ignore[assignment]
    return services.scope_for(template_of(request), user)


def sign_in(request: HttpRequest, user: User, device: TOTPDevice | None = None) -> None:
    """Log in as on the main portal, and bind the session to this portal's host."""
    log_in(request, user, device=device)
    request.session[SESSION_TEMPLATE_KEY] = template_of(request).pk


def lockout(request: HttpRequest, credentials: Any, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes' answer to a throttled login, on either kind of host: the login page with a clear message."""
    if getattr(request, "portal_template", None) is None:
        response: HttpResponse = user_views.lockout(request, credentials, *args, **kwargs)  # type: ignore[no-untyped-call]
        return response
    message = _("Too many failed login attempts. Please wait a few minutes and try again.")
    form = PortalLoginForm(request, template_of(request))
    return render(request, "portal/login.html", {"form": form, "error_message": message}, status=429)


@login_not_required
@sensitive_post_parameters()
@never_cache
@page_methods
def login_view(request: HttpRequest) -> HttpResponseBase:
    if request.user.is_authenticated:
        return redirect(user_views.safe_next(request, HOME))
    ip_key = user_views.login_ip_key(request)
    if request.method == "POST" and throttle.used_up(ip_key, settings.LOGIN_FAILURES_PER_IP):
        return lockout(request, None)
    form = PortalLoginForm(request, template_of(request), data=request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            device = user_services.confirmed_device(user)
            if device is None:
                sign_in(request, user)
                return redirect(user_views.safe_next(request, HOME))
            request.session.cycle_key()
            request.session[user_views.PENDING_USER_KEY] = user.pk
            request.session[user_views.PENDING_NEXT_KEY] = user_views.safe_next(request, HOME)
            return redirect("endportal:login_otp")
        throttle.allow(ip_key, settings.LOGIN_FAILURES_PER_IP, user_views.LOGIN_IP_WINDOW_SECONDS)
        record(request.actor, AuditEntry.Action.LOGIN_FAILED, object_repr=form.data.get("username", "")[:150])  # type: ignore[attr-defined]
    return render(request, "portal/login.html", {"form": form, "next": request.GET.get("next", "")})


@login_not_required
@sensitive_post_parameters()
@never_cache
@page_methods
def login_otp_view(request: HttpRequest) -> HttpResponseBase:
    user_id = request.session.get(user_views.PENDING_USER_KEY)
    device = TOTPDevice.objects.filter(user_id=user_id, confirmed=True).select_related("user").first()
    if device is None or services.portal_user_of(template_of(request), device.user) is None:
        return redirect(LOGIN_URL)
    form = OTPForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            target = request.session.get(user_views.PENDING_NEXT_KEY) or reverse(HOME)
            sign_in(request, device.user, device)
            return redirect(target)
        form.add_error("token", _("This code is not valid. Please try again."))
    return render(request, "portal/login_otp.html", {"form": form})


@portal_login_required
@require_POST
def logout_view(request: HttpRequest) -> HttpResponseBase:
    # A reseller viewing through a service access is not the customer logging out.
    if request.portal_viewer is None:  # type: ignore[attr-defined]
        record(request.actor, AuditEntry.Action.LOGOUT, request.user, account=None)  # type: ignore[attr-defined,arg-type]
    logout(request)
    messages.info(request, _("You have been logged out."))
    return redirect(LOGIN_URL)


@portal_login_required
@require_safe
def overview_view(request: HttpRequest) -> HttpResponse:
    view = scope(request)
    rows = view.product_rows()
    return render(
        request,
        "portal/overview.html",
        {
            "customer": view.customer,
            "product_count": len(rows),
            "domain_count": view.domains().count(),
            "hostings": view.hostings(),
            "active_page": "overview",
        },
    )


@portal_login_required
@require_safe
def products_view(request: HttpRequest) -> HttpResponse:
    rows = scope(request).product_rows()
    return render(request, "portal/products.html", {"rows": rows, "active_page": "products"})


@portal_login_required
@require_safe
def domains_view(request: HttpRequest) -> HttpResponse:
    domains = scope(request).domains().order_by("name_unicode")
    return render(request, "portal/domains.html", {"domains": domains, "active_page": "domains"})


@portal_login_required
@require_safe
def hosting_view(request: HttpRequest, pk: int) -> HttpResponse:
    hosting = scope(request).hosting(pk)
    server = hosting.contract.hosting_server
    may_open_plesk = (
        hosting.status == hosting.Status.ACTIVE and bool(hosting.plesk_customer_login) and server is not None
    )
    if may_open_plesk and server is not None:
        allow_form_action(request, server.origin)
    return render(
        request,
        "portal/hosting.html",
        {"hosting": hosting, "may_open_plesk": may_open_plesk, "active_page": "products"},
    )


@portal_login_required
@require_POST
def hosting_plesk_view(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Plesk öffnen: single sign-on as the end customer's own Plesk customer login."""
    view = scope(request)
    try:
        login_url = services.open_plesk(request.actor, view, pk)  # type: ignore[attr-defined]
    except PleskUnavailable as error:
        messages.error(request, str(error))
        return redirect("endportal:hosting", pk=pk)
    return HttpResponseRedirect(login_url)


@portal_login_required
@require_safe
def profile_view(request: HttpRequest) -> HttpResponse:
    """Profil, with the Service-Zugriff tab: a new activation code on every view until the reseller has
    access; then who has it since when, and Widerrufen. The reseller viewing sees the state, never a code."""
    view = scope(request)
    accesses = list(access_services.end_customer_accesses(view.portal_user).select_related("account"))
    viewing = request.portal_viewer is not None  # type: ignore[attr-defined]
    return render(
        request,
        "portal/profile.html",
        {
            "portal_user": view.portal_user,
            "two_factor": user_services.confirmed_device(view.portal_user.user),
            "service_accesses": accesses,
            "code": None if accesses or viewing else access_services.issue_end_customer_code(view.portal_user),
            "service_history": services.service_access_history(view.customer),
            "active_page": "profile",
        },
    )


@portal_login_required
@sensitive_post_parameters()
@page_methods
def password_change_view(request: HttpRequest) -> HttpResponseBase:
    scope(request)
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = user_services.change_password(request.actor, form.cleaned_data["new_password1"])  # type: ignore[attr-defined]
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed. Other sessions have been logged out."))
        return redirect("endportal:profile")
    return render(
        request, "portal/form_page.html", {"form": form, "title": _("Change password"), "active_page": "profile"}
    )


@portal_login_required
@never_cache
@page_methods
def two_factor_setup_view(request: HttpRequest) -> HttpResponseBase:
    view = scope(request)
    user = view.portal_user.user
    if user_services.confirmed_device(user) is not None and request.user.is_verified():  # type: ignore[union-attr]
        return redirect("endportal:profile")
    actor = request.actor  # type: ignore[attr-defined]
    device = user_services.start_two_factor_setup(actor)
    form = OTPForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if user_services.confirm_two_factor(actor, device, form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, _("Two-factor login is on."))
            return redirect("endportal:profile")
        form.add_error("token", _("This code is not valid. Please try again."))
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "portal/two_factor_setup.html",
        {
            "form": form,
            "qr_data_uri": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "active_page": "profile",
        },
    )


@portal_login_required
@sensitive_post_parameters()
@page_methods
def two_factor_disable_view(request: HttpRequest) -> HttpResponseBase:
    scope(request)
    form = PasswordConfirmForm(request.POST if request.method == "POST" else None, user=request.user)  # type: ignore[no-untyped-call]
    if request.method == "POST" and form.is_valid():
        user_services.disable_two_factor(request.actor)  # type: ignore[attr-defined]
        messages.success(request, _("Two-factor login is off."))
        return redirect("endportal:profile")
    return render(
        request,
        "portal/form_page.html",
        {"form": form, "title": _("Turn off two-factor login"), "danger": True, "active_page": "profile"},
    )


@login_not_required
@page_methods
def password_reset_view(request: HttpRequest) -> HttpResponseBase:
    form = PasswordResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.request_password_reset(template_of(request), form.cleaned_data["email"], request.actor.ip)  # type: ignore[attr-defined]
        return redirect("endportal:password_reset_done")
    return render(request, "portal/password_reset.html", {"form": form})


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "portal/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset confirmation, for this portal's users only: any other user's link is invalid here."""

    template_name = "portal/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy(LOGIN_URL)
    post_reset_login = False

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        if user is not None and services.portal_user_of(template_of(self.request), user) is None:
            return None
        return user

    def form_valid(self, form: Any) -> HttpResponse:
        response: HttpResponse = super().form_valid(form)
        record(self.request.actor, AuditEntry.Action.PASSWORD_RESET, form.user, account=None)  # type: ignore[attr-defined]
        messages.success(self.request, _("Your password has been set. You can log in now."))
        return response


@login_not_required
@require_GET
def theme_view(request: HttpRequest) -> HttpResponse:
    """The template's colours as a stylesheet: the CSP allows no inline styles."""
    response = HttpResponse(theme_css(template_of(request)), content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "portal/error.html", {"status": 404, "title": _("Page not found")}, status=404)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "portal/error.html", {"status": 403, "title": _("Access denied")}, status=403)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "portal/error.html", {"status": 400, "title": _("Bad request")}, status=400)


def error_500(request: HttpRequest) -> HttpResponse:
    # No request context: the error may come from the database the context processors need.
    context = {"portal_template": getattr(request, "portal_template", None)}
    return HttpResponseServerError(loader.get_template("portal/error_500.html").render(context))
