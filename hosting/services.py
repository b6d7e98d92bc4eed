"""Hosting servers (the connection test staff run) and reseller hostings (create, retry)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.services import diff, record, snapshot
from contracts.models import Contract, to_unicode
from contracts.models import Status as ProductStatus
from contracts.plesk_failures import describe_failure
from core.access import access_object, access_queryset, require_action, require_operator
from core.actor import Actor
from core.tenancy import ADD, CHANGE, DELETE, VIEW
from customers.models import EndCustomer, ProductRow
from customers.services import lock_end_customer
from hosting import provisioning
from hosting.messages import GENERATED_DOMAIN_SUFFIX, is_generated_name, note
from hosting.models import REASON_LENGTH, HostingServer, ProvisioningEvent, ResellerHosting, hosting_domain
from hosting.tasks import enqueue_provisioning
from plesk import errors
from products.models import ResellerProduct


@dataclass(frozen=True)
class ConnectionResult:
    ok: bool
    message: str


# Changing any of these gives credentials Plesk refused one more try (``credentials_refused_at``).
CONNECTION_FIELDS = frozenset({"host", "port", "login", "password", "secret_key"})


def save_server(actor: Actor, form) -> HostingServer:
    """Create or change a hosting server from a validated ``HostingServerForm`` (operator staff, API)."""
    require_operator(actor)
    server = form.save(commit=False)
    if CONNECTION_FIELDS & set(form.changed_data):
        server.credentials_refused_at = None
    with transaction.atomic():
        created = server.pk is None
        server.save()
        record(actor, AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE, server, account=None)
    return server


def delete_server(actor: Actor, server: HostingServer) -> None:
    """Delete a server no contract is bound to (the contracts protect it)."""
    require_operator(actor)
    with transaction.atomic():
        try:
            server.delete()
        except ProtectedError:
            raise ValidationError(_("Contracts are bound to this server. Bind them to another server first.")) from None
        record(actor, AuditEntry.Action.DELETE, server, account=None)


def test_connection(server: HostingServer) -> ConnectionResult:
    """Ask the server for its info; every failure kind gets a message staff can act on.

    Staff may test credentials Plesk refused before: one deliberate attempt,
    and a success clears the mark.
    """
    try:
        with server.client(deadline=20, retry_refused=True) as client:
            info = client.test_connection()
    except (errors.PleskError, ValidationError) as error:
        return ConnectionResult(False, describe_failure(error))
    if server.credentials_refused_at is not None:
        HostingServer.objects.filter(pk=server.pk).update(credentials_refused_at=None)
        server.credentials_refused_at = None
    message = _("Connected: %(name)s, Plesk %(version)s, protocol %(protocol)s.")
    return ConnectionResult(
        True,
        message % {"name": info.server_name, "version": info.plesk_version or "?", "protocol": info.protocol_version},
    )


# --- reseller hostings --------------------------------------------------------------------------------


def _domain(value: str) -> str:
    """``hosting_domain``, with an invalid name as an error of the ``domain`` field."""
    try:
        return hosting_domain(value)
    except ValidationError as error:
        raise ValidationError({"domain": error.error_list}) from error


def create_hosting(
    actor: Actor, *, end_customer: EndCustomer, product: ResellerProduct, domain: str = "", send_summary: bool = False
) -> ResellerHosting:
    """Create a reseller hosting for a customer and queue its provisioning (after the commit).

    The customer's row is locked first, like every assignment, so a concurrent
    deletion of the customer cannot slip through (REL-09).
    """
    require_action(actor, ResellerHosting, ADD)
    domain = _domain(domain)
    with transaction.atomic():
        try:
            customer = lock_end_customer(actor, end_customer.pk)
        except Http404 as error:
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
        provisioning.add_event(hosting.pk, ProvisioningEvent.Kind.QUEUED, note("queued"))
        changes = diff({}, snapshot(hosting, ["end_customer", "product", "contract", "domain", "send_summary"]))
        record(actor, AuditEntry.Action.CREATE, hosting, changes=changes, parent=customer)
        hosting_id = hosting.pk
        transaction.on_commit(lambda: enqueue_provisioning(hosting_id))
    return hosting


def retry_hosting(actor: Actor, hosting: ResellerHosting) -> ResellerHosting:
    """Queue a failed hosting again, or one waiting for its next automatic attempt at once.

    One conditional update decides between concurrent clicks (REL-07). A
    failed hosting starts counting attempts anew; a waiting one keeps its count.
    """
    require_action(actor, ResellerHosting, CHANGE)
    Status = ResellerHosting.Status
    now = timezone.now()
    hostings = ResellerHosting.objects.restrict(actor, CHANGE).filter(pk=hosting.pk)
    with transaction.atomic():
        was = Status.FAILED
        updated = hostings.filter(status=Status.FAILED).update(
            status=Status.PROVISIONING, attempts=0, next_attempt_at=None, claimed_until=None, failure={}
        )
        if not updated:
            was = Status.PROVISIONING
            updated = (
                hostings.filter(status=Status.PROVISIONING, next_attempt_at__gt=now)
                .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
                .update(next_attempt_at=None)
            )
        if not updated:
            raise ValidationError(_("Only a failed hosting can be retried; this one is running or done."))
        hosting = hostings.select_related("end_customer").get()
        provisioning.add_event(hosting.pk, ProvisioningEvent.Kind.QUEUED, note("queued_retry"))
        changes = {"status": [was.value, Status.PROVISIONING.value]}
        record(actor, AuditEntry.Action.UPDATE, hosting, changes=changes, parent=hosting.end_customer)
        hosting_id = hosting.pk
        transaction.on_commit(lambda: enqueue_provisioning(hosting_id))
    return hosting


def _stuck(hostings: QuerySet[ResellerHosting], now) -> QuerySet[ResellerHosting]:
    """Those failed, or waiting for their next attempt with no worker on them (``ResellerHosting.is_stuck``)."""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    waiting = Q(status=ResellerHosting.Status.PROVISIONING, next_attempt_at__gt=now) & free
    return hostings.filter(Q(status=ResellerHosting.Status.FAILED) | waiting)


def correct_hosting(
    actor: Actor, hosting: ResellerHosting, *, domain: str, product: ResellerProduct
) -> ResellerHosting:
    """Give a failed or waiting hosting another domain or product (of its contract) and queue it again at once.

    Like a retry it starts counting attempts anew; one conditional update decides between concurrent
    clicks and a worker (REL-07). The job looks its objects up by the same external ids, so what an earlier
    attempt created (the Plesk customer) is used, not created again.
    """
    require_action(actor, ResellerHosting, CHANGE)
    domain = _domain(domain)
    now = timezone.now()
    hostings = ResellerHosting.objects.restrict(actor, CHANGE).filter(pk=hosting.pk)
    fields = ["domain", "product", "status"]
    with transaction.atomic():
        current = _stuck(hostings, now).select_related("end_customer").first()
        if current is None:
            raise ValidationError(_("Only a failed hosting, or one waiting for its next attempt, can be corrected."))
        product = (
            ResellerProduct.objects.restrict(actor, VIEW)
            .filter(
                pk=product.pk,
                contract=current.contract_id,
                kind=ResellerProduct.Kind.RESELLER_HOSTING,
                status=ProductStatus.ACTIVE,
            )
            .first()
        )
        if product is None:
            raise ValidationError({"product": _("Choose an active reseller-hosting product of this contract.")})
        before = snapshot(current, fields)
        updated = _stuck(hostings.filter(status=current.status), now).update(
            domain=domain,
            product=product,
            status=ResellerHosting.Status.PROVISIONING,
            attempts=0,
            next_attempt_at=None,
            claimed_until=None,
            failure={},
        )
        if not updated:
            raise ValidationError(_("Only a failed hosting, or one waiting for its next attempt, can be corrected."))
        hosting = hostings.select_related("end_customer").get()
        provisioning.add_event(hosting.pk, ProvisioningEvent.Kind.QUEUED, note("queued_corrected"))
        changes = diff(before, snapshot(hosting, fields))
        record(actor, AuditEntry.Action.UPDATE, hosting, changes=changes, parent=hosting.end_customer)
        hosting_id = hosting.pk
        transaction.on_commit(lambda: enqueue_provisioning(hosting_id))
    return hosting


def _cancellable(hostings: QuerySet[ResellerHosting], now) -> QuerySet[ResellerHosting]:
    """Those stuck (``_stuck``), and hosting spaces still waiting for their domain."""
    return _stuck(hostings, now) | hostings.filter(status=ResellerHosting.Status.PREPARED)


def cancel_hosting(actor: Actor, hosting: ResellerHosting) -> ResellerHosting:
    """Cancel a failed or waiting hosting, or a hosting space without its domain yet: its job removes on Plesk
    what provisioning created (``_Removal`` in ``hosting.provisioning``), then it is *cancelled* and no longer
    ties its customer.

    One conditional update decides between concurrent clicks and a worker: a second cancel is refused while
    the first runs, and after it is done.
    """
    require_action(actor, ResellerHosting, CHANGE)
    Status = ResellerHosting.Status
    now = timezone.now()
    hostings = ResellerHosting.objects.restrict(actor, CHANGE).filter(pk=hosting.pk)
    with transaction.atomic():
        was = _cancellable(hostings, now).values_list("status", flat=True).first()
        updated = (
            _cancellable(hostings.filter(status=was), now).update(
                status=Status.CANCELLING, attempts=0, next_attempt_at=None, claimed_until=None, failure={}
            )
            if was
            else 0
        )
        if not updated:
            raise ValidationError(
                _(
                    "Only a failed hosting, one waiting for its next attempt or a hosting space without a domain "
                    "can be cancelled."
                )
            )
        hosting = hostings.select_related("end_customer").get()
        provisioning.add_event(hosting.pk, ProvisioningEvent.Kind.QUEUED, note("queued_cancel"))
        record(
            actor,
            AuditEntry.Action.UPDATE,
            hosting,
            changes={"status": [was, Status.CANCELLING.value]},
            parent=hosting.end_customer,
        )
        hosting_id = hosting.pk
        transaction.on_commit(lambda: enqueue_provisioning(hosting_id))
    return hosting


def add_hosting_domain(actor: Actor, hosting: ResellerHosting, *, domain: str) -> ResellerHosting:
    """Domain hinzufügen: a hosting space made without a domain gets one, and its job creates the subscription
    under the Plesk login it prepared (found again by its external id, not created twice).

    One conditional update from *prepared* decides between concurrent clicks.
    """
    require_action(actor, ResellerHosting, CHANGE)
    domain = _domain(domain)
    if not domain:
        raise ValidationError({"domain": _("Enter the domain of the hosting space.")})
    Status = ResellerHosting.Status
    hostings = ResellerHosting.objects.restrict(actor, CHANGE).filter(pk=hosting.pk)
    if hostings.filter(status=Status.ACTIVE, subscription_name__endswith="." + GENERATED_DOMAIN_SUFFIX).exists():
        # A subscription an earlier version created with a technical name: renamed to the domain by a job.
        return _start_lifecycle(
            actor,
            hosting,
            action=CHANGE,
            to=Status.ADDING_DOMAIN,
            event=note("queued_domain", name=domain),
            refusal=_("Only a hosting space without a domain can be given one."),
            only=Q(subscription_name__endswith="." + GENERATED_DOMAIN_SUFFIX),
            audited={"domain": ["", domain]},
            domain=domain,
        )
    with transaction.atomic():
        updated = hostings.filter(status=Status.PREPARED).update(
            domain=domain, status=Status.PROVISIONING, attempts=0, next_attempt_at=None, claimed_until=None, failure={}
        )
        if not updated:
            raise ValidationError(_("Only a hosting space without a domain can be given one."))
        hosting = hostings.select_related("end_customer").get()
        provisioning.add_event(hosting.pk, ProvisioningEvent.Kind.QUEUED, note("queued_domain", name=domain))
        changes = {"domain": ["", domain], "status": [Status.PREPARED.value, Status.PROVISIONING.value]}
        record(actor, AuditEntry.Action.UPDATE, hosting, changes=changes, parent=hosting.end_customer)
        hosting_id = hosting.pk
        transaction.on_commit(lambda: enqueue_provisioning(hosting_id))
    return hosting


def _start_lifecycle(
    actor: Actor,
    hosting: ResellerHosting,
    *,
    action: str,
    to: str,
    event,
    refusal: str,
    audited: dict | None = None,
    only: Q | None = None,
    **changes,
) -> ResellerHosting:
    """Queue a lifecycle job (``ResellerHosting.LIFECYCLE_JOBS``) for a hosting on the server.

    One conditional update from a status the action starts from decides between concurrent clicks, a worker
    and the server check: a second click while the job runs, or after it is done, is refused.
    """
    require_action(actor, ResellerHosting, action)
    Status = ResellerHosting.Status
    starts_from = {
        Status.SUSPENDING: [Status.ACTIVE],
        Status.UNSUSPENDING: [Status.SUSPENDED],
        Status.DELETING: list(ResellerHosting.DELETABLE_STATUSES),
        Status.CHANGING_PLAN: [Status.ACTIVE],
        Status.ADDING_DOMAIN: [Status.ACTIVE],
    }[to]
    hostings = ResellerHosting.objects.restrict(actor, action).filter(pk=hosting.pk, subscription_id__isnull=False)
    if only is not None:
        hostings = hostings.filter(only)
    with transaction.atomic():
        was = hostings.filter(status__in=starts_from).values_list("status", flat=True).first()
        updated = (
            hostings.filter(status=was).update(
                status=to,
                resume_status=was,
                attempts=0,
                next_attempt_at=None,
                claimed_until=None,
                failure={},
                **changes,
            )
            if was
            else 0
        )
        if not updated:
            raise ValidationError(refusal)
        hosting = hostings.select_related("end_customer").get()
        provisioning.add_event(hosting.pk, ProvisioningEvent.Kind.QUEUED, event)
        record(
            actor,
            AuditEntry.Action.DELETE if to == Status.DELETING else AuditEntry.Action.UPDATE,
            hosting,
            changes={"status": [was, to], **(audited or {name: ["", value] for name, value in changes.items()})},
            parent=hosting.end_customer,
        )
        hosting_id = hosting.pk
        transaction.on_commit(lambda: enqueue_provisioning(hosting_id))
    return hosting


def suspend_hosting(actor: Actor, hosting: ResellerHosting, *, reason: str) -> ResellerHosting:
    """Sperren: its job suspends the subscription and, unless the customer has other active subscriptions, the
    customer's Plesk login. The reason is for the reseller and stays with the hosting until it is unsuspended."""
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": _("Say why the hosting is suspended.")})
    if len(reason) > REASON_LENGTH:
        raise ValidationError({"reason": _("At most %(n)s characters.") % {"n": REASON_LENGTH}})
    return _start_lifecycle(
        actor,
        hosting,
        action=CHANGE,
        to=ResellerHosting.Status.SUSPENDING,
        event=note("queued_suspend", reason=reason),
        refusal=_("Only an active hosting can be suspended."),
        suspension_reason=reason,
    )


