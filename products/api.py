from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from core.access import access_object, access_queryset, require_action
from core.api import BodySchema, ExportQuery, export_list, filtered, valid_form
from core.tenancy import ADD, CHANGE, DELETE, VIEW
from products import services
from products.filters import ResellerProductFilterSet
from products.forms import ResellerProductEditForm, ResellerProductForm
from products.models import IMMUTABLE_FIELDS, ResellerProduct
from products.tables import ResellerProductTable

router = Router(tags=["Products"])

PRICE_HELP = "Net price in EUR as a decimal number, e.g. 1234.56 (at least 0, at most two decimal places)."


class ShopProductRef(Schema):
    id: int
    name: str
    area: str
    shop_url: str


class ProductOut(Schema):
    id: int
    kind: str
    shop_product: ShopProductRef | None
    contract: int | None
    plan_name: str
    plan_guid: str
    name: str
    description: str
    net_price: Decimal
    net_price_display: str
    status: str
    in_app_prices: bool
    in_app_info: str
    usage: int

    @staticmethod
    def resolve_contract(obj):
        return obj.contract_id


class ProductIn(BodySchema):
    kind: str = ResellerProduct.Kind.BRANDED
    shop_product: int
    name: str
    description: str = ""
    net_price: Decimal = Field(description=PRICE_HELP, strict=False)
    status: str = "active"
    in_app_prices: bool = False
    in_app_info: str = ""


class ProductPatch(BodySchema):
    name: str | None = None
    description: str | None = None
    net_price: Decimal | None = Field(None, description=PRICE_HELP, strict=False)
    status: str | None = None
    in_app_prices: bool | None = None
    in_app_info: str | None = None
    # Accepted only to refuse them clearly: they never change after creation.
    kind: str | None = None
    shop_product: int | None = None
    contract: int | None = None
    plan_name: str | None = None
    plan_guid: str | None = None


class ProductFilter(Schema):
    q: str | None = None
    kind: Literal["branded", "reseller_hosting"] | None = None
    status: Literal["active", "inactive"] | None = None


def _products(request, action=VIEW):
    return access_queryset(request.actor, ResellerProduct.objects.with_usage().select_related("shop_product"), action)


def _product(request, product_id: int, action=VIEW) -> ResellerProduct:
    return access_object(
        request.actor, ResellerProduct.objects.with_usage().select_related("shop_product"), product_id, action
    )


def _form_price(value: Decimal | None) -> str:
    """The form reads German input; give it the API's decimal in that notation (same checks, same messages)."""
    if value is None:
        return ""
    sign = "-" if value < 0 else ""
    return sign + f"{abs(value):f}".replace(".", ",")


@router.get("/products/", response=list[ProductOut], summary="The reseller's products, with usage")
@paginate
def list_products(request, filters: Query[ProductFilter]):
    data = {key: value for key, value in filters.dict().items() if value is not None}
    return ResellerProductFilterSet(data, queryset=_products(request)).qs


@router.get("/products/export/", summary="Export the product list (CSV or Excel), with the list's filters")
def export_products(request, query: Query[ExportQuery]):
    rows = filtered(request, ResellerProductFilterSet, _products(request))
    return export_list(request, query, name="products", table_class=ResellerProductTable, queryset=rows)


@router.post("/products/", response={201: ProductOut}, summary="Create a branded product")
def create_product(request, payload: ProductIn):
    require_action(request.actor, ResellerProduct, ADD)
    data = payload.model_dump() | {"net_price": _form_price(payload.net_price)}
    form = valid_form(ResellerProductForm(data, actor=request.actor))
    product = services.create_product(request.actor, form.instance)
    return Status(201, _product(request, product.pk))


@router.get("/products/{product_id}/", response=ProductOut, summary="One product")
def get_product(request, product_id: int):
    return _product(request, product_id)


@router.patch(
    "/products/{product_id}/",
    response=ProductOut,
    summary="Change name, description, net price, status or in-app fields (type and shop product never change)",
)
def update_product(request, product_id: int, payload: ProductPatch):
    product = _product(request, product_id, CHANGE)
    changes = payload.model_dump(exclude_unset=True)
    current = {name: getattr(product, ResellerProduct._meta.get_field(name).attname) for name in IMMUTABLE_FIELDS}
    refused = [name for name in IMMUTABLE_FIELDS if name in changes and changes[name] != current[name]]
    if refused:
        raise ValidationError({name: services.immutable_message() for name in refused})
    for name in IMMUTABLE_FIELDS:
        changes.pop(name, None)
    if "net_price" in changes:
        changes["net_price"] = _form_price(changes["net_price"])
    form = ResellerProductEditForm(instance=product, actor=request.actor)
    data = {name: form[name].value() for name in form.fields} | changes
    form = valid_form(ResellerProductEditForm(data, instance=product, actor=request.actor))
    services.update_product(request.actor, form.instance)
    return _product(request, product_id)


@router.delete("/products/{product_id}/", response={204: None}, summary="Delete a product that no customer has")
def delete_product(request, product_id: int):
    services.delete_product(request.actor, _product(request, product_id, DELETE))
    return Status(204, None)
