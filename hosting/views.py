"""Reseller hostings in the portal: the account's list, the contract's MKM-Hostings and Abonnements tabs, create,
link, detail."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from contracts.models import Contract
from contracts.views import CONTRACT_TABS
from core.access import access_object, access_queryset, require_action
from core.http import page_methods
from core.tenancy import ADD, CHANGE, DELETE, VIEW
from core.views import ObjectDetailView, ObjectListView, ObjectTabView
from customers.models import EndCustomer
from customers.views import CUSTOMER_TABS
from hosting import services, usage
from hosting.filters import ResellerHostingFilterSet
from hosting.forms import (
    HostingCorrectForm,
    HostingCreateForm,
    HostingDomainForm,
    HostingPlanChangeForm,
    HostingSpaceForm,
    SubscriptionLinkForm,
)
from hosting.messages import domain_in_text
from hosting.models import ResellerHosting
from hosting.tables import AccountHostingTable, ResellerHostingTable


def _add_errors(form, error: ValidationError) -> None:
    """A service's field errors on the form's fields; the rest (e.g. the subscription) above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _contract(request, pk) -> Contract:
    return access_object(request.actor, services.bound_contracts(request.actor), pk)


class ResellerHostingListView(ObjectListView):
    """Every hosting of the account, filterable by status (the dashboard links its failed ones here)."""

    model = ResellerHosting
    table_class = AccountHostingTable
    filterset_class = ResellerHostingFilterSet
    title = gettext_lazy("MKM hostings")

    def refine_queryset(self, queryset):
        return usage.with_usage_peak(queryset.select_related("end_customer", "contract", "product"))


class ContractHostingTabMixin:
    """A tab of a reseller contract (``contracts.views.CONTRACT_TABS``); only where hostings exist."""

    model = Contract
    tabs = CONTRACT_TABS

    def dispatch(self, request, *args, **kwargs):
        require_action(request.actor, ResellerHosting, VIEW)
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return services.bound_contracts(self.actor)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_add_hosting"] = self.actor.may(ResellerHosting, ADD)
        return context


