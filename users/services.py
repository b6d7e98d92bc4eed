"""Login, password, two-factor and API-token workflows of one user."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from audit.services import diff, record, snapshot
from core.actor import Actor
from core.mail import send_templated_mail
from users.models import APIToken


def log_in(request, user, *, device=None) -> None:
    """Start a session (new key), verified by ``device`` when two-factor is on."""
    login(request, user, backend="users.backends.UsernameOrEmailBackend")
    # An absolute lifetime: later activity, an account switch or a service-access
    # switch never makes the session last longer than this.
    request.session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))
    if device is not None:
        otp_login(request, device)
    record(Actor(user=user, ip=request.actor.ip), AuditEntry.Action.LOGIN, user, account=None)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def change_password(request, form) -> None:
    """Save the new password; other sessions end, this one stays (AUTH-05)."""
    request.actor.forbid_switched()
    with transaction.atomic():
        user = form.save()
        update_session_auth_hash(request, user)
        record(request.actor, AuditEntry.Action.PASSWORD_CHANGE, user, account=None)
        send_templated_mail("users/email/password_changed", {"user": user}, to=[user.email] if user.email else [])


def send_password_reset(users) -> None:
    for user in users:
        link = settings.SITE_URL + reverse(
            "users:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        send_templated_mail("users/email/password_reset", {"user": user, "link": link}, to=[user.email])


def update_profile(actor: Actor, user, form) -> None:
    actor.forbid_switched()
    with transaction.atomic():
        before = snapshot(type(user).objects.get(pk=user.pk), ["first_name", "last_name", "email"])
        user = form.save()
        record(actor, AuditEntry.Action.UPDATE, user, account=None, changes=diff(before, snapshot(user, list(before))))


def start_two_factor_setup(user) -> TOTPDevice:
    """The user's unconfirmed authenticator device, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


def confirm_two_factor(request, device: TOTPDevice, token: str) -> bool:
    request.actor.forbid_switched()
    if not device.verify_token(token):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        record(request.actor, AuditEntry.Action.TWO_FACTOR_ON, device.user, account=None)
    return True


def disable_two_factor(request) -> None:
    request.actor.forbid_switched()
    with transaction.atomic():
        TOTPDevice.objects.filter(user=request.user).delete()
        record(request.actor, AuditEntry.Action.TWO_FACTOR_OFF, request.user, account=None)


def create_api_token(actor: Actor, *, name: str) -> tuple[APIToken, str]:
    """A new token acting in the actor's current account; the key is returned once, never stored."""
    actor.forbid_switched()
    if not actor.has_account:
        raise PermissionDenied(_("API tokens act in an account; you are not a member of any."))
    with transaction.atomic():
        token = APIToken(user=actor.user, account=actor.account, name=name)
        key = token.issue_key()
        token.save()
        record(actor, AuditEntry.Action.TOKEN_CREATE, token)
    return token, key


def revoke_api_token(actor: Actor, token: APIToken) -> None:
    actor.forbid_switched()
    with transaction.atomic():
        record(actor, AuditEntry.Action.TOKEN_REVOKE, token, account=token.account)
        token.delete()