def unsuspend_hosting(actor: Actor, hosting: ResellerHosting) -> ResellerHosting:
    """Entsperren: its job makes the subscription and the customer's Plesk login active again."""
    return _start_lifecycle(
        actor,
        hosting,
        action=CHANGE,
        to=ResellerHosting.Status.UNSUSPENDING,
        event=note("queued_unsuspend"),
        refusal=_("Only a suspended hosting can be unsuspended."),
    )


def delete_hosting(actor: Actor, hosting: ResellerHosting) -> ResellerHosting:
    """Kündigen / Löschen: its job deletes the subscription with its data on the server and the customer's Plesk
    login where the portal created it and nothing else of the customer is left there (``_Deletion`` in
    ``hosting.provisioning``); then the hosting is *deleted* and no longer ties its customer."""
    return _start_lifecycle(
        actor,
        hosting,
        action=DELETE,
        to=ResellerHosting.Status.DELETING,
        event=note("queued_delete"),
        refusal=_("Only a hosting on the server that no job works on can be deleted."),
    )


def space_products(actor: Actor) -> QuerySet[ResellerProduct]:
    """What + Hosting-Bereich erstellen offers as plans: the active reseller-hosting products of the account's
    active contracts on a Plesk server."""
    require_action(actor, ResellerHosting, ADD)
    contracts = bound_contracts(actor).filter(status=ProductStatus.ACTIVE)
    return (
        ResellerProduct.objects.restrict(actor, VIEW)
        .filter(contract__in=contracts, kind=ResellerProduct.Kind.RESELLER_HOSTING, status=ProductStatus.ACTIVE)
        .select_related("contract")
        .order_by("contract__number", "plan_name", "name")
    )


