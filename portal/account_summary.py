"""Kontenzusammenfassung: an end customer's access details, shown to the reseller and sent on demand.

The summary lists what the customer logs in with: its logins to the reseller's customer portal (and where that
portal is), and its hostings with their Plesk user and server. The reseller sees the mail exactly as it will go
out before sending it.

It never holds a password, nor a link that sets one: the reseller reads the preview, and a one-time link in it
would let the reseller take over the customer's login. The mail sends the customer to "Forgot your password?" on
the login page instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.services import record
from core import mail
from core.access import access_object, access_queryset, require_action
from core.tenancy import CHANGE, VIEW
from customers.models import EndCustomer, PortalUser
from customers.services import portal_login_url
from hosting.models import ResellerHosting

if TYPE_CHECKING:
    from core.actor import Actor

TEMPLATE = "portal/email/account_summary"


@dataclass(frozen=True)
class PortalLogin:
    username: str
    name: str
    active: bool


@dataclass(frozen=True)
class HostingAccess:
    domain: str
    product: str
    status: str
    plesk_login: str  # "" until provisioning made the customer's Plesk login
    plesk_url: str  # where the customer logs in to Plesk: the server's address


@dataclass(frozen=True)
class AccountSummary:
    customer: EndCustomer
    recipient: str  # the customer's e-mail address; "" when it has none
    login_url: str  # the login page of the reseller's customer portal
    logins: list[PortalLogin] = field(default_factory=list)
    hostings: list[HostingAccess] = field(default_factory=list)
    subject: str = ""
    text: str = ""
    html: str = ""

    @property
    def context(self) -> dict[str, object]:
        """What the mail's templates read."""
        return {
            "customer": self.customer,
            "login_url": self.login_url,
            "logins": self.logins,
            "hostings": self.hostings,
        }

    @property
    def is_empty(self) -> bool:
        """Nothing to log in with yet: no portal login, no hosting."""
        return not self.logins and not self.hostings


def _logins(actor: Actor, customer: EndCustomer) -> list[PortalLogin]:
    users = access_queryset(actor, PortalUser).filter(end_customer=customer).select_related("user")
    return [
        PortalLogin(username=row.user.username, name=row.user.get_full_name(), active=row.user.is_active)
        for row in users.order_by("user__username")
    ]


def _hostings(actor: Actor, customer: EndCustomer) -> list[HostingAccess]:
    hostings = (
        access_queryset(actor, ResellerHosting)
        .filter(end_customer=customer)
        .exclude(status__in=ResellerHosting.ENDED_STATUSES)
        .select_related("product", "contract__hosting_server")
        .order_by("pk")
    )
    return [
        HostingAccess(
            domain=hosting.domain_label,
            product=hosting.product.name,
            status=hosting.get_status_display(),
            plesk_login=hosting.plesk_customer_login,
            plesk_url=hosting.contract.hosting_server.origin if hosting.contract.hosting_server else "",
        )
        for hosting in hostings
    ]


def account_summary(actor: Actor, customer: EndCustomer) -> AccountSummary:
    """The customer's summary and its mail (subject, text, html) exactly as ``send_account_summary`` sends it:
    in the current language, under the reseller's brand."""
    customer = access_object(actor, EndCustomer.objects.select_related("account"), customer.pk, VIEW)
    summary = AccountSummary(
        customer=customer,
        recipient=customer.email,
        login_url=portal_login_url(customer.account),
        logins=_logins(actor, customer),
        hostings=_hostings(actor, customer),
    )
    subject, text, html = mail.render_mail(TEMPLATE, summary.context, mail.brand_for(customer.account))
    return replace(summary, subject=subject, text=text, html=html)


def send_account_summary(actor: Actor, customer: EndCustomer) -> AccountSummary:
    """Mail the summary to the customer's address, through the reseller's own mail server where it has one
    (after commit, retried like every mail), and record it on the customer."""
    require_action(actor, EndCustomer, CHANGE)
    with transaction.atomic():
        customer = access_object(actor, EndCustomer, customer.pk, CHANGE)
        summary = account_summary(actor, customer)
        if not summary.recipient:
            raise ValidationError(_("This customer has no e-mail address. Add one under Edit, then send again."))
        if summary.is_empty:
            raise ValidationError(_("There is nothing to send yet: this customer has no portal login and no hosting."))
        record(
            actor,
            AuditEntry.Action.SEND_SUMMARY,
            customer,
            object_repr=f"{customer} <{summary.recipient}>",
        )
        # Rendered again from the same values, as the preview was.
        mail.send_templated_mail(TEMPLATE, summary.context, to=[summary.recipient], on_behalf_of=customer.account)
    return summary
