"""The customer shares: "Partner hinzufügen" / "Zugriff freigeben" on the customer's side; the open shares
under Kunden with "Kunde verbinden" and "Einladung ablehnen" on the partner's side."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.access import access_object
from core.http import ActorRequest, page_methods
from core.tenancy import CHANGE
from core.views import ObjectListView
from customers.forms import EndCustomerForm
from partners import services, shares
from partners.models import PartnerShare
from partners.share_forms import ConnectForm, DeclineForm, PartnerSearchForm, ShareForm
from partners.share_tables import PartnerShareFilterSet, PartnerShareTable


def _form_error(form: Any, error: ValidationError) -> None:
    """A service's refusal on the form: at its field when the form has one, above the form otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@page_methods
def share_add_view(request: ActorRequest) -> HttpResponse:
    """Partner hinzufügen: find the partner (or arrive with ``?partner=<account id>`` from its public profile),
    choose Voll- or Teilzugriff and send "Zugriff freigeben". The customer's owner only."""
    actor = request.actor
    services.require_customer_owner(actor)
    chosen = request.POST.get("partner") if request.method == "POST" else request.GET.get("partner")
    search = PartnerSearchForm(request.GET if "q" in request.GET else None)
    partner = None
    found = None
    form = None
    if chosen is not None or request.method == "POST":
        partner = shares.partner_for_share(actor, chosen)
    elif search.is_bound and search.is_valid():
        found = shares.find_partners(actor, search.cleaned_data["q"])
    if partner is not None:
        categories = services.products_of(actor)
        form = ShareForm(request.POST if request.method == "POST" else None, categories=categories)
        if request.method == "POST" and form.is_valid():
            try:
                shares.share_access(
                    actor,
                    partner,
                    full=form.cleaned_data["full"],
                    rights=services.rights_from_form(categories, form.cleaned_data),
                    message=form.cleaned_data["message"],
                )
            except ValidationError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    _("You have shared access with %(partner)s. It can work in your account once it connects you.")
                    % {"partner": partner.name},
                )
                return redirect("partners:customer_partner_list")
    context = {"search": search, "found": found, "partner": partner, "form": form}
    return render(request, "partners/share_add.html", context)


@require_POST
def share_withdraw_view(request: ActorRequest, pk: int) -> HttpResponse:
    share = shares.customer_share(request.actor, pk)
    try:
        shares.withdraw_share(request.actor, share)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your share with %(partner)s has been withdrawn.") % {"partner": share.account})
    return redirect("partners:customer_partner_list")


class PartnerShareListView(ObjectListView):
    """Kunden → Zugriffsfreigaben: the shares customers sent this partner, the open ones to connect or decline."""

    model = PartnerShare
    table_class = PartnerShareTable
    filterset_class = PartnerShareFilterSet
    title = gettext_lazy("Access shares")

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("customer_account", "granted_by", "partnership")


def _open_share(request: ActorRequest, pk: int) -> PartnerShare | None:
    share = access_object(
        request.actor, PartnerShare.objects.select_related("customer_account", "granted_by"), pk, CHANGE
    )
    if share.is_open:
        return share
    messages.error(request, _("This share is no longer open."))
    return None


@page_methods
def share_connect_view(request: ActorRequest, pk: int) -> HttpResponse:
    """Kunde verbinden: take over the customer's data as a new customer, or assign an existing one."""
    actor = request.actor
    share = _open_share(request, pk)
    if share is None:
        return redirect("partners:share_list")
    data = request.POST if request.method == "POST" else None
    form = ConnectForm(data, actor=actor)
    customer_form = EndCustomerForm(  # type: ignore[no-untyped-call]
        data,
        actor=actor,
        prefix="new",
        initial=shares.customer_data(share),
    )
    if request.method == "POST" and form.is_valid():
        new = form.cleaned_data["how"] == "new"
        if not new or customer_form.is_valid():
            target = customer_form if new else form
            try:
                partnership = shares.connect_share(
                    actor,
                    share,
                    new_customer=customer_form.instance if new else None,
                    end_customer=None if new else form.cleaned_data["end_customer"],
                )
            except ValidationError as error:
                _form_error(target, error)
            else:
                messages.success(
                    request,
                    _("%(customer)s is connected. You can open its account under Managed customers.")
                    % {"customer": share.customer_account.name},
                )
                assert partnership.end_customer is not None
                return redirect("customers:endcustomer_detail", pk=partnership.end_customer.pk)
    context = {"share": share, "form": form, "customer_form": customer_form, "products": shares.shared_products(share)}
    return render(request, "partners/share_connect.html", context)


@page_methods
def share_decline_view(request: ActorRequest, pk: int) -> HttpResponse:
    """Einladung ablehnen: the customer is told by e-mail, with the optional personal message."""
    share = _open_share(request, pk)
    if share is None:
        return redirect("partners:share_list")
    form = DeclineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            shares.decline_share(request.actor, share, message=form.cleaned_data["message"])
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _("The share of %(customer)s has been declined; the customer is told by e-mail.")
                % {"customer": share.customer_account.name},
            )
            return redirect("partners:share_list")
    return render(request, "partners/share_decline.html", {"share": share, "form": form})