class ContractHostingsView(ContractHostingTabMixin, ObjectTabView):
    active_tab = "hosting:contract_hostings"
    table_class = ResellerHostingTable
    template_name = "hosting/contract_hostings.html"

    def get_child_queryset(self):
        hostings = access_queryset(self.actor, ResellerHosting).filter(contract=self.object)
        return usage.with_usage_peak(hostings.select_related("end_customer"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["package_usage"] = usage.stored_package(self.object)
        return context


class ContractSubscriptionsView(ContractHostingTabMixin, ObjectDetailView):
    active_tab = "hosting:contract_subscriptions"
    template_name = "hosting/contract_subscriptions.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            context["subscriptions"] = services.list_subscriptions(self.actor, self.object)
        except services.ServerUnavailable as error:
            context["server_error"] = str(error)
        return context


@page_methods
def hosting_add_view(request, pk):
    """The plus button of MKM-Hostings: Kunde, Produkt, optional Domain and summary mail → Anlegen."""
    contract = _contract(request, pk)
    require_action(request.actor, ResellerHosting, ADD)
    form = HostingCreateForm(request.POST or None, actor=request.actor, contract=contract)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hosting = services.create_hosting(
                request.actor,
                end_customer=data["end_customer"],
                product=data["product"],
                domain=data["domain"],
                send_summary=data["send_summary"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The hosting is being set up."))
            return redirect("hosting:resellerhosting_detail", pk=hosting.pk)
    return render(request, "hosting/hosting_add.html", {"contract": contract, "form": form})


@page_methods
def hosting_space_add_view(request, pk):
    """+ Hosting-Bereich erstellen on the customer's page: a plan, an optional domain, the summary → Bereich
    erstellen. Without a domain the job prepares the customer's Plesk login only."""
    require_action(request.actor, ResellerHosting, ADD)
    customer = access_object(request.actor, EndCustomer, pk, CHANGE)
    form = HostingSpaceForm(request.POST or None, products=services.space_products(request.actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hosting = services.create_hosting(
                request.actor,
                end_customer=customer,
                product=data["product"],
                domain=data["domain"],
                send_summary=data["send_summary"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The hosting space is being created."))
            return redirect("hosting:resellerhosting_detail", pk=hosting.pk)
    context = {"object": customer, "tabs": CUSTOMER_TABS.for_object(request.actor, customer), "form": form}
    return render(request, "hosting/hosting_space_add.html", context)


@page_methods
def subscription_link_view(request, pk, subscription_id):
    """Link an existing subscription ("nicht im MKM angelegt") to a customer and product; the server is untouched."""
    contract = _contract(request, pk)
    require_action(request.actor, ResellerHosting, ADD)
    try:
        subscription = services.get_subscription(request.actor, contract, subscription_id)
    except services.ServerUnavailable as error:
        messages.error(request, str(error))
        return redirect("hosting:contract_subscriptions", pk=contract.pk)
    if subscription is None:
        raise Http404
    form = SubscriptionLinkForm(request.POST or None, actor=request.actor, contract=contract)
    if request.method == "POST" and form.is_valid():
        try:
            hosting = services.link_subscription(
                request.actor,
                contract,
                subscription.id,
                form.cleaned_data["end_customer"],
                form.cleaned_data["product"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            name = domain_in_text(hosting.subscription_name)
            messages.success(request, _("The subscription %(name)s is now in the MKM.") % {"name": name})
            return redirect("hosting:resellerhosting_detail", pk=hosting.pk)
    context = {"contract": contract, "subscription": subscription, "form": form}
    return render(request, "hosting/subscription_link.html", context)


HOSTING_RELATED = ("end_customer", "product", "contract__shop_product", "contract__hosting_server")


class ResellerHostingDetailView(ObjectDetailView):
    model = ResellerHosting
    template_name = "hosting/resellerhosting_detail.html"

    def refine_queryset(self, queryset):
        return queryset.select_related(*HOSTING_RELATED, "usage")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = list(self.object.events.all())
        context["may_change"] = self.actor.may(ResellerHosting, CHANGE)
        context["may_delete"] = self.actor.may(ResellerHosting, DELETE)
        return context


@require_safe
def hosting_status_view(request, pk):
    """The status part of the detail page; htmx asks for it every 2 s while a job works on the hosting."""
    hosting = access_object(request.actor, ResellerHosting.objects.select_related(*HOSTING_RELATED), pk)
    context = {
        "object": hosting,
        "events": list(hosting.events.all()),
        "may_change": request.actor.may(ResellerHosting, CHANGE),
        "may_delete": request.actor.may(ResellerHosting, DELETE),
    }
    return render(request, "hosting/includes/hosting_status.html", context)


def _hosting_action(request, pk, service, done_message, *, action=CHANGE, **options):
    """A button on the hosting page: run ``service`` on the hosting (with ``options``), say how it went, back to
    the page."""
    hosting = access_object(request.actor, ResellerHosting.objects.select_related(*HOSTING_RELATED), pk, action)
    try:
        service(request.actor, hosting, **options)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done_message)
    return redirect("hosting:resellerhosting_detail", pk=hosting.pk)


@require_POST
def hosting_retry_view(request, pk):
    return _hosting_action(request, pk, services.retry_hosting, _("The hosting is being set up again."))


@page_methods
def hosting_correct_view(request, pk):
    """Korrigieren: another domain or product for a failed or waiting hosting, then it is set up again."""
    hosting = access_object(request.actor, ResellerHosting.objects.select_related(*HOSTING_RELATED), pk, CHANGE)
    form = HostingCorrectForm(request.POST or None, actor=request.actor, hosting=hosting)
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_hosting(
                request.actor, hosting, domain=form.cleaned_data["domain"], product=form.cleaned_data["product"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The hosting is being set up again."))
            return redirect("hosting:resellerhosting_detail", pk=hosting.pk)
    return render(request, "hosting/hosting_correct.html", {"object": hosting, "form": form})


@require_POST
def hosting_cancel_view(request, pk):
    """Stornieren (after the button's confirmation): the job removes what was set up on the server."""
    return _hosting_action(request, pk, services.cancel_hosting, _("The hosting is being cancelled."))


@page_methods
def hosting_add_domain_view(request, pk):
    """Domain hinzufügen: a hosting space made without a domain gets one; the job creates its subscription."""
    hosting = access_object(request.actor, ResellerHosting.objects.select_related(*HOSTING_RELATED), pk, CHANGE)
    form = HostingDomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_hosting_domain(request.actor, hosting, domain=form.cleaned_data["domain"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The subscription is being created with the domain."))
            return redirect("hosting:resellerhosting_detail", pk=hosting.pk)
    return render(request, "hosting/hosting_add_domain.html", {"object": hosting, "form": form})


@require_POST
def hosting_suspend_view(request, pk):
    """Sperren, with the reason typed beside the button (after its confirmation)."""
    reason = request.POST.get("reason", "")
    return _hosting_action(request, pk, services.suspend_hosting, _("The hosting is being suspended."), reason=reason)


@require_POST
def hosting_unsuspend_view(request, pk):
    return _hosting_action(request, pk, services.unsuspend_hosting, _("The hosting is being unsuspended."))


@require_POST
def hosting_delete_view(request, pk):
    """Kündigen / Löschen (after the button's confirmation, which names what goes on the server)."""
    return _hosting_action(request, pk, services.delete_hosting, _("The hosting is being deleted."), action=DELETE)


@page_methods
def hosting_change_product_view(request, pk):
    """Tarif wechseln: the contract's other reseller-hosting products; the job moves the subscription."""
    hosting = access_object(request.actor, ResellerHosting.objects.select_related(*HOSTING_RELATED), pk, CHANGE)
    form = HostingPlanChangeForm(request.POST or None, products=services.plan_change_products(request.actor, hosting))
    if request.method == "POST" and form.is_valid():
        try:
            services.change_hosting_product(request.actor, hosting, form.cleaned_data["product"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The hosting is being moved to the new plan."))
            return redirect("hosting:resellerhosting_detail", pk=hosting.pk)
    return render(request, "hosting/hosting_change_product.html", {"object": hosting, "form": form})
