from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.display import action_label, field_label, field_value, model_field
from core.roles import Role
from core.tenancy import ADD, CHANGE, DELETE, VIEW, TenantModel


class AuditEntry(TenantModel):
    """One recorded action: who really did it, in which account, to what.

    Entries are append-only. Nobody gets a role high enough to change or
    delete them, and the admin shows them read-only.
    """

    class Action(models.TextChoices):
        CREATE = "create", pgettext_lazy("audit action", "created")
        UPDATE = "update", pgettext_lazy("audit action", "changed")
        DELETE = "delete", pgettext_lazy("audit action", "deleted")
        LOGIN = "login", pgettext_lazy("audit action", "logged in")
        LOGOUT = "logout", pgettext_lazy("audit action", "logged out")
        LOGIN_FAILED = "login_failed", pgettext_lazy("audit action", "login failed")
        PASSWORD_CHANGE = "password_change", pgettext_lazy("audit action", "changed the password")
        PASSWORD_RESET = "password_reset", pgettext_lazy("audit action", "reset the password")
        TWO_FACTOR_ON = "two_factor_on", pgettext_lazy("audit action", "turned on two-factor login")
        TWO_FACTOR_OFF = "two_factor_off", pgettext_lazy("audit action", "turned off two-factor login")
        SWITCH_ACCOUNT = "switch_account", pgettext_lazy("audit action", "switched account")
        INVITE = "invite", pgettext_lazy("audit action", "invited")
        JOIN = "join", pgettext_lazy("audit action", "joined")
        ACTIVATE = "activate", pgettext_lazy("audit action", "activated")
        SWITCH_IN = "switch_in", pgettext_lazy("audit action", "started working through service access")
        SWITCH_OUT = "switch_out", pgettext_lazy("audit action", "stopped working through service access")
        SWITCH_END = "switch_end", pgettext_lazy("audit action", "was sent back: service access ended")
        REVOKE = "revoke", pgettext_lazy("audit action", "revoked")
        DEACTIVATE = "deactivate", pgettext_lazy("audit action", "deactivated")
        EXPORT = "export", pgettext_lazy("audit action", "exported")
        IMPORT = "import", pgettext_lazy("audit action", "imported")
        ERASE = "erase", pgettext_lazy("audit action", "erased")
        TOKEN_CREATE = "token_create", pgettext_lazy("audit action", "created an API token")
        TOKEN_REVOKE = "token_revoke", pgettext_lazy("audit action", "revoked an API token")
        DENIED = "denied", pgettext_lazy("audit action", "was denied")

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept when the user is deleted, so the trail still says who it was.
    user_repr = models.CharField(_("user"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices)
    object_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    # The object this one belongs to (an end customer for its to-dos), so the
    # parent's activity tab shows what happened to its children too.
    parent_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    parent_id = models.CharField(max_length=64, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # A "denied" entry's refused action on ``object_type`` (``RoleRules.action_labels`` names it).
    refused_action = models.CharField(max_length=32, blank=True)
    # Set when the action was taken by a provider working in this account through service access.
    service_access = models.ForeignKey(
        "access.ServiceAccess", on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    required_roles = {VIEW: Role.EMPLOYEE, ADD: Role.OWNER, CHANGE: Role.OWNER, DELETE: Role.OWNER}

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activity")
        indexes = [
            models.Index(fields=["account", "-created_at"]),
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["parent_type", "parent_id"]),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user_repr} {self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit entries are append-only.")

    @property
    def object_model(self) -> type[models.Model] | None:
        """The recorded object's model, from the content-type cache (no query per entry)."""
        if self.object_type_id is None:
            return None
        return ContentType.objects.get_for_id(self.object_type_id).model_class()

    @property
    def object_display(self) -> str:
        """The object as the reader reads it; for a denial, what was refused ("delete customers")."""
        if self.refused_action:
            return capfirst(action_label(self.object_model, self.refused_action))
        return self.object_repr

    def readable_changes(self) -> list[tuple[str, str, str]]:
        """``(field, old, new)`` for each change as the UI shows it, in the reader's language.

        The page, the export and anything else that shows changes read them here.
        """
        model = self.object_model
        rows = []
        for name, (old, new) in (self.changes or {}).items():
            field = model_field(model, name)
            rows.append((field_label(field, name), field_value(field, old), field_value(field, new)))
        return rows
