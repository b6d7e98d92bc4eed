"""Provider data: the shop catalogue, contracts (Verträge) and domain contracts.

Operator staff maintain all of it in the operator area. Account members see
their account's contracts and domains in "Produktverwaltung", and resellers
assign them to their end customers (``contracts.services``).
"""

import logging
import re
from typing import ClassVar

import idna
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from core.crypto import EncryptedTextField
from core.roles import Role
from core.tenancy import ACTION_LABELS, ADD, CHANGE, DELETE, VIEW, AccountOwnedModel

logger = logging.getLogger(__name__)

# Members never add, change or delete provider data; the one thing they do is
# assign a contract or domain to an end customer (or to none).
ASSIGN = "assign"
OPEN_PLESK = "open_plesk"

# Areas are provider data in the provider's words, not UI text.
DOMAIN_AREA = "Domains"
CONTRACT_NUMBER = re.compile(r"[A-Za-z0-9_-]{1,32}")


def validate_contract_number(value: str) -> None:
    if not CONTRACT_NUMBER.fullmatch(value or ""):
        raise ValidationError(_("Use up to 32 letters, digits, “-” and “_”."), code="invalid")


def to_idna(value: str) -> str:
    """A domain name in its stored form: lower case, ASCII (IDNA 2008 with UTS #46 mapping), no final dot."""
    value = (value or "").strip().rstrip(".")
    try:
        ascii_name = idna.encode(value, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as error:
        raise ValidationError(_("Enter a valid domain name such as müller-bäckerei.de."), code="invalid") from error
    if "." not in ascii_name:
        raise ValidationError(_("Enter a valid domain name such as müller-bäckerei.de."), code="invalid")
    return ascii_name.lower()


def to_unicode(ascii_name: str) -> str:
    """How people read a stored domain name: ``xn--mller-bckerei-hfb76a.de`` → ``müller-bäckerei.de``."""
    try:
        return idna.decode(ascii_name)
    except (idna.IDNAError, UnicodeError):
        return ascii_name


class Status(models.TextChoices):
    ACTIVE = "active", _("active")
    INACTIVE = "inactive", _("inactive")


class ShopProduct(models.Model):
    """An entry of the provider's catalogue, e.g. "CS-Flex 2" or "Reseller 50 GB"."""

    class Kind(models.TextChoices):
        STANDARD = "standard", _("standard")
        RESELLER_TARIFF = "reseller_tariff", _("reseller tariff")
        MANAGED_SERVER = "managed_server", _("managed server")
        DOMAIN = "domain", _("domain")

    name = models.CharField(_("name"), max_length=200, unique=True)
    area = models.CharField(_("area"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.STANDARD)
    is_active = models.BooleanField(_("active"), default=True)
    shop_url = models.URLField(_("shop page"), max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("shop product")
        verbose_name_plural = _("shop products")

    def __str__(self):
        return self.name

    @property
    def is_reseller_product(self) -> bool:
        """Reseller tariffs and managed servers: contracts of them are bound to a Plesk server."""
        return self.kind in (self.Kind.RESELLER_TARIFF, self.Kind.MANAGED_SERVER)


class AssignableContract(AccountOwnedModel):
    """What contracts and domain contracts share: a number, an area, a status and an optional end customer.

    The end customer is set only through ``contracts.services``, which takes
    the customer's row lock first; ``RESTRICT`` keeps the database from
    deleting a customer that something is still assigned to.
    """

    number = models.CharField(_("contract"), max_length=32, unique=True, validators=[validate_contract_number])
    area = models.CharField(_("area"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    note = models.CharField(_("note"), max_length=200, blank=True)
    end_customer = models.ForeignKey(
        "customers.EndCustomer",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("customer"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    required_roles = {
        VIEW: Role.EMPLOYEE,
        ASSIGN: Role.EMPLOYEE,
        ADD: Role.OWNER,
        CHANGE: Role.OWNER,
        DELETE: Role.OWNER,
    }
    action_labels = {**ACTION_LABELS, ASSIGN: _("assign %(objects)s")}
    # What ``__str__`` reads, for querysets that show or audit many of them.
    display_related: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.end_customer_id and self.account_id and self.end_customer.account_id != self.account_id:
            raise ValidationError({"end_customer": _("The customer belongs to another account.")})

    @property
    def is_active(self) -> bool:
        return self.status == Status.ACTIVE


class Contract(AssignableContract):
    """One ordered shop product of an account (Vertrag, e.g. ``o2411``).

    A reseller contract (reseller tariff or managed server) is bound to a
    hosting server and the reseller's login there; the password is stored
    encrypted and never shown again.
    """

    shop_product = models.ForeignKey(
        ShopProduct, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("product")
    )
    hosting_server = models.ForeignKey(
        "hosting.HostingServer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
        verbose_name=_("hosting server"),
    )
    plesk_login = models.CharField(_("Plesk login"), max_length=100, blank=True)
    plesk_password = EncryptedTextField(_("Plesk password"), blank=True)
    plesk_login_refused_at = models.DateTimeField(
        _("Plesk login refused at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Set when Plesk refused the login; cleared when login or password is changed."),
    )

    display_related = ("shop_product",)
    # Opening the reseller's Plesk panel gives its full reseller powers there.
    required_roles = {**AssignableContract.required_roles, OPEN_PLESK: Role.ADMIN}
    action_labels = {**AssignableContract.action_labels, OPEN_PLESK: _("open %(objects)s in Plesk")}
    # Logging in to a contract is opening its Plesk panel.
    audit_sentences = {AuditEntry.Action.LOGIN: _("%(user)s logged in to %(object)s")}

    class Meta:
        ordering = ["-number"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        indexes = [models.Index(fields=["account", "shop_product", "status"])]

    def __str__(self):
        return f"{self.number} {self.shop_product.name}"

    def save(self, *args, **kwargs):
        if not self.area and self.shop_product_id:
            self.area = self.shop_product.area
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("contracts:contract_detail", args=[self.pk])

    @property
    def is_reseller_contract(self) -> bool:
        return self.shop_product.is_reseller_product

    def clean(self):
        super().clean()
        bound = bool(self.hosting_server_id or self.plesk_login)
        if bound and not (self.hosting_server_id and self.plesk_login):
            raise ValidationError(_("A reseller contract needs both a hosting server and the reseller's Plesk login."))

    def plesk_client(self, **options):
        """A client acting as the reseller on its server: it sees and changes only the reseller's objects.

        Once Plesk has refused the login, it is not tried again until operator
        staff change it: Plesk bans an address after repeated failed logins,
        which would cut off every reseller on that server (PX-07).
        """
        if self.plesk_login_refused_at is not None:
            raise ValidationError(
                _("The reseller's Plesk login was refused; it is not tried again until the provider corrects it.")
            )
        return self.hosting_server.client(
            login=self.plesk_login, password=self.plesk_password, on_auth_error=self._plesk_login_refused, **options
        )

    def _plesk_login_refused(self, error) -> None:
        now = timezone.now()
        Contract.objects.filter(pk=self.pk, plesk_login_refused_at__isnull=True).update(plesk_login_refused_at=now)
        self.plesk_login_refused_at = now
        logger.warning(
            "contract %s: Plesk refused the login %s; not tried again until corrected", self.pk, self.plesk_login
        )


class Domain(AssignableContract):
    """A domain contract. The name is stored as IDNA (ASCII) and shown in Unicode."""

    class Verification(models.TextChoices):
        VERIFIED = "verified", _("verified")
        PENDING = "pending", _("verification pending")
        FAILED = "failed", _("verification failed")

    class Zone(models.TextChoices):
        ACTIVE = "active", _("zone active")
        EXTERNAL = "external", _("external name servers")
        NONE = "none", _("no zone")

    class Renewal(models.TextChoices):
        AUTORENEW = "autorenew", _("auto-renew")
        AUTOEXPIRE = "autoexpire", _("expires at term end")
        AUTODELETE = "autodelete", _("deleted at term end")

    name = models.CharField(_("domain"), max_length=253, unique=True, help_text=_("Stored in IDNA (ASCII) form."))
    name_unicode = models.CharField(_("domain"), max_length=253, editable=False, db_index=True)
    registrar = models.CharField(_("registrar"), max_length=32, help_text=_("Registrar code, e.g. INWX."))
    verification = models.CharField(
        _("verification"), max_length=16, choices=Verification.choices, default=Verification.PENDING
    )
    zone = models.CharField(_("zone"), max_length=16, choices=Zone.choices, default=Zone.ACTIVE)
    transfer_lock = models.BooleanField(_("transfer lock"), default=True)
    renewal_mode = models.CharField(
        _("renewal mode"), max_length=16, choices=Renewal.choices, default=Renewal.AUTORENEW
    )
    expires_on = models.DateField(_("paid until"), null=True, blank=True)

    class Meta:
        ordering = ["name_unicode"]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self):
        return self.name_unicode or to_unicode(self.name)

    def clean(self):
        super().clean()
        try:
            self.name = to_idna(self.name)
        except ValidationError as error:
            raise ValidationError({"name": error.messages}) from error
        self.registrar = (self.registrar or "").strip().upper()

    def save(self, *args, **kwargs):
        self.name_unicode = to_unicode(self.name)
        if not self.area:
            self.area = DOMAIN_AREA
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("contracts:domain_detail", args=[self.pk])

    def state_summary(self) -> list[str]:
        """The registrar state in words: verification, zone, transfer lock, renewal mode."""
        return [
            self.get_verification_display(),
            self.get_zone_display(),
            str(_("transfer lock on") if self.transfer_lock else _("transfer lock off")),
            self.get_renewal_mode_display(),
        ]
