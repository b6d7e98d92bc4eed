from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from contracts import services
from contracts.filters import ContractFilterSet, DomainFilterSet
from contracts.forms import AssignForm
from contracts.models import ASSIGN, OPEN_PLESK, Contract, Domain
from contracts.tables import ContractTable, DomainTable
from core.access import access_object, access_queryset
from core.api import BodySchema, ExportQuery, export_list, filtered

router = Router(tags=["Contracts and domains"])


class CustomerRef(Schema):
    id: int
    number: str
    name: str

    @staticmethod
    def resolve_name(obj):
        return obj.display_name


class ContractOut(Schema):
    id: int
    number: str
    product: str
    product_kind: str
    area: str
    status: str
    note: str
    end_customer: CustomerRef | None

    @staticmethod
    def resolve_product(obj):
        return obj.shop_product.name

    @staticmethod
    def resolve_product_kind(obj):
        return obj.shop_product.kind


class DomainOut(Schema):
    id: int
    number: str
    name: str
    name_idna: str
    registrar: str
    area: str
    status: str
    verification: str
    zone: str
    transfer_lock: bool
    renewal_mode: str
    expires_on: date | None
    note: str
    end_customer: CustomerRef | None

    @staticmethod
    def resolve_name(obj):
        return obj.name_unicode

    @staticmethod
    def resolve_name_idna(obj):
        return obj.name


class ContractFilter(Schema):
    q: str | None = None
    area: str | None = None
    status: Literal["active", "inactive"] | None = None
    assigned: Literal["yes", "no"] | None = None


class DomainFilter(ContractFilter):
    verification: Literal["verified", "pending", "failed"] | None = None


class AssignIn(BodySchema):
    """``end_customer`` is required: unassigning is said with ``null`` (or the ``unassign/`` endpoint)."""

    end_customer: int | None


class PleskLoginOut(Schema):
    url: str


# What a contract's or domain's answer reads along with it.
RELATED = {Contract: ("end_customer", "shop_product"), Domain: ("end_customer",)}


def _rows(model):
    return model.objects.select_related(*RELATED[model])


def _filtered(filterset_class, filters, queryset):
    data = {key: value for key, value in filters.dict().items() if value is not None}
    filterset = filterset_class(data, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors.as_data())
    return filterset.qs


def _assign(request, model, pk, end_customer_id):
    """Assign through the UI's form: a customer id from another account is "Select a valid choice", nothing changes."""
    obj = access_object(request.actor, _rows(model), pk, ASSIGN)
    form = AssignForm({"end_customer": "" if end_customer_id is None else end_customer_id}, actor=request.actor)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    services.ASSIGNERS[type(obj)](request.actor, obj, form.cleaned_data["end_customer"])
    return access_object(request.actor, _rows(model), pk, ASSIGN)


@router.get("/contracts/", response=list[ContractOut], summary="Contracts of the account, with the list's filters")
@paginate
def list_contracts(request, filters: Query[ContractFilter]):
    return _filtered(ContractFilterSet, filters, access_queryset(request.actor, _rows(Contract)))


def _export(request, query, model, table_class, filterset_class, name):
    rows = filtered(request, filterset_class, access_queryset(request.actor, _rows(model)))
    # Without the right to assign, the list shows no customers, and neither does its export.
    table_kwargs = {} if services.may_assign(request.actor) else {"exclude": ("selection", "end_customer")}
    return export_list(request, query, name=name, table_class=table_class, queryset=rows, table_kwargs=table_kwargs)


@router.get("/contracts/export/", summary="Export the contract list (CSV or Excel), with the list's filters")
def export_contracts(request, query: Query[ExportQuery]):
    return _export(request, query, Contract, ContractTable, ContractFilterSet, "contracts")


@router.get("/domains/export/", summary="Export the domain list (CSV or Excel), with the list's filters")
def export_domains(request, query: Query[ExportQuery]):
    return _export(request, query, Domain, DomainTable, DomainFilterSet, "domains")


@router.get("/contracts/{contract_id}/", response=ContractOut, summary="One contract")
def get_contract(request, contract_id: int):
    return access_object(request.actor, _rows(Contract), contract_id)


@router.post(
    "/contracts/{contract_id}/assign/",
    response=ContractOut,
    summary="Assign a contract to an end customer (null: to no customer)",
)
def assign_contract(request, contract_id: int, payload: AssignIn):
    return _assign(request, Contract, contract_id, payload.end_customer)


@router.post(
    "/contracts/{contract_id}/unassign/",
    response=ContractOut,
    summary="Remove a contract's assignment (the contract stays)",
)
def unassign_contract(request, contract_id: int):
    return _assign(request, Contract, contract_id, None)


@router.get("/domains/", response=list[DomainOut], summary="Domains of the account, with the list's filters")
@paginate
def list_domains(request, filters: Query[DomainFilter]):
    return _filtered(DomainFilterSet, filters, access_queryset(request.actor, _rows(Domain)))


@router.get("/domains/{domain_id}/", response=DomainOut, summary="One domain")
def get_domain(request, domain_id: int):
    return access_object(request.actor, _rows(Domain), domain_id)


@router.post(
    "/domains/{domain_id}/assign/", response=DomainOut, summary="Assign a domain to an end customer (null: to none)"
)
def assign_domain(request, domain_id: int, payload: AssignIn):
    return _assign(request, Domain, domain_id, payload.end_customer)


@router.post("/domains/{domain_id}/unassign/", response=DomainOut, summary="Remove a domain's assignment")
def unassign_domain(request, domain_id: int):
    return _assign(request, Domain, domain_id, None)


@router.post(
    "/contracts/{contract_id}/plesk-login/",
    response={200: PleskLoginOut, 503: dict},
    summary="Plesk öffnen: a one-time login URL into the contract's Plesk (valid for a few minutes, used once)",
)
def open_plesk(request, contract_id: int):
    contract = access_object(
        request.actor, Contract.objects.filter(hosting_server__isnull=False), contract_id, OPEN_PLESK
    )
    try:
        return {"url": services.open_plesk(request.actor, contract)}
    except services.PleskUnavailable as error:
        return Status(503, {"detail": str(error)})
