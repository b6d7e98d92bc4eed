"""The white-label portal: a reseller's portal template and the host name it is served on."""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator, URLValidator
from django.db import models
from django.urls import reverse
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
        return f"{reverse('portal:template_image', args=[self.pk, kind])}?v={version}"
