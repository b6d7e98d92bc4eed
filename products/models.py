from django.apps import apps
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, ShopProduct, Status
from core.roles import Role
from core.tenancy import ADD, CHANGE, DELETE, VIEW, AccountOwnedModel, RestrictedManager, RestrictedQuerySet
from products.money import format_eur

# Fixed when the product is created; the form does not offer them and the service refuses a change.
IMMUTABLE_FIELDS = ("kind", "shop_product", "contract", "plan_name", "plan_guid")
MUTABLE_FIELDS = ("name", "description", "net_price", "status", "in_app_prices", "in_app_info")


class ResellerProductQuerySet(RestrictedQuerySet):
    def with_usage(self):
        """Annotate ``usage``: how many end customers currently have the product, in one subquery.

        A branded product is had by every end customer of the account with an
        assigned, active contract of its shop product; a reseller-hosting
        product by every end customer with a hosting of it that is set up
        or being set up (not failed, missing or cancelled).
        """
        customers = (
            Contract.objects.filter(
                account=OuterRef("account"),
                shop_product=OuterRef("shop_product"),
                status=Status.ACTIVE,
                end_customer__isnull=False,
            )
            .order_by()
            .values("shop_product")
            .annotate(n=Count("end_customer", distinct=True))
            .values("n")
        )
        branded = Coalesce(Subquery(customers, output_field=IntegerField()), Value(0))
        # Looked up by name: hosting depends on products, not the other way round.
        hosting_model = apps.get_model("hosting", "ResellerHosting")
        hosted = (
            hosting_model.objects.filter(product=OuterRef("pk"))
            .exclude(
                status__in=[
                    hosting_model.Status.FAILED,
                    hosting_model.Status.MISSING,
                    hosting_model.Status.CANCELLING,
                    hosting_model.Status.CANCELLED,
                ]
            )
            .order_by()
            .values("product")
            .annotate(n=Count("end_customer", distinct=True))
            .values("n")
        )
        hosting = Coalesce(Subquery(hosted, output_field=IntegerField()), Value(0))
        return self.annotate(
            usage=Case(
                When(kind=ResellerProduct.Kind.BRANDED, then=branded),
                default=hosting,
                output_field=IntegerField(),
            )
        )


class ResellerProduct(AccountOwnedModel):
    """A product the reseller offers its customers (MKM "Produkte").

    *Branded*: the reseller's own name, description and price for a shop
    product it has an active contract for. *Reseller hosting*: a Plesk
    service plan on the server of one of its reseller contracts (the form
    path comes with the Plesk integration; the model already holds it).
    """

    class Kind(models.TextChoices):
        BRANDED = "branded", _("Provider product")
        RESELLER_HOSTING = "reseller_hosting", _("Reseller product")

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.BRANDED)
    shop_product = models.ForeignKey(
        ShopProduct,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reseller_products",
        verbose_name=_("shop product"),
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reseller_products",
        verbose_name=_("reseller contract"),
    )
    plan_name = models.CharField(_("service plan"), max_length=200, blank=True)
    plan_guid = models.CharField(_("service plan GUID"), max_length=64, blank=True)
    name = models.CharField(_("product name"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    net_price = models.DecimalField(_("net price"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)])
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    in_app_prices = models.BooleanField(
        _("in-app prices"), default=False, help_text=_("Hides flexible extra costs from the customer.")
    )
    in_app_info = models.TextField(_("in-app info"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    requires_partner = True
    required_roles = {VIEW: Role.EMPLOYEE, ADD: Role.EMPLOYEE, CHANGE: Role.EMPLOYEE, DELETE: Role.ADMIN}

    objects = RestrictedManager.from_queryset(ResellerProductQuerySet)()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(condition=Q(net_price__gte=0), name="resellerproduct_price_not_negative"),
            models.CheckConstraint(
                condition=(Q(kind="branded", shop_product__isnull=False, contract__isnull=True))
                | Q(kind="reseller_hosting", contract__isnull=False, shop_product__isnull=True),
                name="resellerproduct_kind_matches_link",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("products:resellerproduct_detail", args=[self.pk])

    @property
    def net_price_display(self) -> str:
        return format_eur(self.net_price)

    @property
    def shop_url(self) -> str:
        return self.shop_product.shop_url if self.shop_product_id else ""
