"""Reseller products (MKM → Produkte): create, change the mutable fields, delete while unused."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audit.models import AuditEntry
from audit.services import diff, record, snapshot
from contracts.models import Contract, ShopProduct, Status
from contracts.plesk_failures import describe_failure
from core.access import access_object, access_queryset, require_action
from core.actor import Actor
from core.tenancy import ADD, CHANGE, DELETE, VIEW
from customers.models import EndCustomer, ProductRow
from plesk.errors import PleskError
from products.models import IMMUTABLE_FIELDS, MUTABLE_FIELDS, ResellerProduct

PRODUCT_FIELDS = [*IMMUTABLE_FIELDS, *MUTABLE_FIELDS]


def immutable_message() -> str:
    return _("The type, shop product, contract and plan of a product cannot be changed after it was created.")


def offerable_shop_products(actor: Actor):
    """Active shop products the actor's account has an active contract for: what it may brand."""
    contracts = Contract.objects.restrict(actor, VIEW).filter(status=Status.ACTIVE)
    return ShopProduct.objects.filter(is_active=True, pk__in=contracts.values("shop_product")).order_by("name")


def reseller_contracts(actor: Actor):
    """The account's active reseller contracts that are bound to a Plesk server: the bases of hosting products."""
    return (
        Contract.objects.restrict(actor, VIEW)
        .filter(
            status=Status.ACTIVE,
            shop_product__kind__in=[ShopProduct.Kind.RESELLER_TARIFF, ShopProduct.Kind.MANAGED_SERVER],
            hosting_server__isnull=False,
        )
        .select_related("shop_product", "hosting_server")
        .order_by("number")
    )


def brand_names(actor: Actor, shop_product_ids) -> dict[int, str]:
    """The reseller's own name for each of these shop products it branded: its active product's, else its first."""
    products = (
        ResellerProduct.objects.restrict(actor, VIEW)
        .filter(kind=ResellerProduct.Kind.BRANDED, shop_product__in=shop_product_ids)
        .values_list("shop_product", "name", "status", "pk")
    )
    preferred = sorted(products, key=lambda product: (product[2] != Status.ACTIVE, product[3]))
    names: dict[int, str] = {}
    for shop_product, name, _status, _pk in preferred:
        names.setdefault(shop_product, name)
    return names


def customer_contract_rows(actor: Actor, customer: EndCustomer) -> list[ProductRow]:
    """The provider contracts assigned to ``customer``, as lines of its Products tab, named as the reseller sells them.

    A contract whose shop product the reseller branded shows the brand ("Business-Mail 50") with the
    provider's name ("MMS 50 G12") under it; any other shows the provider's name.
    """
    contracts = list(
        access_queryset(actor, Contract).filter(end_customer=customer).select_related("shop_product").order_by("number")
    )
    brands = brand_names(actor, {contract.shop_product_id for contract in contracts})
    rows = []
    for contract in contracts:
        provider_name = contract.shop_product.name
        brand = brands.get(contract.shop_product_id)
        rows.append(
            ProductRow(
                kind=_("Provider product"),
                name=brand or provider_name,
                detail=provider_name if brand else "",
                number=contract.number,
                status=contract.get_status_display(),
                active=contract.is_active,
                url=contract.get_absolute_url(),
            )
        )
    return rows


class PlansUnavailable(Exception):
    """The service plans could not be read from the contract's server; the message says why, in plain words."""


def service_plans(contract: Contract) -> list:
    """The reseller's service plans, read live from the contract's Plesk server."""
    try:
        with contract.plesk_client(deadline=15) as client:
            return sorted(client.get_service_plans(), key=lambda plan: plan.name.casefold())
    except (PleskError, ValidationError) as error:
        raise PlansUnavailable(describe_failure(error)) from error


def _tidy(product: ResellerProduct) -> None:
    # The in-app info belongs to in-app prices; without them it is not kept.
    if not product.in_app_prices:
        product.in_app_info = ""


