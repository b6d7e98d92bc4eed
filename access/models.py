from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from core.roles import Role
from core.tenancy import (
    ACTION_LABELS,
    ADD,
    CHANGE,
    DELETE,
    VIEW,
    RestrictedManager,
    RestrictedQuerySet,
    TenantModel,
)

CODE_LIFETIME = timedelta(minutes=10)
# Actions on a service access besides the four of every model.
REDEEM_USED = "redeem_used"
REVOKE = "revoke"
SWITCH_IN = "switch_in"


class ActivationCode(models.Model):
    """A one-time code a user shows to let a provider into their account with their rights.

    One live code per user and account: showing a new one deletes the unused
    previous one. Used codes stay, so a replay can be told apart from a typo.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activation_codes")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="activation_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "account", "used_at"])]

    def __str__(self):
        return f"code of {self.user} for {self.account}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class ServiceAccessQuerySet(RestrictedQuerySet):
    def with_state(self):
        """Annotate the sharer's current role in the shared account, one subquery for any page size."""
        from accounts.models import Membership

        role = Membership.objects.filter(account=OuterRef("shared_account"), user=OuterRef("sharer")).values("role")[:1]
        return self.select_related("shared_account", "sharer").annotate(current_role=Subquery(role))


class ServiceAccess(TenantModel):
    """A provider account's access to a shared account, with the rights of the user who shared.

    The provider ("holder") owns the row, so the one restriction gives each
    provider its own list. Rights are never stored: every request re-reads the
    sharing user's current role in the shared account.
    """

    class Kind(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Administrator")
        USER = "user", _("User")
        END_CUSTOMER = "end_customer", _("End customer")

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="held_service_accesses", editable=False
    )
    shared_account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="granted_service_accesses", verbose_name=_("account")
    )
    sharer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="shared_service_accesses",
        verbose_name=_("user"),
    )
    code = models.OneToOneField(ActivationCode, on_delete=models.PROTECT, related_name="service_access")
    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("access since"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    # Resellers hold service accesses (Reseller → Service-Zugänge); any account can share one. Owners and
    # administrators hold and use them; employees do not.
    requires_partner = True
    required_roles = {VIEW: Role.ADMIN, ADD: Role.ADMIN, CHANGE: Role.ADMIN, DELETE: Role.ADMIN}
    # Refused actions the audit trail names: a used code again, ending an access, switching into one that is gone.
    action_labels = {
        **ACTION_LABELS,
        REDEEM_USED: _("activate a service access with a used activation code"),
        REVOKE: _("revoke %(objects)s"),
        SWITCH_IN: _("switch into a service access"),
    }
    # Both accounts record these, each naming the other account as the object.
    audit_sentences = {
        AuditEntry.Action.ACTIVATE: _("%(user)s activated a service access between this account and %(object)s"),
        AuditEntry.Action.REVOKE: _("%(user)s ended the service access between this account and %(object)s"),
    }

    objects = RestrictedManager.from_queryset(ServiceAccessQuerySet)()

    class Meta:
        verbose_name = _("service access")
        verbose_name_plural = _("service accesses")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["shared_account", "revoked_at"])]

    def __str__(self):
        return f"{self.account} → {self.shared_account}"

    def sharer_role(self) -> Role | None:
        """The sharing user's role in the shared account now, or None when it is gone."""
        if not (self.sharer.is_active and self.shared_account.is_active):
            return None
        role = self.shared_account.memberships.filter(user=self.sharer).values_list("role", flat=True).first()
        return Role(role) if role else None

    @property
    def is_usable(self) -> bool:
        """Usable for switching in: not revoked, and the sharer still has a role there (needs ``with_state``)."""
        return (
            self.revoked_at is None
            and self.current_role is not None
            and self.sharer.is_active
            and self.shared_account.is_active
        )

    def get_kind_display(self) -> str:
        """Administrator or user, after the sharer's role (needs ``with_state``)."""
        if self.current_role in (Role.OWNER, Role.ADMIN):
            return self.Kind.ADMINISTRATOR.label
        return self.Kind.USER.label