def plan_change_products(actor: Actor, hosting: ResellerHosting) -> QuerySet[ResellerProduct]:
    """What Tarif wechseln offers: the other active reseller-hosting products of the hosting's contract."""
    return (
        ResellerProduct.objects.restrict(actor, VIEW)
        .filter(contract=hosting.contract_id, kind=ResellerProduct.Kind.RESELLER_HOSTING, status=ProductStatus.ACTIVE)
        .exclude(pk=hosting.product_id)
    )


def change_hosting_product(actor: Actor, hosting: ResellerHosting, product: ResellerProduct) -> ResellerHosting:
    """Tarif wechseln: its job moves the subscription to the plan of ``product`` (another active reseller-hosting
    product of the same contract); Plesk refuses a plan the current usage does not fit, and the hosting stays on
    its plan with the reason. The hosting's product changes when the server has moved it."""
    require_action(actor, ResellerHosting, CHANGE)
    product = plan_change_products(actor, hosting).filter(pk=product.pk).first()
    if product is None:
        raise ValidationError({"product": _("Choose another active reseller-hosting product of this contract.")})
    return _start_lifecycle(
        actor,
        hosting,
        action=CHANGE,
        to=ResellerHosting.Status.CHANGING_PLAN,
        event=note("queued_plan_change", product=product.name),
        refusal=_("Only an active hosting can be moved to another plan."),
        audited={"product": [hosting.product_id, product.pk]},
        target_product=product,
    )


