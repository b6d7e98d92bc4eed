"""Produktverwaltung: the account's contracts and domains, and assigning them to end customers.

Contracts and domains are two lists (two tabs of one page) rather than one
union: each keeps its own columns (a domain's registrar state means nothing
for a contract), its own FilterSet shared with its API endpoint, sorting,
pagination and exports over a plain queryset.
"""

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from contracts import services
from contracts.filters import ContractFilterSet, DomainFilterSet
from contracts.forms import AssignForm
from contracts.models import ASSIGN, OPEN_PLESK, Contract, Domain
from contracts.services import PleskUnavailable
from contracts.tables import ContractTable, CustomerDomainTable, DomainTable
from core.access import access_object, access_queryset, require_action
from core.filters import SEARCH_MAX_LENGTH
from core.http import page_methods
from core.middleware import allow_form_action
from core.tabs import Tab, Tabs
from core.tenancy import CHANGE, VIEW
from core.views import ObjectDetailView, ObjectListView, ObjectTabView
from customers.models import EndCustomer
from customers.views import CUSTOMER_TABS

LIST_TABS = [
    ("contracts:contract_list", gettext_lazy("Contracts"), Contract),
    ("contracts:domain_list", gettext_lazy("Domains"), Domain),
]
AUTOCOMPLETE_RESULTS = 20
# The contract's tabs; other apps add theirs (hosting: a reseller contract's hostings and subscriptions).
CONTRACT_TABS = Tabs(Tab("contracts:contract_detail", gettext_lazy("Contract")))


class AssignableListView(ObjectListView):
    template_name = "contracts/assignable_list.html"
    title = gettext_lazy("Product management")
    export_name = None
    bulk_url_name = None

    def export_filename(self) -> str:
        return self.export_name

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        if not services.may_assign(self.actor):
            kwargs["exclude"] = ("selection", "end_customer")
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # A partner with Teilzugriff may have been given contracts but no domain: no tab to a page it cannot open.
        context["list_tabs"] = [(name, label) for name, label, model in LIST_TABS if self.actor.may(model, VIEW)]
        context["may_assign"] = services.may_assign(self.actor)
        if context["may_assign"]:
            context["assign_form"] = AssignForm(actor=self.actor, compact=True)
            context["bulk_url"] = reverse(self.bulk_url_name)
        return context


class ContractListView(AssignableListView):
    model = Contract
    table_class = ContractTable
    filterset_class = ContractFilterSet
    export_name = "contracts"
    bulk_url_name = "contracts:contract_bulk"

    def refine_queryset(self, queryset):
        return queryset.select_related("shop_product", "end_customer")


class DomainListView(AssignableListView):
    model = Domain
    table_class = DomainTable
    filterset_class = DomainFilterSet
    export_name = "domains"
    bulk_url_name = "contracts:domain_bulk"

    def refine_queryset(self, queryset):
        return queryset.select_related("end_customer")


