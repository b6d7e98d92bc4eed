"""Support requests: what an account's member asks the provider's support through "Kontakt", and the answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.roles import Role
from core.tenancy import ADD, CHANGE, DELETE, VIEW, AccountOwnedModel
from core.text import validate_multiline_text, validate_plain_text
from support.validators import PATH_MAX_LENGTH, validate_site_path

if TYPE_CHECKING:
    from users.models import User

MESSAGE_MAX_LENGTH = 5000
LABEL_MAX_LENGTH = 200


class SupportRequest(AccountOwnedModel):
    """One request to the provider's support, sent from the main portal and answered in the operator area."""

    class Topic(models.TextChoices):
        # The cases the provider's help pages send resellers to support for, in their words.
        NEW_PORTAL_TEMPLATE = "new_portal_template", _("New portal template")
        NEW_PORTAL_URL = "new_portal_url", _("New portal URL")
        CUSTOMER_NOT_DELETABLE = "customer_not_deletable", _("Customer cannot be deleted")
        PLANS_NOT_LOADING = "plans_not_loading", _("Hosting plans do not load")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ANSWERED = "answered", _("answered")

    # Kept when the user is deleted: the request still belongs to the account.
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("sender"),
    )
    topic = models.CharField(_("topic"), max_length=32, choices=Topic.choices)
    message = models.TextField(
        pgettext_lazy("support request", "message"), max_length=MESSAGE_MAX_LENGTH, validators=[validate_multiline_text]
    )
    object_label = models.CharField(
        _("concerns"),
        max_length=LABEL_MAX_LENGTH,
        blank=True,
        validators=[validate_plain_text],
        help_text=_("Optional: the customer, contract or product it is about, e.g. a customer number."),
    )
    object_url = models.CharField(
        _("object's page"), max_length=PATH_MAX_LENGTH, blank=True, validators=[validate_site_path]
    )
    page = models.CharField(
        _("sent from page"), max_length=PATH_MAX_LENGTH, blank=True, validators=[validate_site_path]
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN, editable=False)
    reply = models.TextField(
        _("answer"), max_length=MESSAGE_MAX_LENGTH, blank=True, validators=[validate_multiline_text]
    )
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("answered by"),
    )
    replied_at = models.DateTimeField(_("answered"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    # Every member may ask. No page or endpoint changes or deletes a request: answering is the operator area's.
    required_roles = {VIEW: Role.EMPLOYEE, ADD: Role.EMPLOYEE, CHANGE: Role.OWNER, DELETE: Role.OWNER}

    class Meta:
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["account", "sender", "-created_at"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_topic_display()}"

    def get_absolute_url(self) -> str:
        return reverse("support:request_detail", args=[self.pk])


def own_requests(queryset: models.QuerySet[SupportRequest], user: User | None) -> models.QuerySet[SupportRequest]:
    """Of ``queryset`` (already restricted), the requests ``user`` sent: a member sees their own requests and
    answers, not their colleagues', since a request may be about the person who wrote it."""
    return queryset.filter(sender=user) if user is not None else queryset.none()
