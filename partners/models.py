"""Partnerships: a partner account (a reseller) working in a customer account for as long as both want.

The work inside the customer's account is a service access of the partnership kind (``access``): the same
switch, banner, audit trail the customer reads and revocation as a code's, with the owner's rights, all of
them (Vollzugriff) or for single products (Teilzugriff, ``access.AccessScopeItem``). This row holds what the
partner keeps about it: since when, which of its MKM customers it is, whether it gets copies of the customer's
mails, whether it has looked at the rights the customer granted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from core.tenancy import ADD, CHANGE, DELETE, VIEW, TenantModel


class Partnership(TenantModel):
    """Owned by the partner: its Verwaltete Kunden. The customer reads its side through the services."""

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="held_partnerships", editable=False
    )
    customer_account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="granted_partnerships", verbose_name=_("customer")
    )
    access = models.OneToOneField(
        "access.ServiceAccess", on_delete=models.PROTECT, related_name="partnership", editable=False
    )
    # The partner's own MKM record of this customer, if it keeps one.
    end_customer = models.ForeignKey(
        "customers.EndCustomer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="partnerships",
        verbose_name=_("end customer"),
    )
    email_copy = models.BooleanField(_("e-mail copy"), default=False)
    # Cleared when the customer grants other rights than the partner asked for, until the partner has looked.
    rights_reviewed = models.BooleanField(_("rights reviewed"), default=True)
    created_at = models.DateTimeField(_("partner since"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    requires_partner = True
    # The partner's owner invites (the legal representative); administrators work in and end partnerships.
    required_roles = {VIEW: Role.ADMIN, ADD: Role.OWNER, CHANGE: Role.ADMIN, DELETE: Role.ADMIN}

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "customer_account"],
                condition=Q(ended_at__isnull=True),
                name="partnership_one_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} → {self.customer_account}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None
