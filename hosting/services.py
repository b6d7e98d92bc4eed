"""Hosting servers (the connection test staff run) and reseller hostings (create, retry)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.services import diff, record, snapshot
from contracts.models import Status as ProductStatus
from contracts.models import to_idna
from core.actor import Actor
from core.tenancy import ADD, CHANGE, VIEW
from customers.models import EndCustomer
from customers.services import lock_end_customer
from hosting import provisioning
from hosting.failures import describe_failure
from hosting.models import HostingServer, ProvisioningEvent, ResellerHosting
from hosting.tasks import enqueue_provisioning
from plesk import errors
from products.models import ResellerProduct


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    message: str


def test_connection(server: HostingServer) -> ConnectionResult:
    """Ask the server for its info; every failure kind gets a message staff can act on."""
    try:
        with server.client(deadline=20) as client:
            info = client.test_connection()
    except (errors.PleskError, ValidationError) as error:
        return ConnectionResult(False, describe_failure(error))
    message = _("Connected: %(name)s, Plesk %(version)s, protocol %(protocol)s.")
    return ConnectionResult(
        True,
        message % {"name": info.server_name, "version": info.plesk_version or "?", "protocol": info.protocol_version},
    )


# --- reseller hostings --------------------------------------------------------------------------------


def _require(actor: Actor, action: str) -> None:
    if not actor.may(ResellerHosting, action):
        raise PermissionDenied


def create_hosting(
    actor: Actor, *, end_customer: EndCustomer, product: ResellerProduct, domain: str = "", send_summary: bool = False
) -> ResellerHosting:
    """Create a reseller hosting for a customer and queue its provisioning (after the commit).

    The customer's row is locked first, like every assignment, so a concurrent
    deletion of the customer cannot slip through (REL-09).
    """
    _require(actor, ADD)
    domain = to_idna(domain) if domain and domain.strip() else ""
    with transaction.atomic():
        try:
            customer = lock_end_customer(actor, end_customer.pk)
        except EndCustomer.DoesNotExist as error:
            raise ValidationError({"end_customer": _("This customer does not exist (any more).")}) from error
        product = (
            ResellerProduct.objects.restrict(actor, VIEW)
            .select_related("contract__hosting_server")
            .filter(pk=product.pk)
            .first()
        )
        if product is None or product.kind != ResellerProduct.Kind.RESELLER_HOSTING:
            raise ValidationError({"product": _("Choose one of your reseller-hosting products.")})
        if product.status != ProductStatus.ACTIVE:
            raise ValidationError({"product": _("This product is inactive.")})
        contract = product.contract
        if (
            contract.account_id != actor.account.pk
            or not contract.is_active
            or not (contract.hosting_server_id and contract.plesk_login)
        ):
            raise ValidationError({"product": _("The product's reseller contract is inactive or has no server.")})
        hosting = ResellerHosting.objects.create(
            account=actor.account,
            end_customer=customer,
            product=product,
            contract=contract,
            domain=domain,
            send_summary=send_summary,
            customer_external_id=provisioning.customer_external_id(customer.pk),
        )
        hosting.external_id = provisioning.hosting_external_id(hosting.pk)
        hosting.save(update_fields=["external_id"])
        provisioning.add_event(hosting.pk, ProvisioningEvent.Kind.QUEUED, _("Queued."))
        changes = diff({}, snapshot(hosting, ["end_customer", "product", "contract", "domain", "send_summary"]))
        record(actor, AuditEntry.Action.CREATE, hosting, changes=changes, parent=customer)
        hosting_id = hosting.pk
        transaction.on_commit(lambda: enqueue_provisioning(hosting_id))
    return hosting


def retry_hosting(actor: Actor, hosting: ResellerHosting) -> ResellerHosting:
    """Queue a failed hosting again. One conditional update decides between concurrent clicks (REL-07)."""
    _require(actor, CHANGE)
    with transaction.atomic():
        updated = (
            ResellerHosting.objects.restrict(actor, CHANGE)
            .filter(pk=hosting.pk, status=ResellerHosting.Status.FAILED)
            .update(
                status=ResellerHosting.Status.PROVISIONING,
                attempts=0,
                next_attempt_at=None,
                claimed_until=None,
                failure_reason="",
            )
        )
        if not updated:
            raise ValidationError(_("Only a failed hosting can be retried; this one is running or done."))
        hosting = ResellerHosting.objects.select_related("end_customer").get(pk=hosting.pk)
        provisioning.add_event(hosting.pk, ProvisioningEvent.Kind.QUEUED, _("Queued again (retry)."))
        changes = {"status": [ResellerHosting.Status.FAILED.value, ResellerHosting.Status.PROVISIONING.value]}
        record(actor, AuditEntry.Action.UPDATE, hosting, changes=changes, parent=hosting.end_customer)
        hosting_id = hosting.pk
        transaction.on_commit(lambda: enqueue_provisioning(hosting_id))
    return hosting
