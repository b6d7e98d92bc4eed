import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from core.tenancy import ACTION_LABELS, ADD, CHANGE, DELETE, VIEW, RoleRules, TenantModel

# Making someone an owner, or changing or removing an owner: owners only.
MANAGE_OWNERS = "manage_owners"


class Account(RoleRules, models.Model):
    """A customer of the provider, identified by its customer number (Kundennummer)."""

    number = models.CharField(_("customer number"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_partner = models.BooleanField(
        _("partner (reseller)"),
        default=False,
        help_text=_("Switched on by operator staff: the account may run the reseller features."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    require_two_factor = models.BooleanField(_("require two-factor login for all members"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # The account's own settings: only its owners change them.
    required_roles = {VIEW: Role.EMPLOYEE, ADD: Role.OWNER, CHANGE: Role.OWNER, DELETE: Role.OWNER}

    class Meta:
        ordering = ["number"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self):
        return f"{self.name} ({self.number})"


class Membership(TenantModel):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.EMPLOYEE)
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)

    required_roles = {VIEW: Role.EMPLOYEE, ADD: Role.ADMIN, CHANGE: Role.ADMIN, DELETE: Role.ADMIN}
    action_labels = {**ACTION_LABELS, MANAGE_OWNERS: _("manage owners")}

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [models.UniqueConstraint(fields=["account", "user"], name="membership_unique_user")]

    def __str__(self):
        return f"{self.user} – {self.account} ({self.get_role_display()})"

    def get_absolute_url(self):
        return reverse("accounts:membership_edit", args=[self.pk])


def _invitation_expiry():
    return timezone.now() + timedelta(days=7)


class Invitation(TenantModel):
    """An e-mailed invitation to join an account; the token is stored only as a hash."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.EMPLOYEE)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), default=_invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    required_roles = Membership.required_roles

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return self.email

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def issue_token(self) -> str:
        """Set a new random token and return it; only its hash is stored."""
        token = secrets.token_urlsafe(32)
        self.token_hash = self.hash_token(token)
        return token

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()
