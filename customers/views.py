from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from audit.models import AuditEntry
from audit.services import history_of
from audit.tables import AuditEntryTable
from core import exports
from core.access import access_object, access_queryset, require_action
from core.actor import Actor
from core.http import page_methods
from core.tabs import Actions, Tab, Tabs
from core.tenancy import ADD, CHANGE, DELETE, VIEW
from core.views import ObjectDeleteView, ObjectDetailView, ObjectEditView, ObjectListView, ObjectTabView
from customers import imports, services
from customers.filters import EndCustomerFilterSet, TodoFilterSet
from customers.forms import EndCustomerForm, ImportMappingForm, ImportUploadForm, PortalUserForm, TodoForm
from customers.models import PRODUCT_RELATIONS, CustomerImport, EndCustomer, PortalUser, Todo, describe_blockers
from customers.tables import CustomerProductTable, EndCustomerTable, MyTodoTable, PortalUserTable, TodoTable

# The customer's tabs; other apps add theirs (contracts: the Domains tab).
CUSTOMER_TABS = Tabs(
    Tab("customers:endcustomer_detail", gettext_lazy("Customer")),
    Tab("customers:endcustomer_products", gettext_lazy("Products")),
    Tab("customers:endcustomer_users", gettext_lazy("Users")),
    Tab("customers:endcustomer_todos", gettext_lazy("To-dos")),
    Tab("customers:endcustomer_activity", gettext_lazy("Activity")),
)
# Buttons in the customer's header that lead to other apps' pages (hosting: "+ Hosting-Bereich erstellen").
CUSTOMER_ACTIONS = Actions()
# Buttons next to the customer list's own that lead to other apps' pages (partners: the open access shares),
# each a function of the actor giving ``(url, label, icon, count)`` or None when the actor has no use for it.
CUSTOMER_LIST_LINKS: list[Callable[[Actor], tuple[str, Any, str, int] | None]] = []


@dataclass(frozen=True)
class TabCard:
    """A read-only card another app adds below one of the customer's tabs (partners: the products of the
    customer's own account that its partnership shares)."""

    tab: str  # the tab's URL name
    template_name: str
    # The card's context for the actor on this customer; None: no card.
    context: Callable[[Any, EndCustomer], dict[str, Any] | None]


CUSTOMER_TAB_CARDS: list[TabCard] = []


@dataclass(frozen=True)
class DeleteOption:
    """A checkbox another app adds to the customer's delete confirmation, carried out in the same transaction
    before the customer goes (partners: also end the partnership linked to it)."""

    name: str  # the checkbox's field name
    # Its label for the actor on this customer; None: not offered.
    label: Callable[[Any, EndCustomer], Any]
    perform: Callable[[Any, EndCustomer], None]


CUSTOMER_DELETE_OPTIONS: list[DeleteOption] = []


class EndCustomerListView(ObjectListView):
    model = EndCustomer
    table_class = EndCustomerTable
    filterset_class = EndCustomerFilterSet
    add_url_name = "customers:endcustomer_add"
    template_name = "customers/endcustomer_list.html"

    def refine_queryset(self, queryset):
        return queryset.with_counts()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["list_links"] = [link for link in (make(self.actor) for make in CUSTOMER_LIST_LINKS) if link]
        return context

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        if not self.actor.may(EndCustomer, DELETE):
            kwargs["exclude"] = ("selection",)
        return kwargs


class EndCustomerTabMixin:
    model = EndCustomer
    tabs = CUSTOMER_TABS


class EndCustomerDetailView(EndCustomerTabMixin, ObjectDetailView):
    active_tab = "customers:endcustomer_detail"

    def refine_queryset(self, queryset):
        return queryset.with_counts()


class EndCustomerProductsView(EndCustomerTabMixin, ObjectTabView):
    """Every product the registered relations show here: assigned provider contracts, reseller hostings."""

    active_tab = "customers:endcustomer_products"
    table_class = CustomerProductTable
    template_name = "customers/endcustomer_products.html"

    def get_table_data(self):
        return [
            row for relation in PRODUCT_RELATIONS if relation.rows for row in relation.rows(self.actor, self.object)
        ]


class EndCustomerUsersView(EndCustomerTabMixin, ObjectTabView):
    active_tab = "customers:endcustomer_users"
    table_class = PortalUserTable
    template_name = "customers/endcustomer_users.html"

    def get_child_queryset(self):
        return access_queryset(self.actor, PortalUser).filter(end_customer=self.object).select_related("user")


class EndCustomerTodosView(EndCustomerTabMixin, ObjectTabView):
    active_tab = "customers:endcustomer_todos"
    table_class = TodoTable
    template_name = "customers/endcustomer_todos.html"

    def get_child_queryset(self):
        return access_queryset(self.actor, Todo).filter(end_customer=self.object).select_related("assignee")


class EndCustomerActivityView(EndCustomerTabMixin, ObjectTabView):
    active_tab = "customers:endcustomer_activity"
    table_class = AuditEntryTable
    template_name = "customers/endcustomer_activity.html"

    def get_child_queryset(self):
        return history_of(access_queryset(self.actor, AuditEntry), self.object)


