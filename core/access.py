"""The one access helper: how views, API endpoints and services get what the actor may act on.

In the style of Zulip's ``access_*`` functions, every caller asks the same
three questions the same way and gets the same answers:

- **404** (``Http404``) when the actor works in no account, when the model's
  feature does not exist in the actor's account (reseller features in an
  account without the partner capability), and for an object that does not
  exist or belongs to another account. One answer for all of them, so an
  outsider learns nothing, not even whether a feature or an id exists.
- **403** (``ActionDenied``) when the actor is a member whose role is too low
  for the action. The HTTP layer records each one as a "denied" audit entry
  (``audit.middleware.DeniedActionMiddleware`` for pages,
  ``partnerportal.api`` for the API), wherever it was raised: view, API
  endpoint or service.

The object checks go through the tenant restriction (``restrict``), so the
rules of which rows an actor sees stay in one place (``core.tenancy``).

- **403** also for what a provider may not use while it works in a customer's
  account through service access (``refused_while_switched``).

Menus and buttons ask the same questions (``Actor.may`` for the role and the
feature, ``refused_while_switched`` for the switch), so they offer exactly
what the views allow.
``tests/test_restriction_lint.py`` fails on tenant data read any other way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404
from django_otp import user_has_device

from core.tenancy import VIEW, RestrictedQuerySet, RoleRules

if TYPE_CHECKING:
    from accounts.models import Account
    from core.actor import Actor

M = TypeVar("M", bound=models.Model)


class ActionDenied(PermissionDenied):
    """A member's role is too low for ``action`` on ``model`` (403, audited as "denied")."""

    def __init__(self, actor: Actor, model: type[RoleRules], action: str, message: str = ""):
        super().__init__(message)
        self.actor = actor
        self.model = model
        self.action = action


def require_account(actor: Actor) -> Account:
    """The account the actor works in (404 when none): for what every member may do, whatever the role."""
    if actor.account is None or not actor.has_account:
        raise Http404
    return actor.account


def require_operator(actor: Actor) -> None:
    """Operator staff only, by the operator area's rule: an active staff user who passed two-factor login
    (with a token: who has it set up). Everyone else gets 404, like a feature their account does not have."""
    user = actor.user
    if user is None or not user.is_active or not user.is_staff:
        raise Http404
    if actor.token is not None:
        verified = user_has_device(user)
    else:
        # django-otp's OTPMiddleware gives the request's user is_verified(): this session passed the code.
        is_verified = getattr(user, "is_verified", None)
        verified = bool(is_verified and is_verified())
    if not verified:
        raise Http404


def require_action(actor: Actor, model: type[RoleRules], action: str) -> None:
    """Allow ``action`` on ``model`` for the actor's role, or raise 404 / ``ActionDenied`` (see the module)."""
    account = require_account(actor)
    if model.requires_partner and not account.is_partner:
        raise Http404
    # Outside a partner's Teilzugriff the model's objects do not exist for it: 404, as for another account's.
    if actor.scope is not None and not actor.scope.covers(model._meta.label, action):  # type: ignore[attr-defined]
        raise Http404
    if not actor.may(model, action):
        raise ActionDenied(actor, model, action)


def access_queryset(actor: Actor, source: type[M] | models.QuerySet[M], action: str = VIEW) -> models.QuerySet[M]:
    """The rows of ``source`` (a model, or a queryset of it) the actor may ``action``, after ``require_action``."""
    queryset = source._default_manager.all() if isinstance(source, type) else source
    if not isinstance(queryset, RestrictedQuerySet):
        raise TypeError(f"{queryset.model.__name__} is not a tenant model")
    require_action(actor, queryset.model, action)
    return queryset.restrict(actor, action)


def access_object(actor: Actor, source: type[M] | models.QuerySet[M], pk: Any, action: str = VIEW) -> M:
    """The one object ``pk`` of ``source`` the actor may ``action``: 404 if it is missing or not theirs."""
    queryset = access_queryset(actor, source, action)
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


# What a provider may not use while it works in a customer's account through service access: nothing that
# would outlive the switch, reach beyond the customer's rights or nest another switch (SA-06). URL name →
# the refused methods (``None``: all); every page of the operator area (``admin:``) too.
# ``access.middleware.ServiceAccessGuardMiddleware`` answers them with one clear 403, menus and buttons leave
# them out, and the services refuse the same actions themselves (``Actor.forbid_switched``), which is what
# protects the API.
REFUSED_WHILE_SWITCHED: dict[str, frozenset[str] | None] = {
    "access:serviceaccess_list": None,
    "access:code": None,
    "access:revoke": None,
    "access:activate": None,
    "access:switch_in": None,
    "portal:service_access_open": None,
    "accounts:switch": None,
    "accounts:membership_edit": frozenset({"POST"}),
    "accounts:membership_delete": frozenset({"POST"}),
    "accounts:invitation_add": None,
    "accounts:invitation_accept": None,
    "accounts:settings": None,
    "users:token_create": None,
    "users:token_revoke": None,
    "users:password_change": None,
    "users:profile": frozenset({"POST"}),
    "users:two_factor_setup": None,
    "users:two_factor_disable": None,
    "customers:endcustomer_privacy": None,
    "customers:endcustomer_privacy_export": None,
    "customers:endcustomer_erase": None,
    # A request would carry the customer's number and reach support as the customer's: the provider writes
    # from its own account.
    "support:request_add": None,
    # A partner working in the account must not change or end its own access, nor open another from there.
    "partners:customer_partner_list": None,
    "partners:customer_partner_detail": None,
    "partners:customer_partner_end": None,
    "partners:managed_list": None,
    "partners:managed_open": None,
    "partners:managed_end": None,
    "partners:share_add": None,
    "partners:share_withdraw": None,
    "partners:share_list": None,
    "partners:share_connect": None,
    "partners:share_decline": None,
    "partners:invitation_add": None,
    "partners:invitation_for_customer": None,
    "partners:invitation_withdraw": None,
    "partners:invitation_answer": None,
    "partners:managed_rights_confirm": None,
    "partners:managed_detail": None,
    "partners:managed_assign": None,
    "partners:managed_email_copy": None,
    "partners:managed_link": None,
    "partners:endcustomer_open": None,
    "partners:endcustomer_disconnect": None,
}


def refused_while_switched(actor: Actor, view_name: str, method: str = "GET") -> bool:
    """Whether the page ``view_name`` refuses ``method`` to this actor because it works through service access."""
    if actor.grant is None:
        return False
    if view_name.startswith("admin:"):
        return True
    if view_name not in REFUSED_WHILE_SWITCHED:
        return False
    methods = REFUSED_WHILE_SWITCHED[view_name]
    return methods is None or method in methods
