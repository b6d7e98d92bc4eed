"""Reseller hostings over the API: list (with the UI list's filters), create (202 + status URL), read with
timeline, retry, correct, cancel, the lifecycle (suspend, unsuspend, change product, delete;
202 + status URL), the reseller's
subscriptions on the server, and linking one of them. Hostings carry their resource usage and a contract its
package's, as the server check last read them from Plesk (``hosting.usage``)."""

from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from contracts.models import Contract
from core.access import access_object, access_queryset, require_action
from core.api import BodySchema, ErrorOut, ExportQuery, export_list, filtered
from core.tenancy import ADD, CHANGE, DELETE
from customers.models import EndCustomer
from hosting import services, usage
from hosting.filters import ResellerHostingFilterSet
from hosting.models import HostingUsage, PackageUsage, ResellerHosting
from hosting.tables import AccountHostingTable
from products.models import ResellerProduct

router = Router(tags=["Reseller hostings"])


class EventOut(Schema):
    time: datetime
    kind: str
    code: str
    message: str

    @staticmethod
    def resolve_message(obj):
        """What happened, in the request's language."""
        return obj.text


# How the usage fields read: Plesk's own names and units, as the server check stores them.
PLESK_LIMITS = (
    "Plesk's limit names (disk_space, max_traffic, max_site, max_subdom, max_dom_aliases, max_box, mbox_quota, "
    "max_db, max_subftp_users, …) and units: disk_space and mbox_quota in bytes, max_traffic in bytes per month, "
    "the others counts; -1 is unlimited"
)
PLESK_USED = (
    "What is used, by the name of the limit that bounds it (Plesk's names): disk_space in bytes, max_traffic in "
    "bytes this month, the others counts"
)
READ_AT = "When the server check last read it from Plesk"


class HostingUsageOut(Schema):
    """What the hosting's subscription uses and may use, as the server check last read it from Plesk."""

    read_at: datetime = Field(description=READ_AT)
    limits: dict[str, int] = Field(description=f"The subscription's limits: {PLESK_LIMITS}")
    used: dict[str, int] = Field(description=PLESK_USED)
    peak_percent: int = Field(
        description="The highest share of its disk space or traffic used, in whole percent (0 when neither is "
        "bounded); from 90 the lists mark the hosting"
    )


class PackageUsageOut(Schema):
    """The reseller's own package on the contract's server, as the server check last read it from Plesk."""

    contract: int
    read_at: datetime | None = Field(description=f"{READ_AT}; null (and the rest empty) until it has read it")
    limits: dict[str, int] = Field(description=f"The package's limits: {PLESK_LIMITS}; max_webspaces: subscriptions")
    allocated: dict[str, int] = Field(
        description="What the package's subscriptions were given: the sum of their limits, same names and units"
    )
    remaining: dict[str, int] = Field(description="What is left to give to new subscriptions, same names and units")
    used: dict[str, int] = Field(description=f"{PLESK_USED}; max_webspaces: the number of subscriptions")


class HostingOut(Schema):
    id: int
    end_customer: int
    product: int
    contract: int
    domain: str
    status: str
    failure_reason: str
    suspension_reason: str
    linked: bool
    plesk_customer_login: str
    subscription_id: int | None
    subscription_name: str
    attempts: int
    drift: str
    checked_at: datetime | None
    created_at: datetime
    summary_sent_at: datetime | None
    usage: HostingUsageOut | None = Field(description="Resource usage; null until the server check has read it")

    @staticmethod
    def resolve_usage(obj):
        try:
            return obj.usage
        except HostingUsage.DoesNotExist:
            return None

    @staticmethod
    def resolve_end_customer(obj):
        return obj.end_customer_id

    @staticmethod
    def resolve_product(obj):
        return obj.product_id

    @staticmethod
    def resolve_contract(obj):
        return obj.contract_id


class HostingDetailOut(HostingOut):
    timeline: list[EventOut]

    @staticmethod
    def resolve_timeline(obj):
        return list(obj.events.all())


class HostingIn(BodySchema):
    end_customer: int
    product: int
    domain: str = ""
    send_summary: bool = False


class CorrectIn(BodySchema):
    product: int
    domain: str = ""


class DomainIn(BodySchema):
    domain: str


class ProductIn(BodySchema):
    product: int


class SuspendIn(BodySchema):
    reason: str


class AcceptedOut(Schema):
    id: int
    status: str
    status_url: str


