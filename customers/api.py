from datetime import date, datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import reverse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from core.access import access_object, access_queryset, require_action
from core.api import BodySchema, ExportQuery, export_list, filtered, valid_form
from core.tenancy import ADD, CHANGE, DELETE, VIEW
from customers import imports, services
from customers.filters import EndCustomerFilterSet, TodoFilterSet
from customers.forms import EndCustomerForm, ImportMappingForm, PortalUserForm, TodoForm
from customers.models import CustomerImport, EndCustomer, PortalUser, Todo
from customers.tables import EndCustomerTable

router = Router(tags=["Customers"])


class CustomerIn(BodySchema):
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


class CustomerPatch(BodySchema):
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


class CustomerOut(Schema):
    id: int
    number: str
    company: str
    last_name: str
    first_name: str
    street: str
    postal_code: str
    city: str
    country: str
    phone: str
    mobile: str
    email: str
    website: str
    product_count: int
    domain_count: int
    user_count: int


class CustomerFilter(Schema):
    q: str | None = None
    country: str | None = None
    has_products: Literal["yes", "no"] | None = None


class PortalUserIn(BodySchema):
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


class PortalUserPatch(BodySchema):
    active: bool


class TodoIn(BodySchema):
    title: str
    description: str = ""
    due_date: date | None = Field(None, strict=False)
    status: str = Todo.Status.OPEN
    assignee: int | None = None


class TodoPatch(BodySchema):
    title: str | None = None
    description: str | None = None
    due_date: date | None = Field(None, strict=False)
    status: str | None = None
    assignee: int | None = None


class TodoOut(Schema):
    id: int
    customer: int
    title: str
    description: str
    due_date: date | None
    status: str
    assignee: int | None

    @staticmethod
    def resolve_assignee(obj):
        return obj.assignee_id

    @staticmethod
    def resolve_customer(obj):
        return obj.end_customer_id


class ErasedOut(Schema):
    alias: str


class ImportOut(Schema):
    id: int
    file_name: str
    created_at: datetime
    status: Literal["reading", "uploaded", "validating", "validated", "importing", "done", "refused", "failed"] = Field(
        description="reading: a task reads the file (poll until uploaded or refused); uploaded: header, mapping and "
        "preview are there, check the rows; refused: the file cannot be imported, `failure` says why"
    )
    header: list[str]
    mapping: dict[str, int | None]
    preview: list[dict[str, str]]
    total: int
    processed: int
    valid_count: int
    errors: list[dict[str, Any]]
    created_count: int
    failure: str = Field(description="Why the file was refused or the import failed, in the request's language")

    @staticmethod
    def resolve_errors(obj):
        return imports.localised_errors(obj.errors)

    @staticmethod
    def resolve_failure(obj):
        return imports.refusal(obj) or obj.failure

    @staticmethod
    def resolve_preview(obj):
        return [imports.mapped(row, obj.mapping) for row in obj.rows[:5]]


class ImportAcceptedOut(ImportOut):
    status_url: str

    @staticmethod
    def resolve_status_url(obj):
        return reverse("api:get_import", kwargs={"import_id": obj.pk})


class ImportCheckIn(BodySchema):
    """Which column (0-based) of the file holds each customer field; a field left out is not in the file."""

    mapping: dict[str, int | None]


class ImportRunIn(BodySchema):
    only_valid: bool = False


def _customers(request, action=VIEW):
    return access_queryset(request.actor, EndCustomer.objects.with_counts(), action)


def _customer(request, customer_id: int, action=VIEW) -> EndCustomer:
    return access_object(request.actor, EndCustomer.objects.with_counts(), customer_id, action)


@router.get("/customers/", response=list[CustomerOut], summary="End customers, with the list's filters and search")
@paginate
def list_customers(request, filters: Query[CustomerFilter]):
    data = {key: value for key, value in filters.dict().items() if value is not None}
    return EndCustomerFilterSet(data, queryset=_customers(request)).qs


@router.get("/customers/export/", summary="Export the customer list (CSV or Excel), with the list's filters")
def export_customers(request, query: Query[ExportQuery]):
    queryset = filtered(request, EndCustomerFilterSet, _customers(request))
    return export_list(request, query, name="customers", table_class=EndCustomerTable, queryset=queryset)


@router.post("/customers/", response={201: CustomerOut}, summary="Create an end customer")
def create_customer(request, payload: CustomerIn):
    form = valid_form(EndCustomerForm(payload.model_dump(), actor=request.actor))
    customer = services.create_end_customer(request.actor, form.instance)
    return Status(201, _customer(request, customer.pk))


@router.get("/customers/{customer_id}/", response=CustomerOut, summary="One end customer")
def get_customer(request, customer_id: int):
    return _customer(request, customer_id)


@router.patch("/customers/{customer_id}/", response=CustomerOut, summary="Change an end customer's master data")
def update_customer(request, customer_id: int, payload: CustomerPatch):
    customer = _customer(request, customer_id, CHANGE)
    form = EndCustomerForm(instance=customer, actor=request.actor)
    data = {name: form[name].value() for name in form.fields} | payload.model_dump(exclude_unset=True)
    form = valid_form(EndCustomerForm(data, instance=customer, actor=request.actor))
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
    data = payload.model_dump() | {"access": "password" if payload.password else "invite"}
    form = valid_form(PortalUserForm(data))
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
    form = valid_form(TodoForm(payload.model_dump(), actor=request.actor))
    return Status(201, services.save_todo(request.actor, form.instance, customer))


