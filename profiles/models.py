"""A partner's public face (``PartnerProfile``) and the inquiries it receives through it (``Inquiry``)."""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.roles import Role
from core.tenancy import ADD, CHANGE, DELETE, VIEW, AccountOwnedModel
from core.text import validate_multiline_text, validate_plain_text

DESCRIPTION_MAX_LENGTH = 3000
MESSAGE_MAX_LENGTH = 5000


class Service(models.TextChoices):
    """What a hosting reseller offers; a profile lists its own, the directory searches by them."""

    WEBDESIGN = "webdesign", _("Web design")
    HOSTING = "hosting", _("Hosting")
    EMAIL = "email", _("E-mail")
    ONLINE_SHOP = "online_shop", _("Online shop")
    SEO = "seo", _("Search engine optimisation (SEO)")
    MARKETING = "marketing", _("Online marketing")
    DOMAINS = "domains", _("Domains")
    SUPPORT = "support", _("Support and maintenance")


def validate_services(value: str) -> None:
    """A comma-separated list of ``Service`` codes (how ``PartnerProfile.services`` is stored)."""
    if any(code not in Service.values for code in split_services(value)):
        raise ValidationError(_("Select a valid choice. That choice is not one of the available choices."))


def split_services(value: str) -> list[str]:
    return [code for code in (value or "").split(",") if code]


def join_services(codes: list[str]) -> str:
    """Codes in the order of ``Service``, each once."""
    return ",".join(code for code in Service.values if code in codes)


def logo_path(profile: PartnerProfile, filename: str) -> str:
    """A random name under the account's folder: an uploaded name never reaches the file system."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"profiles/{profile.account_id}/{secrets.token_hex(16)}{suffix}"


class PartnerProfile(AccountOwnedModel):
    """A reseller's page in the public partner directory ("Partnerprofil"), listed only while ``is_public``."""

    is_public = models.BooleanField(
        _("show publicly"),
        default=False,
        help_text=_("Listed in the partner directory; anyone can see the profile and send you inquiries."),
    )
    display_name = models.CharField(_("name"), max_length=200, validators=[validate_plain_text])
    slug = models.SlugField(
        _("address of the profile page"),
        max_length=80,
        unique=True,
        error_messages={"unique": _("This address is already taken. Please choose another one.")},
    )
    logo = models.FileField(_("logo"), upload_to=logo_path, blank=True, max_length=200)
    description = models.TextField(
        _("description"),
        blank=True,
        validators=[validate_multiline_text, MaxLengthValidator(DESCRIPTION_MAX_LENGTH)],
    )
    services = models.CharField(_("services offered"), max_length=200, blank=True, validators=[validate_services])
    postal_code = models.CharField(_("postal code"), max_length=16, blank=True, validators=[validate_plain_text])
    city = models.CharField(_("city"), max_length=100, blank=True, validators=[validate_plain_text])
    website = models.CharField(_("website"), max_length=2000, blank=True, validators=[validate_plain_text])
    contact_email = models.EmailField(
        _("contact e-mail"),
        blank=True,
        validators=[validate_plain_text],
        help_text=_("Inquiries go to this address; without one, to the account's owners."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    requires_partner = True
    # Owners and administrators edit the profile; employees see it.
    required_roles: ClassVar[dict[str, Role]] = {
        VIEW: Role.EMPLOYEE,
        ADD: Role.ADMIN,
        CHANGE: Role.ADMIN,
        DELETE: Role.OWNER,
    }

    class Meta:
        verbose_name = _("partner profile")
        verbose_name_plural = _("partner profiles")
        ordering = ["display_name", "pk"]
        constraints = [models.UniqueConstraint(fields=["account"], name="partnerprofile_one_per_account")]
        indexes = [models.Index(fields=["is_public", "display_name"])]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("profiles:public_profile", args=[self.slug])

    def clean(self) -> None:
        from customers.validators import normalize_website

        for field in ("display_name", "postal_code", "city", "contact_email", "description"):
            setattr(self, field, (getattr(self, field) or "").strip())
        self.slug = (self.slug or "").strip().lower()
        try:
            self.website = normalize_website(self.website)
        except ValidationError as error:
            raise ValidationError({"website": error.messages}) from None

    @property
    def service_list(self) -> list[str]:
        return split_services(self.services)

    @property
    def service_labels(self) -> list[str]:
        return [str(Service(code).label) for code in self.service_list]

    @property
    def logo_url(self) -> str:
        """Where pages load the logo (``""`` for none); the file's random name makes a replaced logo a new
        address that no browser has cached."""
        if not self.logo.name:
            return ""
        version = PurePosixPath(self.logo.name).stem[:12]
        return f"{reverse('profiles:logo', args=[self.pk])}?v={version}"


def published_profiles() -> models.QuerySet[PartnerProfile]:
    """The profiles anyone may see: public, of an active account that still has the partner capability.

    The one place of that rule, for the directory, the public page, its logo and the inquiry form."""
    return PartnerProfile.objects.filter(is_public=True, account__is_partner=True, account__is_active=True)


class Inquiry(AccountOwnedModel):
    """A message a prospect sent through the partner's public profile ("Anfrage").

    ``end_customer`` is the customer it was turned into or assigned to ("Kunde hinzufügen"); from then on it
    belongs to that customer for good, and goes when the customer goes (erasure takes the prospect's message
    along, like the customer's to-dos).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")

    name = models.CharField(_("name"), max_length=200, validators=[validate_plain_text])
    company = models.CharField(_("company"), max_length=200, blank=True, validators=[validate_plain_text])
    email = models.EmailField(_("e-mail"), validators=[validate_plain_text])
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_plain_text])
    message = models.TextField(
        pgettext_lazy("inquiry", "message"),
        validators=[validate_multiline_text, MaxLengthValidator(MESSAGE_MAX_LENGTH)],
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    end_customer = models.ForeignKey(
        "customers.EndCustomer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="inquiries",
        verbose_name=_("customer"),
        editable=False,
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    requires_partner = True
    # Employees see and handle inquiries; nobody deletes one in the portal (it goes with its customer).
    required_roles: ClassVar[dict[str, Role]] = {
        VIEW: Role.EMPLOYEE,
        ADD: Role.EMPLOYEE,
        CHANGE: Role.EMPLOYEE,
        DELETE: Role.ADMIN,
    }

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["account", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.company})" if self.company else self.name

    def get_absolute_url(self) -> str:
        return reverse("profiles:inquiry_detail", args=[self.pk])

    def clean(self) -> None:
        for field in ("name", "company", "email", "phone", "message"):
            setattr(self, field, (getattr(self, field) or "").strip())

    def customer_prefill(self) -> dict[str, Any]:
        """What a new end customer takes over from the inquiry: names, company, e-mail and phone."""
        first, _space, last = self.name.rpartition(" ")
        return {
            "company": self.company,
            "first_name": first or "",
            "last_name": last,
            "email": self.email,
            "phone": self.phone,
        }
