"""Kontenzusammenfassung over the API: read an end customer's access summary as it would be mailed, and send it.

The same service as the page (``portal.account_summary``): a customer without an e-mail address, or with
nothing to log in with yet, is a 422."""

from typing import TYPE_CHECKING, cast

from django.http import HttpRequest
from ninja import Router, Schema, Status

from core.access import access_object
from core.tenancy import CHANGE, VIEW
from customers.models import EndCustomer
from portal.account_summary import account_summary, send_account_summary

if TYPE_CHECKING:
    from core.actor import Actor
    from core.http import ActorRequest

router = Router(tags=["Customers"])


class PortalLoginOut(Schema):
    username: str
    name: str
    active: bool


class HostingAccessOut(Schema):
    domain: str
    product: str
    status: str
    plesk_login: str
    plesk_url: str


class AccountSummaryOut(Schema):
    recipient: str
    subject: str
    text: str
    login_url: str
    logins: list[PortalLoginOut]
    hostings: list[HostingAccessOut]


class SummarySentOut(Schema):
    sent_to: str


def _actor(request: HttpRequest) -> "Actor":
    # The API's authentication gives every request its actor.
    return cast("ActorRequest", request).actor


@router.get(
    "/customers/{customer_id}/account-summary/",
    response=AccountSummaryOut,
    summary="The customer's account summary (portal logins, portal URL, hostings) as the e-mail would send it; "
    "never a password",
)
def get_account_summary(request: HttpRequest, customer_id: int) -> AccountSummaryOut:
    actor = _actor(request)
    summary = account_summary(actor, access_object(actor, EndCustomer, customer_id, VIEW))
    return AccountSummaryOut.model_validate(summary, from_attributes=True)


@router.post(
    "/customers/{customer_id}/account-summary/send/",
    response={202: SummarySentOut},
    summary="Send the account summary to the customer's e-mail address (queued, through your own mail server "
    "where your portal template has one)",
)
def send_customer_account_summary(request: HttpRequest, customer_id: int) -> Status[SummarySentOut]:
    actor = _actor(request)
    summary = send_account_summary(actor, access_object(actor, EndCustomer, customer_id, CHANGE))
    return Status(202, SummarySentOut(sent_to=summary.recipient))
