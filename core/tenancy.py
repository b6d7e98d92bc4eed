"""The one tenant restriction.

Every account-owned model inherits :class:`TenantModel`. Its manager and
querysets offer ``restrict(actor, action)``, which is the only way views, API
endpoints, form fields, tables, exports and counts reach such objects. It
returns nothing by default: no actor, no account, or a role below what the
model requires for ``action`` all give an empty queryset, so a hidden object
is indistinguishable from a missing one (404 with the same page).

``tests/test_restriction_lint.py`` fails the suite when a view, API, form,
filter or table module touches a tenant model's manager without ``restrict``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar, Self, TypeVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from core.actor import Actor

VIEW = "view"
ADD = "add"
CHANGE = "change"
DELETE = "delete"

# What the audit trail calls each action; the model's plural name goes in ("delete customers").
ACTION_LABELS: Mapping[str, StrOrPromise] = {
    VIEW: _("view %(objects)s"),
    ADD: _("add %(objects)s"),
    CHANGE: _("change %(objects)s"),
    DELETE: _("delete %(objects)s"),
}


_T = TypeVar("_T", bound="TenantModel")


class RestrictedQuerySet(models.QuerySet[_T]):
    def restrict(self, actor: Actor | None, action: str = VIEW) -> Self:
        """Rows of the actor's current account that its role may ``action``."""
        if actor is None or not actor.has_account:
            return self.none()
        if not actor.may(self.model, action):
            return self.none()
        queryset = self.filter(**{self.model.tenant_path: actor.account})
        if actor.scope is not None:
            # A partner with Teilzugriff: only the shared objects (``core.scope``).
            queryset = queryset.filter(pk__in=actor.scope.ids(self.model._meta.label, action))
        return queryset


# Bound to a name first: django-stubs types a from_queryset() class only when it is assigned.
_RestrictedManagerBase = models.Manager.from_queryset(RestrictedQuerySet)


class RestrictedManager(_RestrictedManagerBase[_T]):
    pass


class RoleRules:
    """Which role each action on a model needs (``Actor.may``, ``core.access.require_action``).

    ``required_roles`` maps actions to the lowest role allowed to perform
    them; unknown actions need the role of ``change``.
    """

    # Reseller features (MKM) exist only in accounts with the partner capability.
    requires_partner: ClassVar[bool] = False
    # Names of the actions (``ACTION_LABELS``); a model with actions of its own adds theirs.
    action_labels: ClassVar[Mapping[str, StrOrPromise]] = ACTION_LABELS
    required_roles: ClassVar[dict[str, Role]] = {
        VIEW: Role.EMPLOYEE,
        ADD: Role.EMPLOYEE,
        CHANGE: Role.EMPLOYEE,
        DELETE: Role.EMPLOYEE,
    }

    @classmethod
    def required_role(cls, action: str) -> Role:
        roles = cls.required_roles
        return roles.get(action, roles[CHANGE])


class TenantModel(RoleRules, models.Model):
    """Abstract base of every model that belongs to exactly one account.

    ``tenant_path`` is the lookup from this model to its account; models
    owned through a parent (a portal user through its end customer) set it to
    e.g. ``"end_customer__account"`` and carry no account column of their own.
    """

    tenant_path: ClassVar[str] = "account"

    objects = RestrictedManager()

    class Meta:
        abstract = True

    def is_visible_to(self, actor: Actor, action: str = VIEW) -> bool:
        """Re-check after a write that the object is still inside the restriction."""
        return type(self)._default_manager.restrict(actor, action).filter(pk=self.pk).exists()


class AccountOwnedModel(TenantModel):
    """A tenant model with its own ``account`` column."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+", editable=False)

    class Meta:
        abstract = True
