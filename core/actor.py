"""Who is acting, in which account, with which rights.

The actor is built once per request (``core.middleware.ActorMiddleware``) or
once per API call (``partnerportal.api``) and handed to every restriction,
service and audit record. Nothing downstream reads the account from the
request again: the tenant always comes from the session or the token, never
from a parameter (SECURITY-TESTS ISO-08).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.roles import Role

if TYPE_CHECKING:
    from accounts.models import Account
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

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None and self.user.is_authenticated

    @property
    def has_account(self) -> bool:
        return self.account is not None and self.role is not None

    def has_role(self, minimum: Role) -> bool:
        if not self.has_account:
            return False
        return Role(self.role).at_least(minimum)

    def may(self, model: type, action: str) -> bool:
        """Whether this actor's role allows ``action`` on ``model`` at all.

        Object visibility is the queryset restriction's job; this answers the
        role question only, so views can answer 403 to a member whose role is
        too low and 404 to everybody else.
        """
        if getattr(model, "requires_partner", False) and not (self.account and self.account.is_partner):
            return False
        return self.has_role(model.required_role(action))

    @classmethod
    def anonymous(cls, ip: str | None = None) -> Actor:
        return cls(user=None, ip=ip)
