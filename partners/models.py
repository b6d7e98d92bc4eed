"""Partnerships: a partner account (a reseller) working in a customer account for as long as both want.

The work inside the customer's account is a service access of the partnership kind (``access``): the same
switch, banner, audit trail the customer reads and revocation as a code's, with the owner's rights, all of
them (Vollzugriff) or for single products (Teilzugriff, ``access.AccessScopeItem``). This row holds what the
partner keeps about it: since when, which of its MKM customers it is, whether it gets copies of the customer's
mails, whether it has looked at the rights the customer granted.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from core.roles import Role
from core.tenancy import ACTION_LABELS, ADD, CHANGE, DELETE, VIEW, RestrictedManager, RestrictedQuerySet, TenantModel

if TYPE_CHECKING:
    from core.actor import Actor

# Actions on a partnership besides the four of every model: working in the customer's account (Konto öffnen),
# assigning it to employees (Meine Kunden).
OPEN = "open"
ASSIGN = "assign"


class PartnershipQuerySet(RestrictedQuerySet["Partnership"]):
    def restrict(self, actor: Actor | None, action: str = VIEW) -> Self:
        """An employee of the partner reaches only the managed customers assigned to it (Meine Kunden); owners and
        administrators reach every one."""
        queryset = super().restrict(actor, action)
        if actor is not None and not actor.has_role(Role.ADMIN):
            queryset = queryset.filter(access__assigned_members=actor.user)
        return queryset


class PartnershipManager(RestrictedManager["Partnership"]):
    def get_queryset(self) -> PartnershipQuerySet:
        return PartnershipQuerySet(self.model, using=self._db)


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
    # The partner's owner invites (the legal representative) and assigns managed customers to employees;
    # administrators work in, change and end partnerships; an employee sees and works in those assigned to it
    # (``PartnershipQuerySet.restrict``).
    required_roles = {
        VIEW: Role.EMPLOYEE,
        ADD: Role.OWNER,
        CHANGE: Role.ADMIN,
        DELETE: Role.ADMIN,
        OPEN: Role.EMPLOYEE,
        ASSIGN: Role.OWNER,
    }
    action_labels = {
        **ACTION_LABELS,
        OPEN: _("work in the accounts of managed customers"),
        ASSIGN: _("assign managed customers to employees"),
    }

    objects: ClassVar[PartnershipManager] = PartnershipManager()

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


class PartnerShare(TenantModel):
    """A customer's "Zugriff freigeben" to a partner, open until the partner connects or declines it or the
    customer withdraws it (IONOS: Zugriffsfreigabe durch Kunde). Owned by the partner, whose list and badge
    show the open ones; the customer reads its side through ``partners.shares``.

    It records the consent of the customer's owner (``granted_by``) and the rights it gave; connecting turns
    it into a ``Partnership`` with exactly those rights."""

    class State(models.TextChoices):
        OPEN = "open", _("open")
        CONNECTED = "connected", _("connected")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="received_shares", editable=False
    )
    customer_account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="sent_shares", verbose_name=_("customer")
    )
    # The owner whose consent this is; without them (a deleted user) the share can no longer be connected.
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("shared by"),
    )
    full = models.BooleanField(_("full access"), default=True)
    # A Teilzugriff's products: [{"product": "contracts.Contract", "id": 7, "technical": true, "statistics": false}].
    rights = models.JSONField(_("rights"), default=list, blank=True)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(_("shared"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    decline_message = models.TextField(_("personal message"), max_length=2000, blank=True)
    partnership = models.OneToOneField(
        Partnership, on_delete=models.SET_NULL, null=True, blank=True, related_name="share", editable=False
    )

    requires_partner = True
    # Both accounts record these, each naming the other account as the object.
    audit_sentences = {
        AuditEntry.Action.CREATE: _("%(user)s shared access between this account and %(object)s"),
        AuditEntry.Action.UPDATE: _("%(user)s answered the access share between this account and %(object)s"),
        AuditEntry.Action.REVOKE: _("%(user)s withdrew the access share between this account and %(object)s"),
    }
    # The partner's administrators connect or decline, as they work in and end partnerships.
    required_roles = {VIEW: Role.ADMIN, ADD: Role.OWNER, CHANGE: Role.ADMIN, DELETE: Role.ADMIN}

    class Meta:
        verbose_name = _("access share")
        verbose_name_plural = _("access shares")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "customer_account"],
                condition=Q(state="open"),
                name="partnershare_one_open_at_a_time",
            ),
        ]
        indexes = [models.Index(fields=["account", "state"])]

    def __str__(self) -> str:
        return f"{self.customer_account} → {self.account}"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN


# How long an invitation's link holds (Infomaniak: 14 days).
INVITATION_VALIDITY = timedelta(days=14)


def _invitation_expiry() -> datetime:
    return timezone.now() + INVITATION_VALIDITY


class PartnerInvitation(TenantModel):
    """ "Einen Kunden hinzufügen": the partner's owner asks someone, by e-mail, to make it their partner.

    The mail's link carries a random token; only its SHA-256 is stored. Whoever answers is the owner of the
    customer account that accepts (``partners.invitations``): it may grant other rights than asked for.
    """

    class State(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="partner_invitations", editable=False
    )
    email = models.EmailField(_("e-mail address"))
    requested_full = models.BooleanField(_("full access asked for"), default=True)
    message = models.TextField(_("message"), max_length=2000, blank=True)
    sender_email = models.EmailField(_("sender address"), blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"), default=_invitation_expiry)
    state = models.CharField(_("status"), max_length=16, choices=State.choices, default=State.OPEN)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    decline_message = models.TextField(_("reason"), max_length=2000, blank=True)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.SET_NULL, null=True, blank=True, related_name="invitations", editable=False
    )
    # Sent from one of the partner's own end customers ("Zugriffsanfrage senden"): the partnership is linked to it.
    end_customer = models.ForeignKey(
        "customers.EndCustomer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("end customer"),
        editable=False,
    )

    requires_partner = True
    # Only the partner's owner (its legal representative) invites and withdraws; administrators see them.
    required_roles = {VIEW: Role.ADMIN, ADD: Role.OWNER, CHANGE: Role.OWNER, DELETE: Role.OWNER}

    class Meta:
        verbose_name = _("partner invitation")
        verbose_name_plural = _("partner invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()

    def issue_token(self) -> str:
        """Set a new random token and return it; only its hash is stored."""
        token = secrets.token_urlsafe(32)
        self.token_hash = self.hash_token(token)
        return token

    @property
    def is_expired(self) -> bool:
        return self.state == self.State.OPEN and self.expires_at <= timezone.now()

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN and not self.is_expired
