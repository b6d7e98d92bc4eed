import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from audit.services import record
from core import throttle
from core.http import page_methods
from users import services
from users.auth import log_in
from users.forms import (
    APITokenForm,
    LoginForm,
    OTPForm,
    PasswordChangeForm,
    PasswordConfirmForm,
    PasswordResetForm,
    ProfileForm,
    SetPasswordForm,
)

PENDING_USER_KEY = "otp_pending_user"
PENDING_NEXT_KEY = "otp_pending_next"


def safe_next(request, fallback="dashboard") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if "\r" in target or "\n" in target or len(target) > 500:
        target = ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(fallback)


# The per-address lock's window (AXES_COOLOFF_TIME is the per-user one): it runs from the first failure
# and is not restarted by attempts while it holds.
LOGIN_IP_WINDOW_SECONDS = 15 * 60


def login_ip_key(request) -> str:
    return f"login:ip:{request.actor.ip}"


def lockout(request, credentials, *args, **kwargs):
    """What django-axes shows a throttled login: the same page, a clear message, status 429."""
    message = _("Too many failed login attempts. Please wait a few minutes and try again.")
    return render(request, "users/login.html", {"form": LoginForm(request), "error_message": message}, status=429)


@login_not_required
@sensitive_post_parameters()
@never_cache
@page_methods
def login_view(request):
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    if request.method == "POST" and throttle.used_up(login_ip_key(request), settings.LOGIN_FAILURES_PER_IP):
        return lockout(request, None)
    form = LoginForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            device = services.confirmed_device(user)
            if device is None:
                log_in(request, user)
                return redirect(safe_next(request))
            request.session.cycle_key()
            request.session[PENDING_USER_KEY] = user.pk
            request.session[PENDING_NEXT_KEY] = safe_next(request)
            return redirect("users:login_otp")
        throttle.allow(login_ip_key(request), settings.LOGIN_FAILURES_PER_IP, LOGIN_IP_WINDOW_SECONDS)
        record(request.actor, AuditEntry.Action.LOGIN_FAILED, object_repr=form.data.get("username", "")[:150])
    return render(request, "users/login.html", {"form": form, "next": request.GET.get("next", "")})


@login_not_required
@sensitive_post_parameters()
@never_cache
@page_methods
def login_otp_view(request):
    user_id = request.session.get(PENDING_USER_KEY)
    device = TOTPDevice.objects.filter(user_id=user_id, confirmed=True).select_related("user").first()
    # A portal user's half-finished login (from a reseller's portal) never finishes here.
    if device is None or not device.user.is_active or hasattr(device.user, "portal_user"):
        return redirect("users:login")
    form = OTPForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        allowed, _details = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            target = request.session.get(PENDING_NEXT_KEY) or reverse("dashboard")
            log_in(request, device.user, device=device)
            return redirect(target)
        form.add_error("token", _("This code is not valid. Please try again."))
    return render(request, "users/login_otp.html", {"form": form})


@require_POST
def logout_view(request):
    record(request.actor, AuditEntry.Action.LOGOUT, request.user, account=None)
    logout(request)
    messages.info(request, _("You have been logged out."))
    return redirect("users:login")


@sensitive_post_parameters()
@page_methods
def password_change_view(request):
    form = PasswordChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = services.change_password(request.actor, form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed. Other sessions have been logged out."))
        return redirect("users:profile")
    return render(request, "users/password_change.html", {"form": form})


@login_not_required
@page_methods
def password_reset_view(request):
    form = PasswordResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.request_password_reset(form.cleaned_data["email"], form.users(), request.actor.ip)
        return redirect("users:password_reset_done")
    return render(request, "users/password_reset.html", {"form": form})


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "users/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "users/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("users:login")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        record(self.request.actor, AuditEntry.Action.PASSWORD_RESET, form.user, account=None)
        messages.success(self.request, _("Your password has been set. You can log in now."))
        return response


@page_methods
def profile_view(request):
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(request.actor, **{name: form.cleaned_data[name] for name in services.PROFILE_FIELDS})
        messages.success(request, _("Your profile has been saved."))
        return redirect("users:profile")
    return render(
        request,
        "users/profile.html",
        {
            "form": form,
            "two_factor": services.confirmed_device(request.user),
            "tokens": request.user.api_tokens.select_related("account"),
            "token_form": APITokenForm(),
        },
    )


@never_cache
@page_methods
def two_factor_setup_view(request):
    if services.confirmed_device(request.user) is not None and request.user.is_verified():
        return redirect("users:profile")
    device = services.start_two_factor_setup(request.actor)
    form = OTPForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_two_factor(request.actor, device, form.cleaned_data["token"]):
            otp_login(request, device)
            messages.success(request, _("Two-factor login is on."))
            return redirect("users:profile")
        form.add_error("token", _("This code is not valid. Please try again."))
    qr = segno.make(device.config_url, error="m")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "users/two_factor_setup.html",
        {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=5),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        },
    )


@sensitive_post_parameters()
@page_methods
def two_factor_disable_view(request):
    form = PasswordConfirmForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.disable_two_factor(request.actor)
        messages.success(request, _("Two-factor login is off."))
        return redirect("users:profile")
    return render(request, "users/two_factor_disable.html", {"form": form})


@never_cache
@require_POST
def token_create_view(request):
    form = APITokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give the token a name."))
        return redirect("users:profile")
    token, key = services.create_api_token(request.actor, name=form.cleaned_data["name"])
    # The key is shown in this response only: never redirected, never stored.
    return render(request, "users/token_created.html", {"token": token, "key": key})


@require_POST
def token_revoke_view(request, pk):
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    services.revoke_api_token(request.actor, token)
    messages.success(request, _("The API token has been revoked."))
    return redirect("users:profile")
