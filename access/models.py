from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf
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
    A portal user's code names their ``end_customer``; its ``account`` is then the reseller that owns the
    end customer, the only account that may redeem it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activation_codes")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="activation_codes")
    end_customer = models.ForeignKey(
        "customers.EndCustomer", on_delete=models.CASCADE, null=True, blank=True, related_name="activation_codes"
    )
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
    def with_state(self) -> "ServiceAccessQuerySet":
        """Annotate the sharer's current role in the shared account, one subquery for any page size."""
        from accounts.models import Membership
        from customers.models import PortalUser

        role = Membership.objects.filter(account=OuterRef("shared_account"), user=OuterRef("sharer")).values("role")[:1]
        # An end customer's portal user: the customer their login belongs to now.
        portal_customer = PortalUser.objects.filter(user=OuterRef("sharer")).values("end_customer")[:1]
        return self.select_related("shared_account", "end_customer", "sharer").annotate(
            current_role=Subquery(role),
            portal_customer_id=Subquery(portal_customer),
            customer_number=Coalesce("shared_account__number", "end_customer__number"),
            customer_name=Coalesce(
                "shared_account__name",
                NullIf("end_customer__company", Value("")),
                Concat("end_customer__first_name", Value(" "), "end_customer__last_name"),
            ),
        )


class ServiceAccess(TenantModel):
    """A provider account's access to a shared account, with the rights of the user who shared.

    The provider ("holder") owns the row, so the one restriction gives each
    provider its own list. Rights are never stored: every request re-reads the
    sharing user's current role in the shared account.

    Or a reseller's access to the end-customer portal view of one of its own ``end_customer``s, shared by
    the customer's portal user: then there is no ``shared_account``, and the reseller views the portal on the
    template's host (``portal.service_access``), read-only.
    """

    class Kind(models.TextChoices):
        ADMINISTRATOR = "administrator", _("Administrator")
        USER = "user", _("User")
        END_CUSTOMER = "end_customer", _("End customer")

    class Via(models.TextChoices):
        CODE = "code", _("activation code")
        # A lasting partnership (``partners``): granted by the customer's owner, with the owner's rights, all of
        # them (Vollzugriff) or for single products (Teilzugriff, ``partial`` with its ``scope_items``).
        PARTNERSHIP = "partnership", _("partnership")

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="held_service_accesses", editable=False
    )
    shared_account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="granted_service_accesses",
        verbose_name=_("account"),
    )
    end_customer = models.ForeignKey(
        "customers.EndCustomer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="service_accesses",
        verbose_name=_("customer"),
    )
    sharer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="shared_service_accesses",
        verbose_name=_("user"),
    )
    # A redeemed code is never deleted on its own; with its user (or the customer) the access goes as well.
    code = models.OneToOneField(
        ActivationCode, on_delete=models.RESTRICT, null=True, blank=True, related_name="service_access"
    )
    via = models.CharField(_("granted by"), max_length=16, choices=Via.choices, default=Via.CODE)
    partial = models.BooleanField(_("partial access"), default=False)
    activated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("access since"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # The SHA-256 of the nonce of the one portal handoff link not yet used (end-customer accesses only).
    handoff_hash = models.CharField(max_length=64, blank=True, editable=False)
    # Members of the holder account below administrator who may use it too: the employees a partner's owner
    # assigned to the partnership (Meine Kunden). Owners and administrators use every access their account holds.
    assigned_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assigned_service_accesses", verbose_name=_("employees")
    )

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
        constraints = [
            models.CheckConstraint(
                condition=Q(shared_account__isnull=False, end_customer__isnull=True)
                | Q(shared_account__isnull=True, end_customer__isnull=False),
                name="serviceaccess_shares_account_or_end_customer",
            ),
            models.CheckConstraint(
                condition=Q(via="code", code__isnull=False) | Q(via="partnership", shared_account__isnull=False),
                name="serviceaccess_code_or_partnership",
            ),
        ]

    def __str__(self):
        return f"{self.account} → {self.customer}"

    @property
    def customer(self):
        """What was shared: the customer's account, or the reseller's own end customer."""
        return self.shared_account if self.shared_account_id is not None else self.end_customer

    @property
    def is_partnership(self) -> bool:
        return self.via == self.Via.PARTNERSHIP

    @property
    def role_inside(self) -> Role | None:
        """The rights the holder works with (needs ``with_state``): a partnership's are the owner's, whoever of
        the customer granted it; a code's are its sharer's current role."""
        if self.is_partnership:
            return Role.OWNER
        return Role(self.current_role) if self.current_role else None

    def sharer_role(self) -> Role | None:
        """The sharing user's role in the shared account now, or None when it is gone."""
        if not (self.sharer.is_active and self.shared_account.is_active):
            return None
        role = self.shared_account.memberships.filter(user=self.sharer).values_list("role", flat=True).first()
        return Role(role) if role else None

    @property
    def is_usable(self) -> bool:
        """Usable for switching in (or viewing the end customer's portal): not revoked, and the sharer still
        has a role there or is still the end customer's portal user (needs ``with_state``)."""
        if self.revoked_at is not None:
            return False
        if not self.sharer.is_active and not self.is_partnership:
            return False
        if self.end_customer_id is not None:
            return self.portal_customer_id == self.end_customer_id
        if self.is_partnership:
            # It lasts until either side ends it, whoever of the customer granted it.
            return self.shared_account.is_active
        return self.current_role is not None and self.shared_account.is_active

    def get_kind_display(self) -> str:
        """Administrator, user or end customer, after what was shared and the sharer's role (needs ``with_state``)."""
        if self.end_customer_id is not None:
            return self.Kind.END_CUSTOMER.label
        if self.current_role in (Role.OWNER, Role.ADMIN):
            return self.Kind.ADMINISTRATOR.label
        return self.Kind.USER.label


class AccessScopeItem(models.Model):
    """One product of a partial access (Teilzugriff): a contract, domain or hosting of the shared account, with
    the rights the partner has on it: ``technical`` (manage it) and/or ``statistics`` (see its data and usage)."""

    class Product(models.TextChoices):
        CONTRACT = "contracts.Contract", _("Contract")
        DOMAIN = "contracts.Domain", _("Domain")
        HOSTING = "hosting.ResellerHosting", _("Hosting")

    access = models.ForeignKey(ServiceAccess, on_delete=models.CASCADE, related_name="scope_items")
    product = models.CharField(_("kind"), max_length=40, choices=Product.choices)
    object_id = models.PositiveBigIntegerField(_("object"))
    technical = models.BooleanField(_("technical"), default=False)
    statistics = models.BooleanField(_("statistics"), default=False)

    class Meta:
        verbose_name = _("shared product")
        verbose_name_plural = _("shared products")
        constraints = [
            models.UniqueConstraint(fields=["access", "product", "object_id"], name="accessscopeitem_once"),
            models.CheckConstraint(condition=Q(technical=True) | Q(statistics=True), name="accessscopeitem_a_right"),
        ]

    def __str__(self):
        return f"{self.product} {self.object_id}"
