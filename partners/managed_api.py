"""Partnerships in the API, with the rules of the pages.

The partner's side (``/managed-customers/``): every member lists and reads the managed customers it reaches
(an employee those assigned to it); administrators switch the e-mail copy, link the MKM customer and end the
partnership; the owner assigns employees. The customer's side (``/me/partners/``): every member lists and
reads; its owner changes the scope and ends. Another account's partnership is 404, an owner-only action 403.
"""

from typing import Any

from django.db.models import QuerySet
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from core.access import access_object, access_queryset
from core.api import BodySchema
from customers.models import EndCustomer
from partners import managed, services
from partners.filters import PartnershipFilterSet
from partners.models import ASSIGN, Partnership
from partners.services import Right
from users.models import User

router = Router(tags=["Partnerships"])


class ScopeItem(Schema):
    product: str
    id: int
    technical: bool
    statistics: bool


class ScopeOut(Schema):
    full: bool
    products: list[ScopeItem]


def _scope(partnership: Partnership) -> dict[str, Any]:
    access = partnership.access
    items = [
        {"product": product, "id": pk, "technical": right.technical, "statistics": right.statistics}
        for (product, pk), right in sorted(services.scope_rights(access).items())
    ]
    return {"full": not access.partial, "products": items}


class ManagedCustomerOut(Schema):
    id: int
    customer_number: str
    customer: str
    since: str
    scope: ScopeOut
    email_copy: bool
    end_customer: int | None
    employees: list[int]

    @staticmethod
    def resolve_customer_number(obj: Partnership) -> str:
        return str(obj.customer_account.number)

    @staticmethod
    def resolve_customer(obj: Partnership) -> str:
        return str(obj.customer_account.name)

    @staticmethod
    def resolve_since(obj: Partnership) -> str:
        return obj.created_at.isoformat()

    @staticmethod
    def resolve_scope(obj: Partnership) -> dict[str, Any]:
        return _scope(obj)

    @staticmethod
    def resolve_end_customer(obj: Partnership) -> int | None:
        return obj.end_customer_id

    @staticmethod
    def resolve_employees(obj: Partnership) -> list[int]:
        return [user.pk for user in managed.assigned_employees(obj)]


class PartnerOut(Schema):
    id: int
    partner_number: str
    partner: str
    since: str
    scope: ScopeOut

    @staticmethod
    def resolve_partner_number(obj: Partnership) -> str:
        return str(obj.account.number)

    @staticmethod
    def resolve_partner(obj: Partnership) -> str:
        return str(obj.account.name)

    @staticmethod
    def resolve_since(obj: Partnership) -> str:
        return obj.created_at.isoformat()

    @staticmethod
    def resolve_scope(obj: Partnership) -> dict[str, Any]:
        return _scope(obj)


class ManagedFilter(Schema):
    q: str | None = None
    scope: str | None = Field(None, pattern="^(full|partial)$")
    employee: int | None = None
    linked: bool | None = None


class ManagedPatch(BodySchema):
    email_copy: bool | None = None
    end_customer: int | None = Field(None, description="The id of one of your customers (MKM); null: no link.")


class EmployeesIn(BodySchema):
    employees: list[int]


class ScopeItemIn(BodySchema):
    product: str
    id: int
    technical: bool = False
    statistics: bool = False


class ScopeIn(BodySchema):
    full: bool
    products: list[ScopeItemIn] = []


def _managed(request: Any, action: str = "view") -> QuerySet[Partnership]:
    queryset = access_queryset(request.actor, Partnership, action).filter(ended_at__isnull=True)
    return queryset.select_related("customer_account", "access").order_by("customer_account__number")


def _one(request: Any, pk: int, action: str = "view") -> Partnership:
    return access_object(request.actor, _managed(request, action), pk, action)


@router.get("/managed-customers/", response=list[ManagedCustomerOut], summary="Your managed customers")
@paginate
def list_managed_customers(request: Any, filters: Query[ManagedFilter]) -> QuerySet[Partnership]:
    rows = PartnershipFilterSet({"q": filters.q or ""}, queryset=_managed(request)).qs
    if filters.scope is not None:
        rows = rows.filter(access__partial=filters.scope == "partial")
    if filters.employee is not None:
        rows = rows.filter(access__assigned_members=filters.employee)
    if filters.linked is not None:
        rows = rows.filter(end_customer__isnull=not filters.linked)
    return rows


@router.get("/managed-customers/{partnership_id}/", response=ManagedCustomerOut, summary="One managed customer")
def get_managed_customer(request: Any, partnership_id: int) -> Partnership:
    return _one(request, partnership_id)


@router.patch(
    "/managed-customers/{partnership_id}/",
    response=ManagedCustomerOut,
    summary="Switch the e-mail copy, link the managed customer to one of your customers (administrators)",
)
def change_managed_customer(request: Any, partnership_id: int, payload: ManagedPatch) -> Partnership:
    partnership = _one(request, partnership_id, "change")
    fields = payload.model_fields_set
    if "email_copy" in fields and payload.email_copy is not None:
        partnership = managed.set_email_copy(request.actor, partnership, payload.email_copy)
    if "end_customer" in fields:
        end_customer = (
            access_object(request.actor, EndCustomer, payload.end_customer)
            if payload.end_customer is not None
            else None
        )
        partnership = managed.link_end_customer(request.actor, partnership, end_customer)
    return _one(request, partnership.pk)


@router.put(
    "/managed-customers/{partnership_id}/employees/",
    response=ManagedCustomerOut,
    summary="The employees who see and work in this managed customer (the owner)",
)
def assign_managed_customer(request: Any, partnership_id: int, payload: EmployeesIn) -> Partnership:
    partnership = _one(request, partnership_id, ASSIGN)
    # Unknown ids stay in the choice, so the service refuses them with its message (422).
    users = [User(pk=pk) for pk in payload.employees]
    managed.assign_employees(request.actor, partnership, users)
    return _one(request, partnership.pk)


@router.delete(
    "/managed-customers/{partnership_id}/", response={204: None}, summary="End the partnership (Verbindung trennen)"
)
def end_managed_customer(request: Any, partnership_id: int) -> Status[None]:
    services.end_partnership(request.actor, _one(request, partnership_id, "delete"))
    return Status(204, None)


@router.get("/me/partners/", response=list[PartnerOut], summary="The partners that work in your account")
@paginate
def list_my_partners(request: Any) -> QuerySet[Partnership]:
    return services.customer_partnerships(request.actor)


@router.get("/me/partners/{partnership_id}/", response=PartnerOut, summary="One partner and its access")
def get_my_partner(request: Any, partnership_id: int) -> Partnership:
    return services.customer_partnership(request.actor, partnership_id)


@router.put(
    "/me/partners/{partnership_id}/scope/",
    response=PartnerOut,
    summary="Change the partner's access: full, or these products (the owner)",
)
def change_my_partner_scope(request: Any, partnership_id: int, payload: ScopeIn) -> Partnership:
    partnership = services.customer_partnership(request.actor, partnership_id)
    rights = {(item.product, item.id): Right(item.technical, item.statistics) for item in payload.products}
    services.change_scope(request.actor, partnership, full=payload.full, rights=rights)
    return services.customer_partnership(request.actor, partnership_id)


@router.delete("/me/partners/{partnership_id}/", response={204: None}, summary="End the partnership (the owner)")
def end_my_partner(request: Any, partnership_id: int) -> Status[None]:
    services.end_partnership(request.actor, services.customer_partnership(request.actor, partnership_id))
    return Status(204, None)