class SubscriptionOut(Schema):
    id: int
    name: str
    host: str
    owner_id: int | None
    owner_login: str
    active: bool
    in_mkm: bool
    hosting: int | None

    @staticmethod
    def resolve_hosting(obj):
        return obj.hosting.pk if obj.hosting else None


class LinkIn(BodySchema):
    end_customer: int
    product: int


def _refs(request, end_customer: int, product: int):
    """The customer and product a payload names, or a 422 naming the field (ids of other accounts included)."""
    customer = EndCustomer.objects.restrict(request.actor).filter(pk=end_customer).first()
    found = ResellerProduct.objects.restrict(request.actor).filter(pk=product).first()
    problems = {}
    if customer is None:
        problems["end_customer"] = _("This customer does not exist (any more).")
    if found is None:
        problems["product"] = _("Choose one of your reseller-hosting products.")
    if problems:
        raise ValidationError(problems)
    return customer, found


def _contract(request, contract_id: int) -> Contract:
    return access_object(request.actor, services.bound_contracts(request.actor), contract_id)


def _accepted(hosting: ResellerHosting) -> Status:
    url = reverse("api:get_hosting", kwargs={"hosting_id": hosting.pk})
    return Status(202, {"id": hosting.pk, "status": hosting.status, "status_url": url})


class HostingFilter(Schema):
    q: str | None = None
    status: (
        Literal[
            "provisioning",
            "active",
            "failed",
            "paused",
            "suspended",
            "missing",
            "cancelling",
            "cancelled",
            "suspending",
            "unsuspending",
            "deleting",
            "deleted",
            "changing_plan",
        ]
        | None
    ) = None


@router.get("/hostings/", response=list[HostingOut], summary="The account's reseller hostings, with the list's filters")
@paginate
def list_hostings(request, filters: Query[HostingFilter]):
    data = {key: value for key, value in filters.dict().items() if value is not None}
    hostings = access_queryset(request.actor, ResellerHosting.objects.select_related("usage"))
    return ResellerHostingFilterSet(data, queryset=hostings).qs


@router.post(
    "/hostings/", response={202: AcceptedOut}, summary="Create a reseller hosting (provisioned in the background)"
)
def create_hosting(request, payload: HostingIn):
    require_action(request.actor, ResellerHosting, ADD)
    customer, product = _refs(request, payload.end_customer, payload.product)
    hosting = services.create_hosting(
        request.actor, end_customer=customer, product=product, domain=payload.domain, send_summary=payload.send_summary
    )
    return _accepted(hosting)


@router.get("/hostings/export/", summary="Export the hosting list (CSV or Excel), with the list's filters")
def export_hostings(request, query: Query[ExportQuery]):
    hostings = access_queryset(
        request.actor, ResellerHosting.objects.select_related("end_customer", "contract", "product")
    )
    rows = filtered(request, ResellerHostingFilterSet, usage.with_usage_peak(hostings))
    return export_list(request, query, name="hostings", table_class=AccountHostingTable, queryset=rows)


@router.get(
    "/hostings/{hosting_id}/", response=HostingDetailOut, summary="One hosting, with its timeline and resource usage"
)
def get_hosting(request, hosting_id: int):
    return access_object(
        request.actor, ResellerHosting.objects.select_related("usage").prefetch_related("events"), hosting_id
    )


@router.post("/hostings/{hosting_id}/retry/", response={202: AcceptedOut}, summary="Retry a failed hosting")
def retry_hosting(request, hosting_id: int):
    hosting = access_object(request.actor, ResellerHosting, hosting_id, CHANGE)
    return _accepted(services.retry_hosting(request.actor, hosting))


@router.post(
    "/hostings/{hosting_id}/correct/",
    response={202: AcceptedOut},
    summary="Give a failed or waiting hosting another domain or product, and set it up again",
)
def correct_hosting(request, hosting_id: int, payload: CorrectIn):
    hosting = access_object(request.actor, ResellerHosting, hosting_id, CHANGE)
    product = ResellerProduct.objects.restrict(request.actor).filter(pk=payload.product).first()
    if product is None:
        raise ValidationError({"product": _("Choose an active reseller-hosting product of this contract.")})
    return _accepted(services.correct_hosting(request.actor, hosting, domain=payload.domain, product=product))


@router.post(
    "/hostings/{hosting_id}/cancel/",
    response={202: AcceptedOut},
    summary="Cancel a failed or waiting hosting, or a hosting space without a domain: what was set up on the "
    "server is removed in the background",
)
def cancel_hosting(request, hosting_id: int):
    hosting = access_object(request.actor, ResellerHosting, hosting_id, CHANGE)
    return _accepted(services.cancel_hosting(request.actor, hosting))


