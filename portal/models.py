"""The white-label portal: a reseller's portal template and the host name it is served on."""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator, URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.roles import Role
from core.tenancy import ADD, CHANGE, DELETE, VIEW, AccountOwnedModel
from portal.hosts import split_portal_url

hex_colour = RegexValidator(r"\A#[0-9a-fA-F]{6}\Z", _("Enter a colour as #rrggbb, e.g. #0d6efd."))
web_link = URLValidator(schemes=["http", "https"])


def image_path(template: PortalTemplate, filename: str) -> str:
    """A random name under the account's folder: an uploaded name never reaches the file system."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"portal/{template.account_id}/{secrets.token_hex(16)}{suffix}"


class PortalTemplate(AccountOwnedModel):
    """A reseller's white-label portal: its host name, branding, links and mail settings.

    Operator staff create a template with its portal URL (and alone change that URL); the reseller's
    administrators edit everything else. One host name belongs to one template.
    """

    class MailSecurity(models.TextChoices):
        STARTTLS = "starttls", _("STARTTLS")
        TLS = "tls", _("TLS")
        NONE = "none", _("None")

    # Portaldaten
    portal_url = models.CharField(
        _("portal URL"), max_length=300, help_text=_("Set by the provider's support; e.g. https://kunden.example.de")
    )
    host = models.CharField(_("host name"), max_length=253, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200, blank=True)
    portal_name = models.CharField(_("portal name"), max_length=200, blank=True)
    portal_name_2 = models.CharField(_("portal name 2"), max_length=200, blank=True)

    # Allgemeine Links
    home_url = models.CharField(_("home URL"), max_length=500, blank=True, validators=[web_link])
    contact_url = models.CharField(_("contact URL"), max_length=500, blank=True, validators=[web_link])
    imprint_url = models.CharField(_("imprint URL"), max_length=500, blank=True, validators=[web_link])
    privacy_url = models.CharField(_("privacy URL"), max_length=500, blank=True, validators=[web_link])
    terms_url = models.CharField(_("terms URL"), max_length=500, blank=True, validators=[web_link])

    # E-Mail Einstellungen
    mail_host = models.CharField(_("mail host"), max_length=253, blank=True)
    mail_port = models.PositiveIntegerField(
        _("mail port"), default=587, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    mail_security = models.CharField(
        _("encryption"), max_length=10, choices=MailSecurity.choices, default=MailSecurity.STARTTLS
    )
    mail_username = models.CharField(_("mail username"), max_length=254, blank=True)
    mail_password = EncryptedTextField(_("mail password"), blank=True)
    mail_from = models.EmailField(_("mail sender"), blank=True)
    mail_from_name = models.CharField(_("mail sender name"), max_length=200, blank=True)
    mail_footer = models.TextField(_("mail footer"), blank=True, max_length=2000)

    # Designereinstellungen
    color_1 = models.CharField(_("colour 1"), max_length=7, default="#0d6efd", validators=[hex_colour])
    color_2 = models.CharField(_("colour 2"), max_length=7, default="#6c757d", validators=[hex_colour])
    color_3 = models.CharField(_("colour 3"), max_length=7, default="#212529", validators=[hex_colour])
    color_4 = models.CharField(_("colour 4"), max_length=7, default="#f8f9fa", validators=[hex_colour])
    logo = models.FileField(_("logo"), upload_to=image_path, blank=True, max_length=200)
    icon = models.FileField(_("icon"), upload_to=image_path, blank=True, max_length=200)
    favicon = models.FileField(_("favicon"), upload_to=image_path, blank=True, max_length=200)

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    requires_partner = True
    # Members only view and change their templates; creating and deleting is the operator area's.
    required_roles = {VIEW: Role.ADMIN, ADD: Role.OWNER, CHANGE: Role.ADMIN, DELETE: Role.OWNER}

    class Meta:
        verbose_name = _("portal template")
        verbose_name_plural = _("portal templates")
        ordering = ["portal_name", "pk"]

    def __str__(self) -> str:
        return self.portal_name or self.host

    def clean(self) -> None:
        super().clean()
        if self.portal_url:
            self.portal_url, self.host = split_portal_url(self.portal_url)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The host is derived from the URL on every save, so the two can never disagree.
        self.portal_url, self.host = split_portal_url(self.portal_url)
        super().save(*args, **kwargs)

    def image_url(self, kind: str) -> str:
        """Where pages load the logo, icon or favicon (``""`` for none). The stored file's random name goes
        into the query, so a replaced image is a new address that no browser has cached."""
        name = getattr(self, kind).name
        if not name:
            return ""
        version = PurePosixPath(name).stem[:12]
        # The main portal's path, which the template's own host serves too.
        path = reverse("portal:template_image", args=[self.pk, kind], urlconf=settings.ROOT_URLCONF)
        return f"{path}?v={version}"


class MailDelivery(AccountOwnedModel):
    """One mail on the reseller's behalf to an end customer (invitation, password link, summaries): the
    reseller's mail log, where a mail that did not go out shows with the reason.

    Neither the body nor the mail password is kept: the body holds the set-password link, whose token is a
    credential until it is used. The reason is a code (``portal.mail.FAILURES``), worded when shown.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    class Server(models.TextChoices):
        OWN = "own", _("own mail server")
        PROVIDER = "provider", _("provider's mail server")

    kind = models.CharField(_("mail"), max_length=100)  # the template it was rendered from
    recipient = models.CharField(_("recipient"), max_length=1000)
    subject = models.CharField(_("subject"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    server = models.CharField(_("mail server"), max_length=10, choices=Server.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error_code = models.CharField(_("reason"), max_length=30, blank=True)
    error_detail = models.CharField(max_length=500, blank=True)
    error_server = models.CharField(max_length=10, choices=Server.choices, blank=True)  # whose failure the reason is
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    attempted_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    requires_partner = True
    # The log is written by the mail task alone; the reseller's administrators read it.
    required_roles = {VIEW: Role.ADMIN, ADD: Role.OWNER, CHANGE: Role.OWNER, DELETE: Role.OWNER}

    class Meta:
        verbose_name = _("mail delivery")
        verbose_name_plural = _("mail deliveries")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"

    @property
    def fell_back(self) -> bool:
        """Whether the provider's server tried after the reseller's own had failed."""
        return self.error_server == self.Server.OWN and self.server == self.Server.PROVIDER

    def note(self, number: int, server: str, failure: tuple[str, str] | None, *, final: bool) -> None:
        """Note attempt ``number`` on ``server``: sent (``failure`` None) or failed with ``(code, detail)``."""
        now = timezone.now()
        self.attempts, self.server, self.attempted_at = number, server, now
        if failure is None:
            self.status, self.sent_at = self.Status.SENT, now
        else:
            # The reseller can act on their own server's error: a later failure of the provider's server,
            # which tried only because theirs had failed, does not replace it.
            if server == self.Server.OWN or not self.error_code:
                self.error_code, self.error_detail, self.error_server = failure[0], failure[1][:500], server
            if final:
                self.status = self.Status.FAILED
        self.save()
