"""The partner's page of one managed customer, and the end customer's buttons for its linked partnership."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.access import access_object
from core.actor import Actor
from core.http import ActorRequest
from core.tenancy import CHANGE, DELETE, VIEW
from partners import managed, services
from partners.managed_forms import AssignEmployeesForm, LinkEndCustomerForm
from partners.models import ASSIGN, OPEN, Partnership


def _partnership(request: ActorRequest, pk: int, action: str) -> Partnership:
    return access_object(
        request.actor,
        Partnership.objects.filter(ended_at__isnull=True).select_related("customer_account", "access"),
        pk,
        action,
    )


def _shared(partnership: Partnership, actor: Actor) -> list[tuple[Any, list[Any]]]:
    return managed.shared_products(actor, partnership, [product for product, _label, _model in services.PRODUCT_MODELS])


@require_safe
def managed_detail_view(request: ActorRequest, pk: int) -> HttpResponse:
    """One managed customer: its access, Konto öffnen, and for the partner's owner and administrators the
    employees, the e-mail copy and the link to its MKM customer."""
    actor = request.actor
    partnership = _partnership(request, pk, VIEW)
    context = {
        "partnership": partnership,
        "shared": _shared(partnership, actor) if partnership.access.partial else [],
        "may_open": actor.may(Partnership, OPEN),
        "may_change": actor.may(Partnership, CHANGE),
        "may_end": actor.may(Partnership, DELETE),
        "may_assign": actor.may(Partnership, ASSIGN),
        "employees": managed.assigned_employees(partnership),
    }
    if context["may_assign"]:
        context["assign_form"] = AssignEmployeesForm(actor=actor, initial={"employees": context["employees"]})
    if context["may_change"]:
        context["link_form"] = LinkEndCustomerForm(actor=actor, initial={"end_customer": partnership.end_customer_id})
    return render(request, "partners/managed_detail.html", context)


@require_POST
def managed_assign_view(request: ActorRequest, pk: int) -> HttpResponse:
    """Mitarbeitende zuweisen (the partner's owner)."""
    partnership = _partnership(request, pk, ASSIGN)
    form = AssignEmployeesForm(request.POST, actor=request.actor)
    if not form.is_valid():
        messages.error(request, _("Choose only employees of your own account."))
        return redirect("partners:managed_detail", pk=partnership.pk)
    managed.assign_employees(request.actor, partnership, form.cleaned_data["employees"])
    messages.success(request, _("The employees of %(customer)s have been saved.") % {"customer": _name(partnership)})
    return redirect("partners:managed_detail", pk=partnership.pk)


@require_POST
def managed_email_copy_view(request: ActorRequest, pk: int) -> HttpResponse:
    """E-Mail-Kopie on or off."""
    partnership = _partnership(request, pk, CHANGE)
    on = request.POST.get("email_copy") == "1"
    try:
        managed.set_email_copy(request.actor, partnership, on)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if on:
            message = _("You now receive copies of the mail %(customer)s gets from the portal.")
        else:
            message = _("You no longer receive copies of the mail %(customer)s gets from the portal.")
        messages.success(request, message % {"customer": _name(partnership)})
    return redirect("partners:managed_detail", pk=partnership.pk)


@require_POST
def managed_link_view(request: ActorRequest, pk: int) -> HttpResponse:
    """Link the managed customer to one of the partner's MKM customers (or unlink it)."""
    partnership = _partnership(request, pk, CHANGE)
    form = LinkEndCustomerForm(request.POST, actor=request.actor)
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
        return redirect("partners:managed_detail", pk=partnership.pk)
    try:
        managed.link_end_customer(request.actor, partnership, form.cleaned_data["end_customer"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The customer link has been saved."))
    return redirect("partners:managed_detail", pk=partnership.pk)


@require_POST
def endcustomer_open_view(request: ActorRequest, pk: int) -> HttpResponse:
    """Auf das Konto des Kunden zugreifen, on the end customer's page."""
    managed.open_linked(request.actor, pk, session=request.session)
    return redirect("dashboard")


@require_POST
def endcustomer_disconnect_view(request: ActorRequest, pk: int) -> HttpResponse:
    """Verbindung trennen, on the end customer's page."""
    try:
        partnership = managed.end_linked(request.actor, pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("The connection to %(customer)s has been ended.") % {"customer": partnership.customer_account}
        )
    return redirect("customers:endcustomer_detail", pk=pk)


def _name(partnership: Partnership) -> str:
    return str(partnership.customer_account.name)
