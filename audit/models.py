from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.display import EMPTY, action_label, field_label, field_value, model_field, registered_reading
from core.roles import Role
from core.tenancy import ADD, CHANGE, DELETE, VIEW, TenantModel

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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
        SEND_SUMMARY = "send_summary", pgettext_lazy("audit action", "sent the account summary")

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

    @property
    def sentence(self) -> str:
        """The entry as one sentence in the reader's language ("reseller hat K-1001 angelegt").

        A model words its own actions in ``audit_sentences`` (``{action: "%(user)s … %(object)s"}``)
        where the general sentence would be wrong for it.
        """
        action = self.Action(self.action)
        own: Mapping[str, StrOrPromise] = getattr(self.object_model, "audit_sentences", {})
        template = own.get(action) or SENTENCES[action]
        if action == self.Action.SWITCH_IN and self.service_access_id is not None:
            # Recorded in the shared account: the object is the provider who came in.
            template = SWITCHED_IN_HERE
        return str(template) % {"user": self.user_repr or EMPTY, "object": self.object_display or EMPTY}

    def readable_changes(self) -> list[tuple[str, str, str]]:
        """``(field, old, new)`` for each change as the UI shows it, in the reader's language.

        The page, the export and anything else that shows changes read them here. A name a model records
        beside its fields reads as its app registered it (``display.register_readings``).
        """
        model = self.object_model
        rows = []
        for name, (old, new) in (self.changes or {}).items():
            reading = registered_reading(model, name)
            if reading is not None:
                created = self.action == self.Action.CREATE
                rows.append((str(reading.label), EMPTY if created else reading.value(old), reading.value(new)))
                continue
            field = model_field(model, name)
            before, after = field_value(field, old), field_value(field, new)
            if before == after == EMPTY:  # None → "": recorded as a change, but nothing to read
                continue
            rows.append((field_label(field, name), before, after))
        return rows


Action = AuditEntry.Action
# One sentence per action, with placeholders: word order differs between languages.
SENTENCES = {
    Action.CREATE: _("%(user)s created %(object)s"),
    Action.UPDATE: _("%(user)s changed %(object)s"),
    Action.DELETE: _("%(user)s deleted %(object)s"),
    Action.LOGIN: _("%(user)s logged in"),
    Action.LOGOUT: _("%(user)s logged out"),
    Action.LOGIN_FAILED: _("Login as %(object)s failed"),
    Action.PASSWORD_CHANGE: _("%(user)s changed their password"),
    Action.PASSWORD_RESET: _("%(user)s reset the password of %(object)s"),
    Action.TWO_FACTOR_ON: _("%(user)s turned on two-factor login"),
    Action.TWO_FACTOR_OFF: _("%(user)s turned off two-factor login"),
    Action.SWITCH_ACCOUNT: _("%(user)s switched to the account %(object)s"),
    Action.INVITE: _("%(user)s invited %(object)s"),
    Action.JOIN: _("%(user)s joined: %(object)s"),
    Action.ACTIVATE: _("%(user)s activated %(object)s"),
    # Recorded in the provider's own account: the object is the account it went into.
    Action.SWITCH_IN: _("%(user)s started working in %(object)s through a service access"),
    # Recorded in the shared account; the object is the provider.
    Action.SWITCH_OUT: _("%(user)s (%(object)s) stopped working in this account through the service access"),
    Action.SWITCH_END: _("%(user)s (%(object)s) was sent back: the service access to this account has ended"),
    Action.REVOKE: _("%(user)s revoked %(object)s"),
    Action.DEACTIVATE: _("%(user)s deactivated %(object)s"),
    Action.EXPORT: _("%(user)s exported %(object)s"),
    Action.IMPORT: _("%(user)s imported %(object)s"),
    Action.ERASE: _("%(user)s erased the personal data of %(object)s"),
    Action.TOKEN_CREATE: _("%(user)s created the API token %(object)s"),
    Action.TOKEN_REVOKE: _("%(user)s revoked the API token %(object)s"),
    Action.DENIED: _("%(user)s was refused: %(object)s"),
    # The object is the customer, with the address the summary went to.
    Action.SEND_SUMMARY: _("%(user)s sent the account summary to %(object)s"),
}
SWITCHED_IN_HERE = _("%(user)s (%(object)s) started working in this account through a service access")
