"""Partnerships in the portal: the customer's Partner page, the partner's Verwaltete Kunden."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.models import AuditEntry
from core.access import access_object, access_queryset
from core.http import ActorRequest, page_methods
from core.roles import Role
from core.views import ObjectListView
from partners import services
from partners.filters import PartnershipFilterSet
from partners.forms import ScopeForm
from partners.models import OPEN, Partnership
from partners.tables import ManagedCustomerTable


def customer_partner_list_view(request: ActorRequest) -> HttpResponse:
    """Konto → Partner: who works in this account, with which access, since when."""
    partnerships = services.customer_partnerships(request.actor)
    return render(
        request,
        "partners/customer_partner_list.html",
        {"partnerships": partnerships, "is_owner": request.actor.has_role(Role.OWNER)},
    )


@page_methods
def customer_partner_detail_view(request: ActorRequest, pk: int) -> HttpResponse:
    """One partner: its access (the owner changes it) and what it did in this account."""
    actor = request.actor
    partnership = services.customer_partnership(actor, pk)
    if request.method == "POST":
        services.require_customer_owner(actor)
    categories = services.products_of(actor)
    access = partnership.access
    is_owner = actor.has_role(Role.OWNER)
    form = ScopeForm(
        request.POST if request.method == "POST" else None,
        categories=categories,
        rights=services.scope_rights(access),
        initial={"full": "0" if access.partial else "1"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_scope(
                actor,
                partnership,
                full=form.cleaned_data["full"],
                rights=services.rights_from_form(categories, form.cleaned_data),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The access of %(partner)s has been changed.") % {"partner": partnership.account}
            )
            return redirect("partners:customer_partner_detail", pk=partnership.pk)
    entries = (
        access_queryset(actor, AuditEntry).filter(service_access=access).select_related("user")[:200]
        if actor.may(AuditEntry, "view")
        else []
    )
    context = {"partnership": partnership, "form": form, "is_owner": is_owner, "entries": entries}
    return render(request, "partners/customer_partner_detail.html", context)


@require_POST
def customer_partner_end_view(request: ActorRequest, pk: int) -> HttpResponse:
    partnership = services.customer_partnership(request.actor, pk)
    try:
        services.end_partnership(request.actor, partnership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The partnership with %(partner)s has ended.") % {"partner": partnership.account})
    return redirect("partners:customer_partner_list")


class ManagedCustomerListView(ObjectListView):
    """Verwaltete Kunden: the customers whose accounts this partner works in."""

    model = Partnership
    table_class = ManagedCustomerTable
    filterset_class = PartnershipFilterSet
    title = gettext_lazy("Managed customers")

    def get_title(self) -> Any:
        # An employee sees the managed customers assigned to it (``Partnership`` restricts the list).
        return self.title if self.actor.may(Partnership, "change") else gettext_lazy("My customers")

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(ended_at__isnull=True).select_related("customer_account", "access")


@require_POST
def managed_open_view(request: ActorRequest, pk: int) -> HttpResponse:
    """Konto öffnen: into the customer's account, under the banner."""
    partnership = access_object(request.actor, Partnership.objects.filter(ended_at__isnull=True), pk, OPEN)
    services.open_account(request.actor, partnership, session=request.session)
    return redirect("dashboard")


@require_POST
def managed_end_view(request: ActorRequest, pk: int) -> HttpResponse:
    """Verbindung trennen."""
    partnership = access_object(request.actor, Partnership.objects.filter(ended_at__isnull=True), pk, "delete")
    try:
        services.end_partnership(request.actor, partnership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The connection to %(customer)s has been ended.") % {"customer": partnership.customer_account}
        )
    return redirect("partners:managed_list")