class EndCustomerEditView(ObjectEditView):
    model = EndCustomer
    form_class = EndCustomerForm
    template_name = "customers/endcustomer_edit.html"

    def save_form(self, form):
        if form.instance.pk is None:
            return services.create_end_customer(self.actor, form.instance)
        return services.update_end_customer(self.actor, form.instance)

    def get_success_url(self):
        return self.object.get_absolute_url()


class EndCustomerDeleteView(ObjectDeleteView):
    model = EndCustomer
    success_url_name = "customers:endcustomer_list"
    template_name = "customers/endcustomer_delete.html"

    def refine_queryset(self, queryset):
        return queryset.with_counts()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["blockers"] = describe_blockers(
            {
                "products": self.object.product_count,
                "domains": self.object.domain_count,
                "users": self.object.user_count,
            }
        )

        context["options"] = [
            (option.name, label)
            for option in CUSTOMER_DELETE_OPTIONS
            if (label := option.label(self.actor, self.object)) is not None
        ]
        return context

    def perform_delete(self, obj):
        with transaction.atomic():
            for option in CUSTOMER_DELETE_OPTIONS:
                if self.request.POST.get(option.name) and option.label(self.actor, obj) is not None:
                    option.perform(self.actor, obj)
            services.delete_end_customer(self.actor, obj)


