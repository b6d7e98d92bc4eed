from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.roles import Role
from core.tenancy import (
    ADD,
    CHANGE,
    DELETE,
    VIEW,
    AccountOwnedModel,
    RestrictedManager,
    RestrictedQuerySet,
    TenantModel,
)
from core.text import validate_multiline_text, validate_plain_text
from customers import validators

if TYPE_CHECKING:
    from core.actor import Actor

COUNTRIES = [
    ("DE", _("Germany")),
    ("AT", _("Austria")),
    ("CH", _("Switzerland")),
    ("LI", _("Liechtenstein")),
    ("LU", _("Luxembourg")),
    ("NL", _("Netherlands")),
    ("BE", _("Belgium")),
    ("DK", _("Denmark")),
    ("FR", _("France")),
    ("IT", _("Italy")),
    ("ES", _("Spain")),
    ("PL", _("Poland")),
    ("CZ", _("Czechia")),
    ("GB", _("United Kingdom")),
    ("US", _("United States")),
]


@dataclass(frozen=True)
class ProductRow:
    """One line of a customer's Products tab, whichever app the product comes from."""

    kind: str  # "Provider product", "Reseller product"
    name: str  # as the reseller sells it: its own brand where it has one
    number: str  # the contract it runs on
    status: str  # as shown
    active: bool
    url: str
    detail: str = ""  # the provider's name under the reseller's brand


# What a relation counts as in the customer list: a product (and a line of the Products
# tab), or a domain (the Domains tab). The design's "Produkte" are provider contracts and
# reseller hostings; domains are assigned the same way but are not products.
PRODUCTS = "products"
DOMAINS = "domains"


class ProductRelation(NamedTuple):
    """A model whose rows, through ``field``, are assigned to an end customer.

    Each blocks the customer's deletion and is part of its data export. As
    ``PRODUCTS`` (with ``rows``: its lines of the customer's Products tab,
    restricted to what the actor may see) it is counted as the list's
    "Produkte"; as ``DOMAINS`` it is counted apart and shown by the app's own
    tab, so the count always matches the Products tab. ``ended`` (field
    lookups) picks the rows that no longer tie the customer, such as a
    cancelled hosting: they are not counted, block nothing, and go when the
    customer goes.
    """

    model_label: str
    field: str
    rows: Callable[[Actor, EndCustomer], list[ProductRow]] | None = None
    counted_as: str = PRODUCTS
    ended: dict[str, Any] | None = None

    def tying(self, **lookups: Any) -> QuerySet[Any]:
        """The relation's rows matching ``lookups`` that tie their customer (all but the ended ones)."""
        from django.apps import apps

        rows = apps.get_model(self.model_label)._default_manager.filter(**lookups)
        return rows.exclude(**self.ended) if self.ended else rows


# Apps that assign things to end customers register here (from ``AppConfig.ready``), so this app
# never imports them.
PRODUCT_RELATIONS: list[ProductRelation] = []


def register_product_relation(
    model_label: str,
    field: str,
    rows: Callable[[Actor, EndCustomer], list[ProductRow]] | None = None,
    *,
    counted_as: str = PRODUCTS,
    ended: dict[str, Any] | None = None,
) -> None:
    if counted_as == PRODUCTS and rows is None:
        raise ValueError(f"{model_label}: a product relation needs the rows of the Products tab it is counted for.")
    if all(relation.model_label != model_label for relation in PRODUCT_RELATIONS):
        PRODUCT_RELATIONS.append(ProductRelation(model_label, field, rows, counted_as, ended))


def _count(rows: QuerySet[Any], field: str):
    rows = rows.order_by().values(field)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), Value(0))


def _count_of(model, field: str):
    return _count(model._default_manager.filter(**{field: OuterRef("pk")}), field)


def customer_display_name(company: str, last_name: str, first_name: str) -> str:
    name = f"{last_name}, {first_name}"
    return f"{company} ({name})" if company else name


def customer_label(number: str, company: str, last_name: str, first_name: str) -> str:
    """How a customer is named in lists and the activity (its ``str``), from its values: an import names
    100,000 customers without building them."""
    return f"{number} – {customer_display_name(company, last_name, first_name)}"


