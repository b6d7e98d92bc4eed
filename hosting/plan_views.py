"""MKM → Hosting-Pläne: the reseller's own plans on its hosting spaces, read live from Plesk; create, change,
delete (``hosting.plans``)."""

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import exports
from core.access import access_object, refused_while_switched, require_action
from core.http import page_methods
from core.tenancy import ADD, CHANGE, DELETE
from core.views import ObjectListView
from hosting import plans
from hosting.models import HostingPlan
from hosting.plan_forms import HostingPlanFilterForm, HostingPlanForm
from hosting.plan_tables import HostingPlanTable


def _add_errors(form, error: ValidationError) -> None:
    """A service's field errors on the form's fields; the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class HostingPlanListView(ObjectListView):
    """The plans of every hosting space, read live (one call per contract); a server that cannot be asked is
    named above the table with its reason, the other spaces' plans still show."""

    model = HostingPlan
    table_class = HostingPlanTable
    template_name = "hosting/hostingplan_list.html"
    title = gettext_lazy("Hosting plans")

    def get(self, request, *args, **kwargs):
        form = HostingPlanFilterForm(request.GET, actor=self.actor)
        contracts = plans.plan_contracts(self.actor)
        query = ""
        if form.is_valid():
            query = form.cleaned_data["q"].casefold()
            if form.cleaned_data["contract"] is not None:
                contracts = contracts.filter(pk=form.cleaned_data["contract"].pk)
        results = plans.list_plans(self.actor, contracts)
        self.server_errors = [result for result in results if result.error]
        self.object_list = [row for result in results for row in result.plans if query in row.name.casefold()]
        export = request.GET.get("export")
        if export:
            return self.export(export)
        return self.render_to_response(self.get_context_data(filter=SimpleNamespace(form=form)))

    def export(self, fmt):
        kwargs = {**self.export_table_kwargs(), "data_export": fmt in exports.DATA_FORMATS}
        table = self.table_class(self.object_list, **kwargs)
        if fmt == "print":
            return render(self.request, "core/object_print.html", {"table": table, "title": self.get_title()})
        if fmt not in exports.FORMATS:
            return HttpResponseBadRequest(_("Unknown export format."))
        hidden = [column.name for column in table.columns.iterall() if not column.visible]
        values = table.as_values(exclude_columns=hidden)
        header = [str(name) for name in next(values)]
        rows = exports.cells(values)
        name = self.export_filename()
        if fmt == "csv":
            return exports.csv_response(name, header, rows)
        if fmt == "copy":
            return exports.copy_response(header, rows)
        if fmt == "xlsx":
            return exports.xlsx_response(name, header, rows)
        return exports.pdf_response(name, str(self.get_title()), header, rows, note=self.acting_note())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["server_errors"] = self.server_errors
        # The seed's own button ("+ Hosting-Plan erstellen") instead of the lists' "Add".
        offers = self.actor.may(HostingPlan, ADD) and not refused_while_switched(self.actor, "hosting:hostingplan_add")
        context["plan_add_url"] = reverse("hosting:hostingplan_add") if offers else None
        return context


def _contract(request, pk):
    return access_object(request.actor, plans.plan_contracts(request.actor), pk)


def _back_to_list(request, message: str) -> HttpResponseRedirect:
    messages.error(request, message)
    return redirect("hosting:hostingplan_list")


@page_methods
def plan_add_view(request):
    """+ Hosting-Plan erstellen: hosting space, name and limits; checked against the package before sending."""
    require_action(request.actor, HostingPlan, ADD)
    initial = {"contract": request.GET.get("contract")} if request.GET.get("contract", "").isdigit() else {}
    form = HostingPlanForm(request.POST or None, actor=request.actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan = plans.create_plan(
                request.actor, form.cleaned_data["contract"], name=form.cleaned_data["name"], values=form.limit_values
            )
        except ValidationError as error:
            _add_errors(form, error)
        except plans.ServerUnavailable as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The hosting plan %(name)s was created.") % {"name": plan.name})
            return redirect("hosting:hostingplan_list")
    return render(request, "hosting/hostingplan_edit.html", {"form": form, "title": _("Create hosting plan")})


@page_methods
def plan_edit_view(request, pk, plan_id):
    """Change a plan's name and limits; Plesk applies them to its subscriptions, so the page names how many
    hostings that touches and asks for a confirmation."""
    contract = _contract(request, pk)
    require_action(request.actor, HostingPlan, CHANGE)
    try:
        plan = plans.get_plan(request.actor, contract, plan_id)
    except plans.ServerUnavailable as error:
        return _back_to_list(request, str(error))
    initial = {"name": plan.name, **plan.values}
    form = HostingPlanForm(request.POST or None, actor=request.actor, hostings=plan.hostings, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plans.update_plan(
                request.actor, contract, plan.id, name=form.cleaned_data["name"], values=form.limit_values
            )
        except ValidationError as error:
            _add_errors(form, error)
        except plans.ServerUnavailable as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The hosting plan %(name)s was saved.") % {"name": form.cleaned_data["name"]})
            return redirect("hosting:hostingplan_list")
    context = {"form": form, "plan": plan, "contract": contract, "title": _("Edit hosting plan")}
    return render(request, "hosting/hostingplan_edit.html", context)


@page_methods
def plan_delete_view(request, pk, plan_id):
    """Confirmation on GET, refused with the count while hostings use the plan or reseller products sell it;
    deletion on POST."""
    contract = _contract(request, pk)
    require_action(request.actor, HostingPlan, DELETE)
    try:
        plan = plans.get_plan(request.actor, contract, plan_id)
    except plans.ServerUnavailable as error:
        return _back_to_list(request, str(error))
    if request.method == "POST":
        try:
            plans.delete_plan(request.actor, contract, plan.id)
        except (ValidationError, plans.ServerUnavailable) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            messages.error(request, text)
            return redirect(reverse("hosting:hostingplan_delete", args=[contract.pk, plan.id]))
        messages.success(request, _("Deleted: %(object)s") % {"object": plan.name})
        return redirect("hosting:hostingplan_list")
    context = {
        "plan": plan,
        "contract": contract,
        "refusals": plans.deletion_refusals(request.actor, contract, plan, plan.hostings),
    }
    return render(request, "hosting/hostingplan_delete.html", context)