class AssignableDetailView(ObjectDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_assign"] = services.may_assign(self.actor)
        if context["may_assign"]:
            context["assign_form"] = AssignForm(actor=self.actor, initial={"end_customer": self.object.end_customer_id})
        return context


class ContractDetailView(AssignableDetailView):
    model = Contract
    template_name = "contracts/contract_detail.html"
    tabs = CONTRACT_TABS
    active_tab = "contracts:contract_detail"

    def refine_queryset(self, queryset):
        return queryset.select_related("shop_product", "end_customer", "hosting_server")

    def get_context_data(self, **kwargs):
        may_open_plesk = self.actor.may(Contract, OPEN_PLESK) and self.object.hosting_server is not None
        if may_open_plesk:
            allow_form_action(self.request, self.object.hosting_server.origin)
        return {**super().get_context_data(**kwargs), "may_open_plesk": may_open_plesk}


class DomainDetailView(AssignableDetailView):
    model = Domain
    template_name = "contracts/domain_detail.html"

    def refine_queryset(self, queryset):
        return queryset.select_related("end_customer")


class EndCustomerDomainsView(ObjectTabView):
    """The customer's Domains tab (``customers.views.CUSTOMER_TABS``): the domains assigned to it."""

    model = EndCustomer
    tabs = CUSTOMER_TABS
    active_tab = "contracts:endcustomer_domains"
    table_class = CustomerDomainTable
    template_name = "contracts/endcustomer_domains.html"

    def get_child_queryset(self):
        return access_queryset(self.actor, Domain).filter(end_customer=self.object)


def _assigned_message(obj, customer) -> str:
    if customer is None:
        return _("%(object)s is no longer assigned to a customer.") % {"object": obj.number}
    return _("%(object)s is now assigned to %(customer)s.") % {"object": obj.number, "customer": customer}


@page_methods
def assign_view(request, pk, model):
    """Assign a customer ("Kunde zuordnen") as a page; the detail's dialog posts the same form here.

    A customer deleted between validation and the row lock answers 404, like any missing object.
    """
    obj = access_object(request.actor, model.objects.select_related("end_customer"), pk)
    require_action(request.actor, model, ASSIGN)
    require_action(request.actor, EndCustomer, CHANGE)
    if request.method == "POST":
        form = AssignForm(request.POST, actor=request.actor)
        if form.is_valid():
            customer = form.cleaned_data["end_customer"]
            services.ASSIGNERS[model](request.actor, obj, customer)
            messages.success(request, _assigned_message(obj, customer))
            return redirect(obj.get_absolute_url())
    else:
        form = AssignForm(actor=request.actor, initial={"end_customer": obj.end_customer_id})
    return render(request, "contracts/assign.html", {"object": obj, "form": form})


def _back_to_list(request, list_url: str):
    """Back to the list with its filter, sorting and page; only ever to that list."""
    target = reverse(list_url)
    next_url = request.POST.get("next", "")
    if (next_url == target or next_url.startswith(target + "?")) and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}
    ):
        return redirect(next_url)
    return redirect(target)


@require_POST
def bulk_view(request, model):
    """Assign the selected rows to one customer, or remove their assignment."""
    selected = access_queryset(request.actor, model, ASSIGN)
    list_url = "contracts:contract_list" if model is Contract else "contracts:domain_list"
    action = request.POST.get("action")
    pks = [int(value) for value in request.POST.getlist("selection") if value.isdigit()]
    selected = selected.filter(pk__in=pks)
    if action not in ("assign", "unassign") or not selected.exists():
        messages.info(request, _("Please select entries first."))
        return _back_to_list(request, list_url)
    require_action(request.actor, EndCustomer, CHANGE)
    customer = None
    if action == "assign":
        form = AssignForm(request.POST, actor=request.actor)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return _back_to_list(request, list_url)
        customer = form.cleaned_data["end_customer"]
        if customer is None:
            messages.warning(request, _("Please choose a customer."))
            return _back_to_list(request, list_url)
    changed = services.BULK_ASSIGNERS[model](request.actor, selected, customer)
    if customer is None:
        message = ngettext("%(count)d assignment removed.", "%(count)d assignments removed.", changed) % {
            "count": changed
        }
    else:
        message = ngettext(
            "%(count)d entry assigned to %(customer)s.", "%(count)d entries assigned to %(customer)s.", changed
        ) % {"count": changed, "customer": customer}
    messages.success(request, message)
    return _back_to_list(request, list_url)


@require_safe
def endcustomer_autocomplete_view(request):
    """Customers for the assignment dialog's search box: "number – name", at most a handful."""
    customers = access_queryset(request.actor, EndCustomer, CHANGE)
    term = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    if term:
        customers = customers.filter(
            Q(number__icontains=term)
            | Q(last_name__icontains=term)
            | Q(first_name__icontains=term)
            | Q(company__icontains=term)
        )
    results = [{"id": customer.pk, "text": str(customer)} for customer in customers[:AUTOCOMPLETE_RESULTS]]
    return JsonResponse({"results": results})


@require_POST
def contract_plesk_sso_view(request, pk):
    """Plesk öffnen: single sign-on into the reseller's Plesk panel through ``create_session``."""
    contract = access_object(request.actor, Contract.objects.filter(hosting_server__isnull=False), pk, OPEN_PLESK)
    try:
        login_url = services.open_plesk(request.actor, contract)
    except PleskUnavailable as error:
        messages.error(request, str(error))
        return redirect("contracts:contract_detail", pk=contract.pk)
    return HttpResponseRedirect(login_url)
