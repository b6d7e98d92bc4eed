from datetime import date
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from contracts import services
from contracts.filters import ContractFilterSet, DomainFilterSet
from contracts.forms import AssignForm
from contracts.models import ASSIGN, Contract, Domain
from core.tenancy import VIEW
from customers.models import EndCustomer

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


class AssignIn(Schema):
    end_customer: int | None = None


def _objects(request, model, action=VIEW):
    if request.actor.has_account and not request.actor.may(model, action):
        raise PermissionDenied
    return model.objects.select_related("end_customer").restrict(request.actor, action)


def _contracts(request, action=VIEW):
    return _objects(request, Contract, action).select_related("shop_product")


def _filtered(filterset_class, filters, queryset):
    data = {key: value for key, value in filters.dict().items() if value is not None}
    filterset = filterset_class(data, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors.as_data())
    return filterset.qs


def _assign(request, queryset, pk, end_customer_id):
    """Assign through the UI's form: a customer id from another account is "Select a valid choice", nothing changes."""
    obj = get_object_or_404(queryset, pk=pk)
    form = AssignForm({"end_customer": end_customer_id or ""}, actor=request.actor)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    try:
        services.ASSIGNERS[type(obj)](obj, form.cleaned_data["end_customer"], actor=request.actor)
    except (EndCustomer.DoesNotExist, type(obj).DoesNotExist) as error:
        raise Http404 from error
    return get_object_or_404(queryset, pk=pk)


@router.get("/contracts/", response=list[ContractOut], summary="Contracts of the account, with the list's filters")
@paginate
def list_contracts(request, filters: Query[ContractFilter]):
    return _filtered(ContractFilterSet, filters, _contracts(request))


@router.get("/contracts/{contract_id}/", response=ContractOut, summary="One contract")
def get_contract(request, contract_id: int):
    return get_object_or_404(_contracts(request), pk=contract_id)


@router.post(
    "/contracts/{contract_id}/assign/",
    response=ContractOut,
    summary="Assign a contract to an end customer (null: to no customer)",
)
def assign_contract(request, contract_id: int, payload: AssignIn):
    return _assign(request, _contracts(request, ASSIGN), contract_id, payload.end_customer)


@router.post(
    "/contracts/{contract_id}/unassign/",
    response=ContractOut,
    summary="Remove a contract's assignment (the contract stays)",
)
def unassign_contract(request, contract_id: int):
    return _assign(request, _contracts(request, ASSIGN), contract_id, None)


@router.get("/domains/", response=list[DomainOut], summary="Domains of the account, with the list's filters")
@paginate
def list_domains(request, filters: Query[DomainFilter]):
    return _filtered(DomainFilterSet, filters, _objects(request, Domain))


@router.get("/domains/{domain_id}/", response=DomainOut, summary="One domain")
def get_domain(request, domain_id: int):
    return get_object_or_404(_objects(request, Domain), pk=domain_id)


@router.post(
    "/domains/{domain_id}/assign/", response=DomainOut, summary="Assign a domain to an end customer (null: to none)"
)
def assign_domain(request, domain_id: int, payload: AssignIn):
    return _assign(request, _objects(request, Domain, ASSIGN), domain_id, payload.end_customer)


@router.post("/domains/{domain_id}/unassign/", response=DomainOut, summary="Remove a domain's assignment")
def unassign_domain(request, domain_id: int):
    return _assign(request, _objects(request, Domain, ASSIGN), domain_id, None)