class EndCustomerQuerySet(RestrictedQuerySet):
    def with_counts(self):
        """Annotate ``product_count``, ``domain_count`` and ``user_count``: one subquery per relation, any page size."""
        counts = {PRODUCTS: Value(0, output_field=IntegerField()), DOMAINS: Value(0, output_field=IntegerField())}
        for relation in PRODUCT_RELATIONS:
            counts[relation.counted_as] += _count(relation.tying(**{relation.field: OuterRef("pk")}), relation.field)
        return self.annotate(
            product_count=counts[PRODUCTS],
            domain_count=counts[DOMAINS],
            user_count=_count_of(PortalUser, "end_customer"),
        )


class EndCustomer(AccountOwnedModel):
    """A reseller's own customer (MKM "Kunde")."""

    number = models.CharField(_("customer number"), max_length=32, validators=[validators.validate_customer_number])
    company = models.CharField(_("company"), max_length=200, blank=True, validators=[validate_plain_text])
    last_name = models.CharField(_("last name"), max_length=100, validators=[validate_plain_text])
    first_name = models.CharField(_("first name"), max_length=100, validators=[validate_plain_text])
    street = models.CharField(_("street and number"), max_length=200, validators=[validate_plain_text])
    postal_code = models.CharField(_("postal code"), max_length=16, validators=[validate_plain_text])
    city = models.CharField(_("city"), max_length=100, validators=[validate_plain_text])
    country = models.CharField(_("country"), max_length=2, choices=COUNTRIES, default="DE")
    phone = models.CharField(_("phone"), max_length=32, validators=[validate_plain_text])
    mobile = models.CharField(_("mobile"), max_length=32, validators=[validate_plain_text])
    email = models.EmailField(_("e-mail"), validators=[validate_plain_text])
    website = models.CharField(_("website"), max_length=2000, blank=True, validators=[validate_plain_text])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    requires_partner = True
    required_roles = {VIEW: Role.EMPLOYEE, ADD: Role.EMPLOYEE, CHANGE: Role.EMPLOYEE, DELETE: Role.ADMIN}

    objects = RestrictedManager.from_queryset(EndCustomerQuerySet)()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint("account", Lower("number"), name="endcustomer_number_unique_per_account"),
        ]
        # One per column the list sorts by, so a sorted page reads a page of the index (migration 0006 also
        # adds trigram indexes for the search on PostgreSQL).
        indexes = [
            models.Index(fields=["account", "last_name"]),
            models.Index(fields=["account", "number"]),
            models.Index(fields=["account", "first_name"], name="endcustomer_acct_first_idx"),
            models.Index(fields=["account", "company"], name="endcustomer_acct_company_idx"),
        ]

    def __str__(self):
        return customer_label(self.number, self.company, self.last_name, self.first_name)

    def get_absolute_url(self):
        return reverse("customers:endcustomer_detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        return customer_display_name(self.company, self.last_name, self.first_name)

    def clean(self):
        errors = {}
        for field in ("number", "company", "last_name", "first_name", "street", "postal_code", "city", "email"):
            setattr(self, field, (getattr(self, field) or "").strip())
        try:
            validators.validate_postal_code(self.postal_code, self.country)
        except ValidationError as error:
            errors["postal_code"] = error.messages
        for field in ("phone", "mobile"):
            try:
                setattr(self, field, validators.normalize_phone(getattr(self, field), self.country))
            except ValidationError as error:
                errors[field] = error.messages
        try:
            self.website = validators.normalize_website(self.website)
        except ValidationError as error:
            errors["website"] = error.messages
        if errors:
            raise ValidationError(errors)

    def deletion_blockers(self) -> dict[str, int]:
        """What still ties this customer: counts of products, domains and portal users (read under the row lock)."""
        blockers = {PRODUCTS: 0, DOMAINS: 0}
        for relation in PRODUCT_RELATIONS:
            blockers[relation.counted_as] += relation.tying(**{relation.field: self}).count()
        return {**blockers, "users": self.portal_users.count()}

    @property
    def is_deletable(self) -> bool:
        """Nothing assigned and no portal user (needs ``with_counts``); the service checks again under a lock."""
        return self.product_count == 0 and self.domain_count == 0 and self.user_count == 0

    def delete_ended_products(self) -> None:
        """Delete the rows of its products that no longer tie it (``ProductRelation.ended``), before it goes."""
        from django.apps import apps

        for relation in PRODUCT_RELATIONS:
            if relation.ended:
                model = apps.get_model(relation.model_label)
                model._default_manager.filter(**{relation.field: self}, **relation.ended).delete()


def duplicate_number_message():
    return _("You already have a customer with this customer number.")


def describe_blockers(blockers: dict[str, int]) -> str:
    parts = []
    if blockers.get("products"):
        count = blockers["products"]
        parts.append(ngettext("%(count)d product", "%(count)d products", count) % {"count": count})
    if blockers.get("domains"):
        count = blockers["domains"]
        parts.append(ngettext("%(count)d domain", "%(count)d domains", count) % {"count": count})
    if blockers.get("users"):
        count = blockers["users"]
        parts.append(ngettext("%(count)d user", "%(count)d users", count) % {"count": count})
    return ", ".join(parts)


class PortalUser(TenantModel):
    """An end customer's login to the reseller's white-label portal; the login itself is a ``User``."""

    tenant_path = "end_customer__account"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_user")
    end_customer = models.ForeignKey(
        EndCustomer, on_delete=models.PROTECT, related_name="portal_users", verbose_name=_("customer")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    requires_partner = True
    required_roles = EndCustomer.required_roles

    class Meta:
        verbose_name = _("portal user")
        verbose_name_plural = _("portal users")
        ordering = ["user__username"]

    def __str__(self):
        return self.user.username


class Todo(TenantModel):
    """A to-do attached to an end customer (German UI: "Aufgabe"; a task is a background job)."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")

    tenant_path = "end_customer__account"
    requires_partner = True

    end_customer = models.ForeignKey(
        EndCustomer, on_delete=models.CASCADE, related_name="todos", verbose_name=_("customer")
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_plain_text])
    description = models.TextField(_("description"), blank=True, max_length=10000, validators=[validate_multiline_text])
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="todos",
        verbose_name=_("assignee"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("to-do")
        verbose_name_plural = _("to-dos")
        ordering = ["status", "due_date", "pk"]

    def __str__(self):
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_date is not None and self.due_date < timezone.localdate()


def import_source_name(job: CustomerImport, file_name: str) -> str:
    """A name that tells nothing of the uploader's file (its name may hold personal data) and cannot be guessed."""
    return f"customer-imports/{uuid.uuid4().hex}"


class CustomerImport(AccountOwnedModel):
    """One upload of customers from CSV or Excel: the file until a task has read it, then its rows, the column
    mapping, progress and outcome."""

    class Status(models.TextChoices):
        READING = "reading", _("reading")
        UPLOADED = "uploaded", _("uploaded")
        VALIDATING = "validating", _("checking")
        VALIDATED = "validated", _("checked")
        IMPORTING = "importing", _("importing")
        DONE = "done", _("done")
        REFUSED = "refused", _("refused")
        FAILED = "failed", _("failed")

    requires_partner = True
    required_roles = {VIEW: Role.EMPLOYEE, ADD: Role.EMPLOYEE, CHANGE: Role.EMPLOYEE, DELETE: Role.EMPLOYEE}

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=200)
    # The uploaded bytes, kept only until the task has read them.
    source = models.FileField(upload_to=import_source_name, blank=True)
    header = models.JSONField(default=list)
    rows = models.JSONField(default=list)
    # len(rows), kept apart so that polling the progress never loads the rows (100,000 of them are ~20 MB).
    row_count = models.PositiveIntegerField(default=0)
    mapping = models.JSONField(default=dict)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.UPLOADED)
    processed = models.PositiveIntegerField(default=0)
    valid_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    # The valid rows as checked and normalised, ``[row number, *values in imports.FIELDS order]``: importing
    # them needs no second validation.
    cleaned = models.JSONField(default=list)
    created_count = models.PositiveIntegerField(_("customers imported"), default=0)
    failure = models.TextField(blank=True)
    # Why the file was refused, in every language of the portal: the reader reads it in theirs.
    refusal = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("customer import")
        verbose_name_plural = _("customer imports")
        ordering = ["-created_at"]

    def __str__(self):
        return self.file_name

    @property
    def total(self) -> int:
        return self.row_count

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 100

    @property
    def error_rows(self) -> int:
        return len({error["row"] for error in self.errors})
