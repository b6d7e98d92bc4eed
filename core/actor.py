"""Who is acting, in which account, with which rights.

The actor is built once per request (``accounts.middleware.ActorMiddleware``,
then ``access.middleware.ServiceAccessMiddleware`` while the session works in
a shared account) or once per API call (``partnerportal.api``) and handed to
every restriction, service and audit record. Nothing downstream reads the
account from the request again: the tenant always comes from the session or
the token, never from a parameter (SECURITY-TESTS ISO-08).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from core.roles import Role

NOT_DURING_ACCESS = _("This is not available while you work in another account through service access.")

if TYPE_CHECKING:
    from accounts.models import Account
    from core.tenancy import RoleRules
    from users.models import User


@dataclass(frozen=True)
class Actor:
    user: User | None
    account: Account | None = None
    role: Role | None = None
    ip: str | None = None
    # Operator staff acting in an account they are not a member of.
    staff_access: bool = False
    # The API token, when the request was authenticated by one.
    token: Any = None
    # The service access, when a provider works in this account with a customer's
    # rights; ``user`` is then the provider's real user, ``role`` the sharer's.
    grant: Any = None
    # The provider's own account while switched in, for the banner and the way back.
    home_account: Any = None
    # A partnership's Teilzugriff (``core.scope.Scope``): only these objects of the account exist for the actor.
    scope: Any = None

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None and self.user.is_authenticated

    @property
    def has_account(self) -> bool:
        return self.account is not None and self.role is not None

    def has_role(self, minimum: Role) -> bool:
        if self.account is None:
            return False
        if self.role is None:
            return False
        return Role(self.role).at_least(minimum)

    def may(self, model: type[RoleRules], action: str) -> bool:
        """Whether this actor's role allows ``action`` on ``model`` at all.

        Object visibility is the queryset restriction's job; this answers the
        role question only, so views can answer 403 to a member whose role is
        too low and 404 to everybody else.
        """
        if model.requires_partner and not (self.account and self.account.is_partner):
            return False
        if self.scope is not None and not self.scope.covers(model._meta.label, action):  # type: ignore[attr-defined]
            return False
        return self.has_role(model.required_role(action))

    def forbid_switched(self) -> None:
        """Refuse what must not happen while a provider works here through service access (SA-06)."""
        if self.grant is not None:
            raise PermissionDenied(NOT_DURING_ACCESS)

    @classmethod
    def anonymous(cls, ip: str | None = None) -> Actor:
        return cls(user=None, ip=ip)
