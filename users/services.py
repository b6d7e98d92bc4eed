"""Login, password, two-factor and API-token workflows of one user."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from audit.services import diff, record, snapshot
from core import throttle
from core.actor import Actor
from core.mail import send_templated_mail
from users.models import APIToken, User


def _own_user(actor: Actor) -> User:
    """The actor's own login, for what a user changes of their own."""
    if actor.user is None:
        raise PermissionDenied
    return actor.user


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def change_password(actor: Actor, new_password: str) -> User:
    """Set the actor's new password. Every session made before ends at its next request (Django checks the
    session's password hash); the caller keeps its own with ``update_session_auth_hash`` (AUTH-05)."""
    actor.forbid_switched()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=_own_user(actor).pk)
        user.set_password(new_password)
        user.save(update_fields=["password"])
        record(actor, AuditEntry.Action.PASSWORD_CHANGE, user, account=None)
        send_templated_mail("users/email/password_changed", {"user": user}, to=[user.email] if user.email else [])
    return user


# Reset mails for one address, and requests from one address, per hour: enough for someone who lost a mail,
# too few to flood a mailbox or to use the portal as a mail cannon.
RESETS_PER_ADDRESS = 3
RESETS_PER_IP = 20
RESET_WINDOW_SECONDS = 3600


def request_password_reset(email: str, users, ip: str | None) -> None:
    """Mail ``users`` (those with ``email``) a link to set a new password, unless the address or the caller's IP
    asked too often. The caller answers the same whatever happened, so no one learns which addresses exist."""
    allowed = throttle.allow(f"reset:ip:{ip}", RESETS_PER_IP, RESET_WINDOW_SECONDS)
    allowed &= throttle.allow(f"reset:address:{email.casefold()}", RESETS_PER_ADDRESS, RESET_WINDOW_SECONDS)
    if allowed:
        send_password_reset(users)


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


PROFILE_FIELDS = ["first_name", "last_name", "email"]


def update_profile(actor: Actor, *, first_name: str, last_name: str, email: str) -> User:
    """Change the actor's own name and e-mail address (the form has checked the address and the password)."""
    actor.forbid_switched()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=_own_user(actor).pk)
        before = snapshot(user, PROFILE_FIELDS)
        user.first_name, user.last_name, user.email = first_name, last_name, email
        user.save(update_fields=PROFILE_FIELDS)
        record(
            actor, AuditEntry.Action.UPDATE, user, account=None, changes=diff(before, snapshot(user, PROFILE_FIELDS))
        )
    return user


def start_two_factor_setup(actor: Actor) -> TOTPDevice:
    """The actor's unconfirmed authenticator device, created on first use."""
    actor.forbid_switched()
    device = TOTPDevice.objects.filter(user=actor.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor.user, name=_("Authenticator app"), confirmed=False)
    return device


def confirm_two_factor(actor: Actor, device: TOTPDevice, token: str) -> bool:
    """Turn two-factor login on with the actor's device, if ``token`` is its current code; other devices go.

    The caller then marks its session as verified (``django_otp.login``).
    """
    actor.forbid_switched()
    if device.user_id != _own_user(actor).pk or not device.verify_token(token):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(actor, AuditEntry.Action.TWO_FACTOR_ON, actor.user, account=None)
    return True


def disable_two_factor(actor: Actor) -> None:
    actor.forbid_switched()
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor.user).delete()
        record(actor, AuditEntry.Action.TWO_FACTOR_OFF, actor.user, account=None)


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
    if token.user_id != _own_user(actor).pk:
        raise Http404
    with transaction.atomic():
        record(actor, AuditEntry.Action.TOKEN_REVOKE, token, account=token.account)
        token.delete()
