"""A reseller viewing an end customer's portal through the service access the customer gave (Profil →
Service-Zugriff; the code is redeemed in the main portal's Servicezugänge like any other).

"Anmelden" in the main portal makes a one-time link to the portal template's host, signed, valid for a
minute and bound to that template; it opens a session there as the customer's portal user, marked as a
reseller viewing. The mark is checked on every request (``viewer``): revoking the access, the reseller
user losing its role, or the portal user being gone ends the session at its next request. While viewing,
the customer's own settings and Plesk stay closed (``READ_ONLY_VIEWS``).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.sessions.backends.base import SessionBase
from django.core import signing
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access.models import ServiceAccess
from accounts.models import Membership
from audit.models import AuditEntry
from audit.services import record
from core.actor import Actor
from core.roles import Role
from portal.models import PortalTemplate
from portal.services import SESSION_TEMPLATE_KEY
from users.models import User

# The session's mark: which access it views through, and the reseller's real user behind it.
SESSION_VIEWING_KEY = "portal_service_access_id"
SESSION_VIEWER_KEY = "portal_service_viewer_id"
HANDOFF_MAX_AGE_SECONDS = 60
HANDOFF_SALT = "portal.service_access.handoff"

# The customer's own settings and Plesk: not for the reseller viewing.
READ_ONLY_VIEWS = frozenset(
    {
        "endportal:password_change",
        "endportal:two_factor_setup",
        "endportal:two_factor_disable",
        "endportal:hosting_plesk",
        "endportal:service_access_revoke",
    }
)
READ_ONLY_MESSAGE = _("Not possible while you view the portal through a service access.")
NO_TEMPLATE = _("This customer's portal has no portal template yet. Please contact support.")


class HandoffInvalid(Exception):
    """The link is forged, expired, used, for another host, or its access no longer holds."""


@dataclass(frozen=True)
class Viewer:
    """A reseller's user viewing the portal as the end customer through ``access``."""

    access: ServiceAccess
    user: User


def template_for(access: ServiceAccess) -> PortalTemplate | None:
    """The portal the customer logs in to: their reseller's first portal template."""
    # unrestricted: the holder's own templates; ``access`` was read through the one access helper
    return PortalTemplate.objects.filter(account_id=access.account_id).order_by("pk").first()


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def handoff_url(actor: Actor, access: ServiceAccess) -> str | None:
    """The one-time link into the customer's portal; ``access`` comes from ``access_object(..., CHANGE)``.

    A new link makes the previous unused one worthless. None when the reseller has no portal template.
    """
    actor.forbid_switched()
    if actor.user is None or access.end_customer_id is None or not access.is_usable:
        raise ServiceAccess.DoesNotExist
    template = template_for(access)
    if template is None:
        return None
    nonce = secrets.token_urlsafe(24)
    # unrestricted: ``access`` itself, read through the access helper by the caller
    ServiceAccess.objects.filter(pk=access.pk).update(handoff_hash=_digest(nonce))
    token = signing.dumps(
        {"access": access.pk, "template": template.pk, "user": actor.user.pk, "nonce": nonce}, salt=HANDOFF_SALT
    )
    path = reverse("endportal:service_access_enter", urlconf="portal.urls", kwargs={"token": token})
    return urljoin(template.portal_url, path)


def _reseller_user(access: ServiceAccess, user_pk: object) -> User | None:
    """The reseller's user, while still an owner or administrator of the account holding ``access``."""
    if not isinstance(user_pk, int):
        return None
    membership = (
        # unrestricted: the holder's own membership, re-read on the portal host where no account is chosen
        Membership.objects.filter(
            account_id=access.account_id,
            user_id=user_pk,
            role__in=(Role.OWNER, Role.ADMIN),
            user__is_active=True,
            account__is_active=True,
        )
        .select_related("user")
        .first()
    )
    return membership.user if membership is not None else None


def _usable_access(pk: object) -> ServiceAccess | None:
    if not isinstance(pk, int):
        return None
    # unrestricted: checked against the session's own mark and portal user by the callers
    access = ServiceAccess.objects.with_state().filter(pk=pk, end_customer__isnull=False).first()
    return access if access is not None and access.is_usable else None


def enter(request: HttpRequest, template: PortalTemplate, token: str) -> None:
    """Open a session on ``template``'s host as the customer's portal user, marked as the reseller viewing."""
    try:
        data = signing.loads(token, salt=HANDOFF_SALT, max_age=HANDOFF_MAX_AGE_SECONDS)
    except signing.BadSignature as error:
        raise HandoffInvalid from error
    if not isinstance(data, dict) or data.get("template") != template.pk or not isinstance(data.get("access"), int):
        raise HandoffInvalid
    # The single use: only the first request with this nonce empties the stored hash, whatever follows.
    # unrestricted: the link's own access, of the template's account; the signature says which
    used = ServiceAccess.objects.filter(
        pk=data["access"], account_id=template.account_id, handoff_hash=_digest(str(data.get("nonce")))
    ).update(handoff_hash="")
    access = _usable_access(data["access"]) if used else None
    user = _reseller_user(access, data.get("user")) if access is not None else None
    if access is None or user is None:
        raise HandoffInvalid
    if request.user.is_authenticated:
        logout(request)
    with transaction.atomic():
        login(request, access.sharer, backend="users.backends.UsernameOrEmailBackend")
        # The same absolute lifetime as any login (``users.auth.log_in``).
        request.session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))
        request.session[SESSION_TEMPLATE_KEY] = template.pk
        request.session[SESSION_VIEWING_KEY] = access.pk
        request.session[SESSION_VIEWER_KEY] = user.pk
        record(
            Actor(user=user, account=access.account, role=Role.ADMIN, ip=request.actor.ip),  # type: ignore[attr-defined]
            AuditEntry.Action.SWITCH_IN,
            access,
            parent=access.end_customer,
            object_repr=str(access.end_customer),
        )


def viewer(session: SessionBase, user: User) -> Viewer | None:
    """The reseller viewing in this session, while the access still holds; None when it has ended."""
    access = _usable_access(session.get(SESSION_VIEWING_KEY))
    if access is None or access.sharer_id != user.pk:
        return None
    reseller = _reseller_user(access, session.get(SESSION_VIEWER_KEY))
    return Viewer(access=access, user=reseller) if reseller is not None else None
