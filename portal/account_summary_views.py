"""Kontenzusammenfassung anzeigen: the preview of an end customer's access summary, and sending it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.access import access_object
from core.http import page_methods
from core.tenancy import CHANGE, VIEW
from customers.models import EndCustomer
from customers.views import CUSTOMER_TABS
from portal.account_summary import account_summary, send_account_summary

if TYPE_CHECKING:
    from django.http import HttpResponse

    from core.actor import Actor
    from core.http import ActorRequest


def may_see_summary(actor: Actor, customer: EndCustomer) -> bool:
    """The header button: for whoever may open the customer (the page then says what they may do)."""
    return actor.may(EndCustomer, VIEW)


@page_methods
def account_summary_view(request: ActorRequest, pk: int) -> HttpResponse:
    actor = request.actor
    customer = access_object(actor, EndCustomer, pk)
    if request.method == "POST":
        try:
            summary = send_account_summary(actor, customer)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The account summary has been sent to %(email)s.") % {"email": summary.recipient}
            )
        return redirect("portal:account_summary", pk=customer.pk)
    summary = account_summary(actor, customer)
    return render(
        request,
        "portal/account_summary.html",
        {
            "object": customer,
            "tabs": CUSTOMER_TABS.for_object(actor, customer),
            "summary": summary,
            "may_send": actor.may(EndCustomer, CHANGE),
        },
    )