@router.get("/customers/{customer_id}/todos/{todo_id}/", response=TodoOut, summary="One to-do")
def get_todo(request, customer_id: int, todo_id: int):
    return access_object(request.actor, Todo.objects.filter(end_customer_id=customer_id), todo_id)


@router.get(
    "/customers/{customer_id}/personal-data/", summary="Everything stored about an end customer (GDPR Art. 15, 20)"
)
def customer_personal_data(request, customer_id: int):
    customer = _customer(request, customer_id)
    response = JsonResponse(services.personal_data(request.actor, customer), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.json"'
    return response


@router.post(
    "/customers/{customer_id}/erase/",
    response=ErasedOut,
    summary="Erase an end customer's personal data (GDPR Art. 17); the activity list keeps a pseudonym",
)
def erase_customer(request, customer_id: int):
    customer = _customer(request, customer_id)
    require_action(request.actor, EndCustomer, DELETE)
    return {"alias": services.erase_end_customer(request.actor, customer)}


def _portal_user(request, user_id: int, action=VIEW) -> PortalUser:
    return access_object(request.actor, PortalUser.objects.select_related("user"), user_id, action)


@router.patch(
    "/portal-users/{user_id}/", response=PortalUserOut, summary="Activate or deactivate a portal user's login"
)
def change_portal_user(request, user_id: int, payload: PortalUserPatch):
    portal_user = _portal_user(request, user_id, CHANGE)
    services.set_portal_user_active(request.actor, portal_user, payload.active)
    return _portal_user(request, user_id)


@router.post(
    "/portal-users/{user_id}/password-link/",
    response={202: None},
    summary="Mail a portal user a link to set a new password",
)
def send_portal_user_password_link(request, user_id: int):
    services.send_portal_password_link(request.actor, _portal_user(request, user_id, CHANGE))
    return Status(202, None)


@router.delete("/portal-users/{user_id}/", response={204: None}, summary="Delete a portal user")
def delete_portal_user(request, user_id: int):
    services.delete_portal_user(request.actor, _portal_user(request, user_id, DELETE))
    return Status(204, None)


@router.get("/todos/", response=list[TodoOut], summary="My to-dos (assigned to me), with the list's filters")
@paginate
def list_my_todos(request):
    mine = access_queryset(request.actor, Todo).filter(assignee=request.user).order_by("status", "due_date", "pk")
    return filtered(request, TodoFilterSet, mine)


def _todo(request, todo_id: int, action=VIEW) -> Todo:
    return access_object(request.actor, Todo.objects.select_related("end_customer"), todo_id, action)


@router.patch("/todos/{todo_id}/", response=TodoOut, summary="Change a to-do (title, due date, assignee; status done)")
def update_todo(request, todo_id: int, payload: TodoPatch):
    todo = _todo(request, todo_id, CHANGE)
    form = TodoForm(instance=todo, actor=request.actor)
    data = {name: form[name].value() for name in form.fields} | payload.model_dump(exclude_unset=True)
    form = valid_form(TodoForm(data, instance=todo, actor=request.actor))
    return services.save_todo(request.actor, form.instance)


@router.delete("/todos/{todo_id}/", response={204: None}, summary="Delete a to-do")
def delete_todo(request, todo_id: int):
    services.delete_todo(request.actor, _todo(request, todo_id, DELETE))
    return Status(204, None)


@router.post(
    "/customer-imports/",
    response={202: ImportAcceptedOut},
    summary="Upload a CSV or Excel file of customers; a task reads it: poll `status_url` until the status is "
    "uploaded (with the columns, a guessed mapping and a preview) or refused (with the reason in `failure`)",
)
def upload_import(request, file: File[UploadedFile]):
    require_action(request.actor, CustomerImport, ADD)
    try:
        job = services.start_import(request.actor, name=file.name or "", data=file.read(imports.MAX_BYTES + 1))
    except imports.ImportFileError as error:
        raise ValidationError({"file": [str(error)]}) from error
    return Status(202, job)


def _import(request, import_id: int, action=VIEW) -> CustomerImport:
    return access_object(request.actor, CustomerImport, import_id, action)


@router.get(
    "/customer-imports/{import_id}/",
    response=ImportOut,
    summary="An import: its preview, progress (status, processed of total) and the rows that fail, by row",
)
def get_import(request, import_id: int):
    return _import(request, import_id)


@router.post(
    "/customer-imports/{import_id}/check/",
    response={202: ImportOut},
    summary="Check every row with a column mapping; poll the import until its status is validated",
)
def check_import(request, import_id: int, payload: ImportCheckIn):
    job = _import(request, import_id, CHANGE)
    data = {field: "" if index is None else str(index) for field, index in payload.mapping.items()}
    form = valid_form(ImportMappingForm(data, header=job.header, initial_mapping=job.mapping))
    services.check_import(request.actor, job, form.mapping())
    return Status(202, _import(request, import_id))


@router.post(
    "/customer-imports/{import_id}/run/",
    response={202: ImportOut},
    summary="Import the checked rows (all, or only the valid ones); poll the import until it is done",
)
def run_import(request, import_id: int, payload: ImportRunIn):
    services.run_import(request.actor, _import(request, import_id, CHANGE), only_valid=payload.only_valid)
    return Status(202, _import(request, import_id))
