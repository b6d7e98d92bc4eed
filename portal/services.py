"""The end customer's portal: who may use it on which host, the one scope of what they see, and their workflows.

Every page of the end-customer portal reads its data through ``CustomerScope``: the rows of the portal
user's own end customer, of the template's reseller, and nothing else. An id of another customer's object
is not found (404), the same answer as an id that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from access.models import ServiceAccess
from audit.models import AuditEntry
from audit.services import record
from contracts.models import Contract, Domain
from contracts.plesk_failures import describe_failure
from core import throttle
from core.actor import Actor
from customers.models import EndCustomer, PortalUser
from customers.services import portal_password_reset_mail
from hosting.models import ResellerHosting
from plesk.errors import PleskError
from portal.models import PortalTemplate
from products.models import ResellerProduct
from products.money import format_eur
from users.models import User
from users.services import RESET_WINDOW_SECONDS, RESETS_PER_ADDRESS, RESETS_PER_IP

if TYPE_CHECKING:
    from django.db.models import QuerySet

# The session's portal: set at login on a portal host; a session is valid on that host only.
SESSION_TEMPLATE_KEY = "portal_template_id"

Status = ResellerHosting.Status
# Hostings the end customer no longer has: nothing to show them.
GONE_STATUSES = (Status.CANCELLED,)


def portal_user_of(template: PortalTemplate, user: User) -> PortalUser | None:
    """``user``'s portal login if it belongs to an end customer of ``template``'s reseller."""
    return (
        PortalUser.objects.select_related("end_customer")  # unrestricted: login, checked against the template
        .filter(user=user, end_customer__account_id=template.account_id, user__is_active=True)
        .first()
    )


@dataclass(frozen=True)
class ProductRow:
    """One product as the end customer sees it: the reseller's name, description and price, never the
    provider's shop product name or price."""

    kind: str
    name: str
    description: str
    price: str
    in_app_info: str
    plan: str
    domain: str
    status: str
    hosting: ResellerHosting | None


@dataclass(frozen=True)
class CustomerScope:
    """What the portal user of ``template`` may see: their own end customer, of this reseller."""

    template: PortalTemplate
    portal_user: PortalUser

    @property
    def customer(self) -> EndCustomer:
        return self.portal_user.end_customer

    def contracts(self) -> QuerySet[Contract]:
        # unrestricted: the scope itself, by the portal user's own customer and the template's reseller
        return Contract.objects.filter(account_id=self.template.account_id, end_customer=self.customer)

    def domains(self) -> QuerySet[Domain]:
        # unrestricted: the scope itself, by the portal user's own customer and the template's reseller
        return Domain.objects.filter(account_id=self.template.account_id, end_customer=self.customer)

    def hostings(self) -> QuerySet[ResellerHosting]:
        return (
            ResellerHosting.objects.filter(  # unrestricted: the scope itself, by the portal user's own customer
                account_id=self.template.account_id, end_customer=self.customer
            )
            .exclude(status__in=GONE_STATUSES)
            .select_related("product", "contract__hosting_server")
        )

    def hosting(self, pk: int) -> ResellerHosting:
        found = self.hostings().filter(pk=pk).first()
        if found is None:
            raise Http404
        return found

    def product_rows(self) -> list[ProductRow]:
        """The customer's products: assigned provider contracts under the reseller's branded product, then
        the reseller hostings."""
        contracts = list(self.contracts().select_related("shop_product").order_by("number"))
        # Per shop product the reseller's oldest active branded product (later rows win: inactive ones first).
        branded = {
            product.shop_product_id: product
            for product in ResellerProduct.objects.filter(  # unrestricted: the template's reseller's own products
                account_id=self.template.account_id,
                kind=ResellerProduct.Kind.BRANDED,
                shop_product_id__in=[contract.shop_product_id for contract in contracts],
            ).order_by("-status", "-pk")
        }
        rows = []
        for contract in contracts:
            product = branded.get(contract.shop_product_id)
            rows.append(
                ProductRow(
                    kind="contract",
                    # Without a branded product the customer sees the contract's number and area only.
                    name=product.name if product else f"{contract.area} {contract.number}".strip(),
                    description=product.description if product else "",
                    price=format_eur(product.net_price) if product else "",
                    in_app_info=product.in_app_info if product and product.in_app_prices else "",
                    plan="",
                    domain="",
                    status=contract.get_status_display(),
                    hosting=None,
                )
            )
        for hosting in self.hostings():
            product = hosting.product
            rows.append(
                ProductRow(
                    kind="hosting",
                    name=product.name,
                    description=product.description,
                    price=format_eur(product.net_price),
                    in_app_info=product.in_app_info if product.in_app_prices else "",
                    plan=product.plan_name,
                    domain=str(hosting) if hosting.domain_name else "",
                    status=hosting.get_status_display(),
                    hosting=hosting,
                )
            )
        return rows


