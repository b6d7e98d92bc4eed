from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from core.access import access_object, access_queryset
from core.tenancy import CHANGE, DELETE, VIEW
from customers import services
from customers.filters import EndCustomerFilterSet
from customers.forms import EndCustomerForm, PortalUserForm, TodoForm
from customers.models import EndCustomer, PortalUser, Todo

router = Router(tags=["Customers"])


class CustomerIn(Schema):
    number: str
    company: str = ""
    last_name: str
    first_name: str
    street: str
    postal_code: str
    city: str
    country: str = "DE"
    phone: str
    mobile: str
    email: str
    website: str = ""


class CustomerPatch(Schema):
    number: str | None = None
    company: str | None = None
    last_name: str | None = None
    first_name: str | None = None
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    phone: str | None = None
    mobile: str | None = None
    email: str | None = None
    website: str | None = None


class CustomerOut(CustomerIn):
    id: int
    product_count: int
    domain_count: int
    user_count: int


class CustomerFilter(Schema):
    q: str | None = None
    country: str | None = None
    has_products: Literal["yes", "no"] | None = None


class PortalUserIn(Schema):
    username: str
    first_name: str
    last_name: str
    email: str
    password: str | None = None
    send_summary: bool = False


class PortalUserOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    active: bool

    @staticmethod
    def resolve_username(obj):
        return obj.user.username

    @staticmethod
    def resolve_first_name(obj):
        return obj.user.first_name

    @staticmethod
    def resolve_last_name(obj):
        return obj.user.last_name

    @staticmethod
    def resolve_email(obj):
        return obj.user.email

    @staticmethod
    def resolve_active(obj):
        return obj.user.is_active


class TodoIn(Schema):
    title: str
    description: str = ""
    due_date: date | None = None
    status: str = Todo.Status.OPEN
    assignee: int | None = None


class TodoOut(Schema):
    id: int
    title: str
    description: str
    due_date: date | None
    status: str
    assignee: int | None

    @staticmethod
    def resolve_assignee(obj):
        return obj.assignee_id


def _customers(request, action=VIEW):
    return access_queryset(request.actor, EndCustomer.objects.with_counts(), action)


def _customer(request, customer_id: int, action=VIEW) -> EndCustomer:
    return access_object(request.actor, EndCustomer.objects.with_counts(), customer_id, action)


def _valid(form):
    """Validate with the UI's form, so the API names the same fields with the same messages."""
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form


@router.get("/customers/", response=list[CustomerOut], summary="End customers, with the list's filters and search")
@paginate
def list_customers(request, filters: Query[CustomerFilter]):
    data = {key: value for key, value in filters.dict().items() if value is not None}
    return EndCustomerFilterSet(data, queryset=_customers(request)).qs


@router.post("/customers/", response={201: CustomerOut}, summary="Create an end customer")
def create_customer(request, payload: CustomerIn):
    form = _valid(EndCustomerForm(payload.dict(), actor=request.actor))
    customer = services.create_end_customer(request.actor, form.instance)
    return Status(201, _customer(request, customer.pk))


@router.get("/customers/{customer_id}/", response=CustomerOut, summary="One end customer")
def get_customer(request, customer_id: int):
    return _customer(request, customer_id)


@router.patch("/customers/{customer_id}/", response=CustomerOut, summary="Change an end customer's master data")
def update_customer(request, customer_id: int, payload: CustomerPatch):
    customer = _customer(request, customer_id, CHANGE)
    form = EndCustomerForm(instance=customer, actor=request.actor)
    data = {name: form[name].value() for name in form.fields} | payload.dict(exclude_unset=True)
    form = _valid(EndCustomerForm(data, instance=customer, actor=request.actor))
    services.update_end_customer(request.actor, form.instance)
    return _customer(request, customer_id)


@router.delete("/customers/{customer_id}/", response={204: None}, summary="Delete an end customer (guarded)")
def delete_customer(request, customer_id: int):
    services.delete_end_customer(request.actor, _customer(request, customer_id, DELETE))
    return Status(204, None)


@router.get("/customers/{customer_id}/users/", response=list[PortalUserOut], summary="Portal users of an end customer")
@paginate
def list_portal_users(request, customer_id: int):
    customer = _customer(request, customer_id)
    return access_queryset(request.actor, PortalUser).filter(end_customer=customer).select_related("user")


@router.post("/customers/{customer_id}/users/", response={201: PortalUserOut}, summary="Create a portal user")
def create_portal_user(request, customer_id: int, payload: PortalUserIn):
    customer = _customer(request, customer_id)
    data = payload.dict() | {"access": "password" if payload.password else "invite"}
    form = _valid(PortalUserForm(data))
    fields = {
        key: form.cleaned_data[key]
        for key in ("username", "first_name", "last_name", "email", "password", "send_summary")
    }
    portal_user = services.create_portal_user(request.actor, customer, **fields)
    return Status(201, portal_user)


@router.get("/customers/{customer_id}/todos/", response=list[TodoOut], summary="To-dos of an end customer")
@paginate
def list_todos(request, customer_id: int):
    customer = _customer(request, customer_id)
    return access_queryset(request.actor, Todo).filter(end_customer=customer)


@router.post("/customers/{customer_id}/todos/", response={201: TodoOut}, summary="Add a to-do")
def create_todo(request, customer_id: int, payload: TodoIn):
    customer = _customer(request, customer_id)
    form = _valid(TodoForm(payload.dict(), actor=request.actor))
    return Status(201, services.save_todo(request.actor, form.instance, customer))


@router.get("/customers/{customer_id}/todos/{todo_id}/", response=TodoOut, summary="One to-do")
def get_todo(request, customer_id: int, todo_id: int):
    return access_object(request.actor, Todo.objects.filter(end_customer_id=customer_id), todo_id)