def create_hosting_product(actor: Actor, product: ResellerProduct) -> ResellerProduct:
    """Create a reseller-hosting product on one of the account's reseller contracts and a plan of its server.

    The plan is checked against the plans read live from that server, so a
    plan of another server or another reseller cannot be smuggled in (IV-11).
    """
    require_action(actor, ResellerProduct, ADD)
    product.account = actor.account
    product.shop_product = None
    contract = reseller_contracts(actor).filter(pk=product.contract_id).first()
    if contract is None:
        raise ValidationError({"contract": _("Choose one of your active reseller contracts.")})
    plans = {plan.guid: plan for plan in service_plans(contract)}
    plan = plans.get(product.plan_guid)
    if plan is None:
        raise ValidationError({"plan_guid": _("Choose a service plan of this contract's server.")})
    product.plan_name = plan.name
    _tidy(product)
    with transaction.atomic():
        product.full_clean(exclude=["account"])
        product.save()
        record(actor, AuditEntry.Action.CREATE, product, changes=diff({}, snapshot(product, PRODUCT_FIELDS)))
    return product


def create_product(actor: Actor, product: ResellerProduct) -> ResellerProduct:
    """Create a product of either kind."""
    if product.kind == ResellerProduct.Kind.RESELLER_HOSTING:
        return create_hosting_product(actor, product)
    require_action(actor, ResellerProduct, ADD)
    if product.kind != ResellerProduct.Kind.BRANDED:
        raise ValidationError({"kind": _("Select a valid choice. That choice is not one of the available choices.")})
    product.account = actor.account
    product.contract = None
    product.plan_name = product.plan_guid = ""
    _tidy(product)
    with transaction.atomic():
        if (
            product.shop_product_id is None
            or not offerable_shop_products(actor).filter(pk=product.shop_product_id).exists()
        ):
            raise ValidationError(
                {"shop_product": _("Choose an active shop product that you have an active contract for.")}
            )
        product.full_clean(exclude=["account"])
        product.save()
        record(actor, AuditEntry.Action.CREATE, product, changes=diff({}, snapshot(product, PRODUCT_FIELDS)))
    return product


def update_product(actor: Actor, product: ResellerProduct) -> ResellerProduct:
    """Save name, description, price, status and in-app fields; ``product`` carries the new values.

    Type, shop product, contract and plan are fixed at creation: a product
    whose values for them differ from the stored ones is refused whole.
    """
    require_action(actor, ResellerProduct, CHANGE)
    with transaction.atomic():
        current = access_object(actor, ResellerProduct.objects.select_for_update(), product.pk, CHANGE)
        refused = [
            name
            for name in IMMUTABLE_FIELDS
            if getattr(current, ResellerProduct._meta.get_field(name).attname)
            != getattr(product, ResellerProduct._meta.get_field(name).attname)
        ]
        if refused:
            raise ValidationError({name: immutable_message() for name in refused})
        product.account = current.account
        _tidy(product)
        product.full_clean(exclude=["account"])
        before = snapshot(current, list(MUTABLE_FIELDS))
        product.save()
        changes = diff(before, snapshot(product, list(MUTABLE_FIELDS)))
        if changes:
            record(actor, AuditEntry.Action.UPDATE, product, changes=changes)
    return product


def usage_of(actor: Actor, product: ResellerProduct) -> int:
    usage = access_queryset(actor, ResellerProduct.objects.with_usage()).filter(pk=product.pk)
    return usage.values_list("usage", flat=True).get()


def delete_product(actor: Actor, product: ResellerProduct) -> None:
    """Delete a product that no customer has (usage 0)."""
    require_action(actor, ResellerProduct, DELETE)
    with transaction.atomic():
        current = access_object(actor, ResellerProduct.objects.select_for_update(), product.pk, DELETE)
        usage = usage_of(actor, current)
        if usage:
            raise ValidationError(
                ngettext(
                    "This product is used by %(count)d customer and cannot be deleted.",
                    "This product is used by %(count)d customers and cannot be deleted.",
                    usage,
                )
                % {"count": usage}
            )
        record(actor, AuditEntry.Action.DELETE, current)
        try:
            with transaction.atomic():
                current.delete()
        except ProtectedError:
            # Ended hostings keep their product for their history (the timeline names it).
            raise ValidationError(
                _("Ended hostings still name this product, so it cannot be deleted. Deactivate it instead.")
            ) from None