def scope_for(template: PortalTemplate | None, user: User) -> CustomerScope:
    """The scope of the logged-in ``user`` on ``template``'s host; 404 for anyone else."""
    if template is None or not user.is_authenticated:
        raise Http404
    portal_user = portal_user_of(template, user)
    if portal_user is None:
        raise Http404
    return CustomerScope(template=template, portal_user=portal_user)


def service_access_history(customer: EndCustomer) -> QuerySet[AuditEntry]:
    """What happened with the customer's service accesses (activated, viewed, revoked): the customer's own
    record of who looked, shown on Profil → Service-Zugriff."""
    # unrestricted: the entries about this customer's own service accesses, kept in the reseller's account
    return AuditEntry.objects.filter(
        parent_type=ContentType.objects.get_for_model(EndCustomer),
        parent_id=str(customer.pk),
        object_type=ContentType.objects.get_for_model(ServiceAccess),
    ).order_by("-created_at")[:20]


class PleskUnavailable(Exception):
    """Plesk could not open a session; the message says why in plain words."""


def open_plesk(actor: Actor, scope: CustomerScope, hosting_pk: int) -> str:
    """A one-time login URL into Plesk as the end customer's own Plesk customer login (the one provisioning
    created or the linked subscription's owner), created with the reseller's login on that server."""
    hosting = scope.hosting(hosting_pk)
    if hosting.status != Status.ACTIVE or not hosting.plesk_customer_login or not hosting.contract.hosting_server_id:
        raise Http404
    try:
        with hosting.contract.plesk_client(deadline=15) as client:  # type: ignore[no-untyped-call]
            session = client.create_session(hosting.plesk_customer_login, actor.ip or "127.0.0.1")
    except (PleskError, ValidationError) as error:
        raise PleskUnavailable(describe_failure(error)) from error
    with transaction.atomic():
        record(
            actor,
            AuditEntry.Action.LOGIN,
            hosting,
            account=hosting.account,
            parent=scope.customer,
            object_repr=f"Plesk {hosting.plesk_customer_login} ({hosting})",
        )
    return str(session.login_url)


def reset_users(template: PortalTemplate, email: str) -> list[User]:
    """Active portal users of ``template``'s reseller with exactly this (normalised) address."""
    users = User.objects.filter(
        email=email,
        is_active=True,
        portal_user__end_customer__account_id=template.account_id,
    )
    return [user for user in users if user.has_usable_password() or not user.password]


def request_password_reset(template: PortalTemplate, email: str, ip: str | None) -> None:
    """Mail the template's portal users with ``email`` a link to set a new password, under the same limits as
    the main portal's reset (per address and per caller). The link leads to the template's stored portal URL,
    never to the request's host; the caller answers the same whatever happened."""
    allowed = throttle.allow(f"reset:ip:{ip}", RESETS_PER_IP, RESET_WINDOW_SECONDS)
    allowed &= throttle.allow(f"reset:address:{email.casefold()}", RESETS_PER_ADDRESS, RESET_WINDOW_SECONDS)
    if not allowed:
        return
    for user in reset_users(template, email):
        portal_password_reset_mail(user)