def customer_product_rows(actor: Actor, customer: EndCustomer) -> list[ProductRow]:
    """The reseller hostings of ``customer``, as lines of its Products tab (cancelled ones are not its any more)."""
    hostings = (
        access_queryset(actor, ResellerHosting)
        .filter(end_customer=customer)
        .exclude(status__in=ResellerHosting.ENDED_STATUSES)
        .select_related("product", "contract")
    )
    return [
        ProductRow(
            kind=_("Reseller product"),
            name=hosting.product.name,
            number=hosting.contract.number,
            status=hosting.get_status_display(),
            active=hosting.status == ResellerHosting.Status.ACTIVE,
            url=hosting.get_absolute_url(),
        )
        for hosting in hostings.order_by("pk")
    ]


# --- subscriptions on the server (Abonnements) --------------------------------------------------------

# The portal's pages wait at most this long for the reseller's server.
UI_CLIENT_OPTIONS = {"connect_timeout": 5.0, "read_timeout": 10.0, "deadline": 15.0}


class ServerUnavailable(Exception):
    """The contract's Plesk server could not be asked; the message says why, in plain words."""


@dataclass(frozen=True)
class Subscription:
    """A subscription of the reseller on its server, and the hosting of this account linked to it (if any)."""

    id: int
    name: str
    host: str
    owner_id: int | None
    owner_login: str
    active: bool
    hosting: ResellerHosting | None = None

    @property
    def in_mkm(self) -> bool:
        return self.hosting is not None

    @property
    def domain_name(self) -> str:
        """Its name, unless it is the technical one of a subscription created without a domain."""
        return "" if is_generated_name(self.name) else self.name