@page_methods
def portaluser_add_view(request, pk):
    customer = access_object(request.actor, EndCustomer, pk)
    require_action(request.actor, PortalUser, ADD)
    form = PortalUserForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.create_portal_user(
                request.actor,
                customer,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                password=data["password"],
                send_summary=data["send_summary"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The user %(username)s has been created.") % data)
            return redirect("customers:endcustomer_users", pk=customer.pk)
    return render(request, "customers/portaluser_form.html", {"form": form, "customer": customer})


def _portal_user(request, pk, action) -> PortalUser:
    return access_object(request.actor, PortalUser.objects.select_related("user"), pk, action)


@require_POST
def portaluser_active_view(request, pk):
    portal_user = _portal_user(request, pk, CHANGE)
    active = request.POST.get("active") == "1"
    services.set_portal_user_active(request.actor, portal_user, active)
    if active:
        messages.success(request, _("%(username)s can log in again.") % {"username": portal_user.user.username})
    else:
        messages.success(request, _("%(username)s has been deactivated.") % {"username": portal_user.user.username})
    return redirect("customers:endcustomer_users", pk=portal_user.end_customer_id)


@require_POST
def portaluser_password_view(request, pk):
    portal_user = _portal_user(request, pk, CHANGE)
    try:
        services.send_portal_password_link(request.actor, portal_user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("A link to set a new password has been sent to %(email)s.") % {"email": portal_user.user.email}
        )
    return redirect("customers:endcustomer_users", pk=portal_user.end_customer_id)


class PortalUserDeleteView(ObjectDeleteView):
    model = PortalUser

    def refine_queryset(self, queryset):
        return queryset.select_related("user", "end_customer")

    def perform_delete(self, obj):
        services.delete_portal_user(self.actor, obj)

    def get_success_url(self, obj):
        return reverse("customers:endcustomer_users", args=[obj.end_customer_id])


class TodoEditView(ObjectEditView):
    model = Todo
    form_class = TodoForm

    def refine_queryset(self, queryset):
        return queryset.select_related("end_customer")

    def dispatch(self, request, *args, **kwargs):
        self.customer = None
        if "customer_pk" in kwargs:
            self.customer = access_object(request.actor, EndCustomer, kwargs["customer_pk"])
        return super().dispatch(request, *args, **kwargs)

    def save_form(self, form):
        return services.save_todo(self.actor, form.instance, self.customer)

    def get_success_url(self):
        return reverse("customers:endcustomer_todos", args=[self.object.end_customer_id])


class TodoDeleteView(ObjectDeleteView):
    model = Todo

    def refine_queryset(self, queryset):
        return queryset.select_related("end_customer")

    def perform_delete(self, obj):
        services.delete_todo(self.actor, obj)

    def get_success_url(self, obj):
        return reverse("customers:endcustomer_todos", args=[obj.end_customer_id])


class MyTodoListView(ObjectListView):
    model = Todo
    table_class = MyTodoTable
    filterset_class = TodoFilterSet
    title = gettext_lazy("My to-dos")

    def refine_queryset(self, queryset):
        return queryset.filter(assignee=self.request.user).select_related("end_customer", "assignee")

    def get_table_kwargs(self):
        return {**super().get_table_kwargs(), "order_by": ("status", "due_date")}


@require_safe
def endcustomer_privacy_view(request, pk):
    customer = access_object(request.actor, EndCustomer, pk)
    return render(
        request,
        "customers/endcustomer_privacy.html",
        {
            "object": customer,
            "tabs": CUSTOMER_TABS.for_object(request.actor, customer),
            "may_erase": request.actor.may(EndCustomer, DELETE),
            "blockers": describe_blockers(customer.deletion_blockers()),
        },
    )


@require_safe
def endcustomer_privacy_export_view(request, pk):
    customer = access_object(request.actor, EndCustomer, pk)
    data = services.personal_data(request.actor, customer)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="customer-{customer.pk}.json"'
    return response


@require_POST
def endcustomer_erase_view(request, pk):
    customer = access_object(request.actor, EndCustomer, pk)
    require_action(request.actor, EndCustomer, DELETE)
    try:
        alias = services.erase_end_customer(request.actor, customer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("customers:endcustomer_privacy", pk=customer.pk)
    messages.success(
        request, _("The customer has been erased. The activity list calls it “%(alias)s”.") % {"alias": alias}
    )
    return redirect("customers:endcustomer_list")


def _selected(request, action):
    pks = [int(value) for value in request.POST.getlist("selection") if value.isdigit()]
    return access_queryset(request.actor, EndCustomer.objects.with_counts(), action).filter(pk__in=pks)


@require_POST
def endcustomer_bulk_view(request):
    require_action(request.actor, EndCustomer, VIEW)
    action = request.POST.get("action")
    if action == "export":
        header, rows = exports.export_rows(EndCustomerTable, _selected(request, VIEW), {"data_export": True})
        return exports.csv_response("customers-selection", header, rows)
    if action != "delete":
        return redirect("customers:endcustomer_list")
    require_action(request.actor, EndCustomer, DELETE)
    deleted, refused = 0, []
    for customer in _selected(request, DELETE):
        try:
            services.delete_end_customer(request.actor, customer)
            deleted += 1
        except ValidationError as error:
            refused.append(f"{customer.number}: {' '.join(error.messages)}")
    if deleted:
        messages.success(
            request,
            ngettext("%(count)d customer deleted.", "%(count)d customers deleted.", deleted) % {"count": deleted},
        )
    for reason in refused:
        messages.warning(request, reason)
    if not deleted and not refused:
        messages.info(request, _("Please select customers first."))
    return redirect("customers:endcustomer_list")


@page_methods
def import_start_view(request):
    require_action(request.actor, CustomerImport, ADD)
    form = ImportUploadForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.start_import(request.actor, name=upload.name, data=upload.read(imports.MAX_BYTES + 1))
        except imports.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            return redirect("customers:import_detail", pk=job.pk)
    return render(request, "customers/import_start.html", {"form": form})


def _import(request, pk, action=VIEW, *, without_rows: bool = False) -> CustomerImport:
    """The import, restricted; ``without_rows`` leaves its rows in the database (about 40 MB of JSON at 100,000)
    for the views that need none of them."""
    if not without_rows:
        return access_object(request.actor, CustomerImport, pk, action)
    # unrestricted: access_object restricts it on the next line
    unread = CustomerImport.objects.defer("header", "rows", "cleaned", "errors")
    return access_object(request.actor, unread, pk, action)


# The import page lists this many errors; the download of the skipped rows holds them all.
SHOWN_ERRORS = 200


@page_methods
def import_detail_view(request, pk):
    job = _import(request, pk)
    form = None
    if job.status == CustomerImport.Status.UPLOADED:
        form = ImportMappingForm(
            request.POST if request.method == "POST" else None, header=job.header, initial_mapping=job.mapping
        )
        if request.method == "POST" and form.is_valid():
            services.check_import(request.actor, job, form.mapping())
            return redirect("customers:import_detail", pk=job.pk)
    fields = [field for field, _label, _required in imports.FIELDS]
    preview = [[imports.mapped(row, job.mapping)[field] for field in fields] for row in job.rows[:5]]
    return render(
        request,
        "customers/import_detail.html",
        {
            "job": job,
            "form": form,
            "preview": preview,
            "fields": imports.FIELDS,
            "shown_errors": imports.described_errors(job, SHOWN_ERRORS),
            "refusal": imports.refusal(job),
        },
    )


# While a task works on the import, its page polls; when the task is done, the page shows what comes next.
WORKING = (CustomerImport.Status.READING, CustomerImport.Status.VALIDATING, CustomerImport.Status.IMPORTING)


@require_safe
def import_progress_view(request, pk):
    job = _import(request, pk, without_rows=True)  # polled every second
    response = render(request, "customers/includes/import_progress.html", {"job": job})
    if job.status not in WORKING:
        response["HX-Refresh"] = "true"
    return response


@require_safe
def import_skipped_view(request, pk):
    """The rows the import skips or skipped, as CSV or Excel (``imports.skipped_rows``)."""
    job = _import(request, pk)
    fmt = request.GET.get("export", "csv")
    if fmt not in ("csv", "xlsx"):
        return HttpResponseBadRequest(_("Unknown export format."))
    header, rows = imports.skipped_rows(job)
    name = f"import-{job.pk}-skipped-rows"
    if fmt == "xlsx":
        return exports.xlsx_response(name, header, exports.cells(rows))
    return exports.csv_response(name, header, exports.cells(rows))


@require_POST
def import_run_view(request, pk):
    job = _import(request, pk, CHANGE, without_rows=True)  # the service needs none of the rows
    try:
        services.run_import(request.actor, job, only_valid=request.POST.get("only_valid") == "1")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("customers:import_detail", pk=job.pk)