@router.post(
    "/hostings/{hosting_id}/add-domain/",
    response={202: AcceptedOut},
    summary="Give a hosting space made without a domain its domain: its subscription is created in the background",
)
def add_hosting_domain(request, hosting_id: int, payload: DomainIn):
    hosting = access_object(request.actor, ResellerHosting, hosting_id, CHANGE)
    return _accepted(services.add_hosting_domain(request.actor, hosting, domain=payload.domain))


@router.post(
    "/hostings/{hosting_id}/suspend/",
    response={202: AcceptedOut},
    summary="Suspend an active hosting (its subscription and its customer's Plesk login) in the background",
)
def suspend_hosting(request, hosting_id: int, payload: SuspendIn):
    hosting = access_object(request.actor, ResellerHosting, hosting_id, CHANGE)
    return _accepted(services.suspend_hosting(request.actor, hosting, reason=payload.reason))


@router.post(
    "/hostings/{hosting_id}/unsuspend/",
    response={202: AcceptedOut},
    summary="Make a suspended hosting active again in the background",
)
def unsuspend_hosting(request, hosting_id: int):
    hosting = access_object(request.actor, ResellerHosting, hosting_id, CHANGE)
    return _accepted(services.unsuspend_hosting(request.actor, hosting))


@router.post(
    "/hostings/{hosting_id}/change-product/",
    response={202: AcceptedOut},
    summary="Move an active hosting to another product (plan) of its contract in the background; refused where "
    "its usage does not fit the new plan",
)
def change_hosting_product(request, hosting_id: int, payload: ProductIn):
    hosting = access_object(request.actor, ResellerHosting, hosting_id, CHANGE)
    product = ResellerProduct.objects.restrict(request.actor).filter(pk=payload.product).first()
    if product is None:
        raise ValidationError({"product": _("Choose another active reseller-hosting product of this contract.")})
    return _accepted(services.change_hosting_product(request.actor, hosting, product))


@router.post(
    "/hostings/{hosting_id}/delete/",
    response={202: AcceptedOut},
    summary="Delete a hosting: its subscription (and the customer's Plesk login where nothing else of the "
    "customer is left) is removed from the server in the background (administrators)",
)
def delete_hosting(request, hosting_id: int):
    hosting = access_object(request.actor, ResellerHosting, hosting_id, DELETE)
    return _accepted(services.delete_hosting(request.actor, hosting))


@router.get(
    "/contracts/{contract_id}/subscriptions/",
    response={200: list[SubscriptionOut], 503: ErrorOut},
    summary="The reseller's subscriptions on the contract's server, marked in/not in the MKM",
)
def list_subscriptions(request, contract_id: int):
    contract = _contract(request, contract_id)
    try:
        return services.list_subscriptions(request.actor, contract)
    except services.ServerUnavailable as error:
        return Status(503, {"detail": str(error)})


@router.get(
    "/contracts/{contract_id}/package-usage/",
    response=PackageUsageOut,
    summary="The reseller's package on the contract's server: limits, allocated, remaining and used, as last read",
)
def get_package_usage(request, contract_id: int):
    contract = _contract(request, contract_id)
    stored = usage.stored_package(contract)
    if stored is None:
        return {"contract": contract.pk, "read_at": None, "limits": {}, "allocated": {}, "remaining": {}, "used": {}}
    return _package_out(stored)


def _package_out(stored: PackageUsage) -> dict[str, object]:
    fields = ("read_at", "limits", "allocated", "remaining", "used")
    return {"contract": stored.contract_id, **{name: getattr(stored, name) for name in fields}}


@router.post(
    "/contracts/{contract_id}/subscriptions/{subscription_id}/link/",
    response={201: HostingOut, 503: ErrorOut},
    summary="Link an existing subscription to a customer and product (nothing changes on the server)",
)
def link_subscription(request, contract_id: int, subscription_id: int, payload: LinkIn):
    contract = _contract(request, contract_id)
    require_action(request.actor, ResellerHosting, ADD)
    customer, product = _refs(request, payload.end_customer, payload.product)
    try:
        if services.get_subscription(request.actor, contract, subscription_id) is None:
            raise Http404
        hosting = services.link_subscription(request.actor, contract, subscription_id, customer, product)
    except services.ServerUnavailable as error:
        return Status(503, {"detail": str(error)})
    return Status(201, hosting)