def bound_contracts(actor: Actor) -> QuerySet[Contract]:
    """The account's contracts bound to a Plesk server with a reseller login: where hostings can live."""
    require_action(actor, ResellerHosting, VIEW)
    return (
        access_queryset(actor, Contract)
        .filter(hosting_server__isnull=False)
        .exclude(plesk_login="")
        .select_related("shop_product", "hosting_server")
    )


def hosts_hostings(actor: Actor, contract: Contract) -> bool:
    """Whether ``contract`` has the hosting tabs for the actor: bound to a server, in a partner account."""
    return bool(contract.hosting_server_id and contract.plesk_login) and actor.may(ResellerHosting, VIEW)


def _bound_contract(actor: Actor, contract: Contract) -> Contract:
    return access_object(actor, bound_contracts(actor), contract.pk)


def _read_subscriptions(contract, ids: list[int] | None = None) -> list[Subscription]:
    """Read the reseller's subscriptions with the reseller's own login: it sees only its own."""
    try:
        with contract.plesk_client(**UI_CLIENT_OPTIONS) as client:
            webspaces = client.get_webspaces(ids=ids) if ids else client.get_webspaces()
            owner_ids = sorted({w.owner_id for w in webspaces if w.owner_id})
            owners = {c.id: c.login for c in client.get_customers(ids=owner_ids)} if owner_ids else {}
    except errors.PleskNotFound:
        return []
    except (errors.PleskError, ValidationError) as error:
        raise ServerUnavailable(describe_failure(error)) from error
    host = contract.hosting_server.host
    return [
        Subscription(
            id=w.id,
            name=w.name,
            host=host,
            owner_id=w.owner_id,
            owner_login=owners.get(w.owner_id) or w.owner_login or "",
            active=w.active,
        )
        for w in webspaces
    ]


