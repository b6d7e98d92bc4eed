from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A member's role in an account, from most to least powerful."""

    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    EMPLOYEE = "employee", _("Employee")

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, minimum: "Role") -> bool:
        return self.rank >= Role(minimum).rank


_RANK = {Role.EMPLOYEE: 1, Role.ADMIN: 2, Role.OWNER: 3}
