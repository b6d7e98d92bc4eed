"""The space summary (Bereichszusammenfassung): what a customer's new hosting space is and how to get in.

Sent once, when the space is first ready and only if the reseller ticked it. It never carries a password: a
customer with a portal login gets a link to set one and opens Plesk from the portal; the Plesk login page's own
"forgot your password" works too.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from core.mail import send_templated_mail
from customers.models import PortalUser
from customers.services import portal_login_url, portal_password_link
from hosting.models import HostingPlan, ResellerHosting
from hosting.plans import LIMITS, describe_amount
from plesk import UNLIMITED


def plan_limits(hosting: ResellerHosting) -> list[tuple[str, str]]:
    """``(label, amount)`` of the plan's limits, where the portal knows them (a plan made or changed in the
    portal); ``[]`` otherwise."""
    product = hosting.product
    # unrestricted: the hosting's own contract, read for the job that set it up
    plans = HostingPlan.objects.filter(contract=hosting.contract_id)
    plan = (
        plans.filter(plesk_guid=product.plan_guid) if product.plan_guid else plans.filter(name=product.plan_name)
    ).first()
    if plan is None:
        return []
    shown = []
    for limit in LIMITS:
        if limit.plesk in plan.limits:
            value = plan.limits[limit.plesk]
            shown.append((str(limit.label), _("unlimited") if value == UNLIMITED else describe_amount(limit, value)))
    return shown


def summary_context(hosting: ResellerHosting) -> dict[str, Any]:
    customer = hosting.end_customer
    account = hosting.account
    # unrestricted: the customer's own login, for the customer's own address
    portal_users = PortalUser.objects.select_related("user")
    portal_user = portal_users.filter(
        end_customer=customer, user__email__iexact=customer.email, user__is_active=True
    ).first()
    return {
        "hosting": hosting,
        "customer": customer,
        "product": hosting.product,
        "limits": plan_limits(hosting),
        "plesk_url": server.origin if (server := hosting.contract.hosting_server) else "",
        "portal_user": portal_user,
        "login_url": portal_login_url(account),
        "password_link": portal_password_link(account, portal_user.user) if portal_user else "",
    }


def send_space_summary(hosting: ResellerHosting) -> None:
    send_templated_mail(
        "hosting/email/summary",
        summary_context(hosting),
        to=[hosting.end_customer.email],
        on_behalf_of=hosting.account,
    )