def list_subscriptions(actor: Actor, contract) -> list[Subscription]:
    """Every subscription of the contract's reseller on its server, marked with this account's hosting."""
    require_action(actor, ResellerHosting, VIEW)
    contract = _bound_contract(actor, contract)
    subscriptions = _read_subscriptions(contract)
    hostings = {
        h.subscription_id: h
        for h in ResellerHosting.objects.restrict(actor, VIEW)
        .filter(contract__hosting_server=contract.hosting_server_id, subscription_id__isnull=False)
        .select_related("end_customer")
    }
    return [
        Subscription(**{**s.__dict__, "hosting": hostings.get(s.id)})
        # As people read them: by the Unicode name, those without a domain last.
        for s in sorted(subscriptions, key=lambda s: (not s.domain_name, to_unicode(s.name)))
    ]


def get_subscription(actor: Actor, contract, subscription_id: int) -> Subscription | None:
    """One subscription of the reseller, read from the server by id; ``None`` when the reseller has none such."""
    require_action(actor, ResellerHosting, VIEW)
    contract = _bound_contract(actor, contract)
    found = [s for s in _read_subscriptions(contract, [subscription_id]) if s.id == subscription_id]
    return found[0] if found else None


def link_subscription(
    actor: Actor, contract, subscription_id: int, end_customer: EndCustomer, product: ResellerProduct
) -> ResellerHosting:
    """Record an existing subscription of the reseller as an MKM hosting; nothing changes on the server.

    The subscription is read again from the server with the reseller's own
    login, so an id of another reseller's subscription is refused; one that is
    already linked (in any account) is refused too.
    """
    require_action(actor, ResellerHosting, ADD)
    contract = _bound_contract(actor, contract)
    subscription = get_subscription(actor, contract, subscription_id)
    if subscription is None:
        raise ValidationError({"subscription_id": _("The server has no such subscription of yours.")})
    with transaction.atomic():
        # One link at a time per contract: the duplicate check below then holds.
        Contract.objects.restrict(actor).select_for_update().filter(pk=contract.pk).first()
        try:
            customer = lock_end_customer(actor, end_customer.pk)
        except Http404 as error:
            raise ValidationError({"end_customer": _("This customer does not exist (any more).")}) from error
        product = ResellerProduct.objects.restrict(actor, VIEW).filter(pk=product.pk, contract=contract).first()
        if product is None or product.kind != ResellerProduct.Kind.RESELLER_HOSTING:
            raise ValidationError({"product": _("Choose one of the reseller-hosting products of this contract.")})
        if product.status != ProductStatus.ACTIVE:
            raise ValidationError({"product": _("This product is inactive.")})
        # A subscription is linked once, in whichever account: this looks across all of them.
        taken = ResellerHosting.objects.filter(  # unrestricted: see above
            contract__hosting_server=contract.hosting_server_id, subscription_id=subscription.id
        ).exclude(status__in=[ResellerHosting.Status.FAILED, *ResellerHosting.ENDED_STATUSES])
        if taken.exists():
            raise ValidationError({"subscription_id": _("This subscription is already in the MKM.")})
        hosting = ResellerHosting.objects.create(
            account=actor.account,
            end_customer=customer,
            product=product,
            contract=contract,
            domain=subscription.name,
            status=ResellerHosting.Status.ACTIVE,
            linked=True,
            plesk_customer_id=subscription.owner_id,
            plesk_customer_login=subscription.owner_login,
            subscription_id=subscription.id,
            subscription_name=subscription.name,
        )
        provisioning.add_event(hosting.pk, ProvisioningEvent.Kind.SUCCEEDED, note("linked", name=subscription.name))
        changes = diff({}, snapshot(hosting, ["end_customer", "product", "contract", "subscription_id", "linked"]))
        record(actor, AuditEntry.Action.CREATE, hosting, changes=changes, parent=customer)
    return hosting
