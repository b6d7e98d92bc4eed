"""A reseller's own hosting plans (MKM → Hosting-Pläne): read live from Plesk, created, changed and deleted there.

Plesk holds the plans; the portal keeps a ``HostingPlan`` row for each plan it made or changed. Every change
goes the same way, with the safety of provisioning (``hosting.provisioning``):

1. **Check before sending.** The limits are checked against what is left of the reseller's package, read
   from Plesk with the server's admin login (``get_reseller_package``), so a plan that does not fit is a
   field error naming the limit and what is left, and nothing reaches Plesk.
2. **Mark, then call.** The row is written in a pending state (``creating``, ``changing``, ``deleting``) with
   a short claim and committed before Plesk is called; the database is never locked while Plesk is called.
3. **Outcome.** Plesk's answer settles the row. Plesk's refusal (package exceeded, 1024 or 1023, a name
   taken, …) is a field or form error and leaves nothing behind. An unknown outcome (timeout, dropped
   connection) is resolved by reading the plan from Plesk (by our external id, or its Plesk id), never by
   sending the change again: a plan whose ``add`` timed out but was created is adopted.
4. **Left pending.** When even that read fails, the row stays pending; once its claim has run out, the next
   look at the contract's plans (the list, or another change) settles it by what Plesk shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audit.display import Reading
from audit.models import AuditEntry
from audit.services import record
from contracts.models import Contract
from contracts.models import Status as ContractStatus
from contracts.plesk_failures import describe_failure
from core.access import access_object, access_queryset, require_account, require_action
from core.actor import Actor
from core.tenancy import ADD, CHANGE, DELETE, VIEW
from hosting.models import HostingPlan, ResellerHosting
from plesk import UNLIMITED, LimitName, ServicePlan, errors, limits
from products.models import ResellerProduct

T = TypeVar("T")

GIB = 1024**3
MIB = 1024**2

# The portal's pages wait at most this long for the reseller's server.
CLIENT_OPTIONS: dict[str, float] = {"connect_timeout": 5.0, "read_timeout": 10.0, "deadline": 15.0}
# How long a pending row belongs to the request that marked it: well past the client's deadline (three calls).
CLAIM = timedelta(seconds=90)
UNANSWERED = gettext_lazy(
    "The server did not answer in time. The portal checks on the next visit whether the change was made."
)
# Plesk's codes for a package that has no room (1024 in the sandbox; 1023 where Plesk names the limits).
LIMIT_CODES = frozenset({1023, 1024})


@dataclass(frozen=True)
class Limit:
    """One limit of the form and the API: its field, Plesk's name, the unit it is entered in."""

    field: str
    plesk: str
    label: Any  # a lazy translation
    unit: Any
    factor: int = 1

    @property
    def form_label(self) -> Any:
        """The label of the form's field, with its unit ("Disk space (GB)"); lazy, read in the reader's language."""
        return format_lazy("{} ({})", self.label, self.unit) if self.unit else self.label


LIMITS: tuple[Limit, ...] = (
    Limit("disk_space_gb", LimitName.DISK_SPACE, gettext_lazy("Disk space"), gettext_lazy("GB"), GIB),
    Limit("traffic_gb", LimitName.MAX_TRAFFIC, gettext_lazy("Traffic"), gettext_lazy("GB/month"), GIB),
    Limit("domains", LimitName.MAX_SITE, gettext_lazy("Domains"), ""),
    Limit("subdomains", LimitName.MAX_SUBDOM, gettext_lazy("Subdomains"), ""),
    Limit("domain_aliases", LimitName.MAX_DOM_ALIASES, gettext_lazy("Domain aliases"), ""),
    Limit("mailboxes", LimitName.MAX_BOX, gettext_lazy("Mailboxes"), ""),
    Limit("mailbox_size_mb", LimitName.MBOX_QUOTA, gettext_lazy("Mailbox size"), gettext_lazy("MB"), MIB),
    Limit("databases", LimitName.MAX_DB, gettext_lazy("Databases"), ""),
    Limit("ftp_users", LimitName.MAX_SUBFTP_USERS, gettext_lazy("FTP users"), ""),
)
BY_FIELD = {limit.field: limit for limit in LIMITS}
BY_PLESK = {limit.plesk: limit for limit in LIMITS}


def to_plesk(values: Mapping[str, int | None]) -> dict[str, int]:
    """Limits as entered (``None``: unlimited) → Plesk's names and units."""
    return {
        BY_FIELD[name].plesk: UNLIMITED if value is None else value * BY_FIELD[name].factor
        for name, value in values.items()
        if name in BY_FIELD
    }


def from_plesk(plesk_limits: Mapping[str, int]) -> dict[str, int | None]:
    """Plesk's limits → the form's fields and units (``None``: unlimited or not set); rounded down."""
    values: dict[str, int | None] = {}
    for limit in LIMITS:
        value = plesk_limits.get(limit.plesk, UNLIMITED)
        values[limit.field] = None if value == UNLIMITED else value // limit.factor
    return values


def read_limit(value: int | None) -> str:
    """A limit in the units entered, as the activity list reads it: "unlimited" for ``None``."""
    return _("unlimited") if value is None else number_format(value, use_l10n=True)


def audit_readings() -> dict[str, Reading]:
    """How the limits a plan's audit entries record read (``audit.display.register_readings``): with the form's
    labels and "unlimited", in the reader's language."""
    return {limit.field: Reading(limit.form_label, read_limit) for limit in LIMITS}


def describe_amount(limit: Limit, plesk_value: int) -> str:
    amount = plesk_value // limit.factor
    return f"{amount} {limit.unit}" if limit.unit else str(amount)


class ServerUnavailable(Exception):
    """The contract's Plesk server could not be asked; the message says why, in plain words."""


@dataclass(frozen=True)
class PlanRow:
    """A plan of the reseller on a contract's server, as the list shows it."""

    contract: Contract
    id: int
    guid: str
    name: str
    limits: dict[str, int]
    record: HostingPlan | None = None
    hostings: int = 0

    @property
    def created_in_portal(self) -> bool:
        return self.record is not None and self.record.created_in_portal

    @property
    def values(self) -> dict[str, int | None]:
        return from_plesk(self.limits)

    @property
    def sort_values(self) -> dict[str, float]:
        """The values to sort by: unlimited after every number."""
        return {name: float("inf") if value is None else value for name, value in self.values.items()}


@dataclass(frozen=True)
class ContractPlans:
    """A contract's plans, or why they could not be read."""

    contract: Contract
    plans: list[PlanRow] = field(default_factory=list)
    error: str = ""


def plan_contracts(actor: Actor) -> QuerySet[Contract]:
    """The account's active contracts bound to a Plesk server with a reseller login: where its plans live."""
    require_action(actor, HostingPlan, VIEW)
    return (
        access_queryset(actor, Contract)
        .filter(status=ContractStatus.ACTIVE, hosting_server__isnull=False)
        .exclude(plesk_login="")
        .select_related("shop_product", "hosting_server")
        .order_by("number")
    )


def _plesk(call: Callable[[], T]) -> T:
    """``call``, with any failure to ask the server as ``ServerUnavailable``."""
    try:
        return call()
    except (errors.PleskError, ValidationError) as error:
        raise ServerUnavailable(describe_failure(error)) from error


def read_plans(contract: Contract) -> list[ServicePlan]:
    """The reseller's own plans, read with its own login (it sees no other reseller's)."""

    def read() -> list[ServicePlan]:
        with contract.plesk_client(**CLIENT_OPTIONS) as client:
            return client.get_service_plans()

    return sorted(_plesk(read), key=lambda plan: plan.name.casefold())


def read_package(contract: Contract):
    """What the reseller's package on the contract's server holds and has left (the server's admin login)."""

    def read():
        with contract.hosting_server.client(**CLIENT_OPTIONS) as client:
            return client.get_reseller_package(contract.plesk_login)

    return _plesk(read)


def _hosting_counts(actor: Actor, contracts: Iterable[Contract]) -> dict[tuple[int, str], int]:
    """How many hostings (not cancelled or deleted) use each plan, through their products: keyed by contract and the
    product's plan GUID, or ``name:<casefolded name>`` for a product that names its plan only. One query."""
    rows = (
        access_queryset(actor, ResellerHosting)
        .filter(contract__in=[contract.pk for contract in contracts])
        .exclude(status__in=ResellerHosting.ENDED_STATUSES)
        .values_list("contract", "product__plan_guid", "product__plan_name")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for contract_id, guid, name, n in rows:
        counts[(contract_id, guid or f"name:{name.casefold()}")] += n
    return counts


def _count_for(counts: Mapping[tuple[int, str], int], contract: Contract, plan: ServicePlan) -> int:
    return counts.get((contract.pk, plan.guid), 0) + counts.get((contract.pk, f"name:{plan.name.casefold()}"), 0)


def hostings_on(actor: Actor, contract: Contract, plan: ServicePlan) -> int:
    """How many of the account's hostings use ``plan`` (not cancelled)."""
    return _count_for(_hosting_counts(actor, [contract]), contract, plan)


def _settle(read: Mapping[int, list[ServicePlan]]) -> None:
    """Rows left pending past their claim take what Plesk shows (step 4 of the module); ``read`` maps contract
    ids to the plans just read from their servers. One query for all of them."""
    now = timezone.now()
    pending = HostingPlan.objects.filter(  # unrestricted: the contracts were reached through the actor's restriction
        contract__in=list(read), claimed_until__lt=now
    ).exclude(state=HostingPlan.State.READY)
    for row in pending:
        plans = read[row.contract_id]
        if row.state == HostingPlan.State.CREATING:
            found = next((plan for plan in plans if row.external_id and plan.external_id == row.external_id), None)
        else:
            found = next((plan for plan in plans if plan.id == row.plesk_id), None)
        _conclude(row, found)


def _conclude(row: HostingPlan, found: ServicePlan | None) -> None:
    """Settle a pending row by what Plesk shows; audited as the system's (nobody is waiting for it)."""
    with transaction.atomic():
        if found is None:
            if row.state != HostingPlan.State.CREATING:
                record(None, AuditEntry.Action.DELETE, row, account=row.account, parent=row.contract)
            row.delete()
            return
        created = row.state == HostingPlan.State.CREATING
        # A deletion Plesk did not carry out leaves the plan as it was: nothing to record.
        before = {} if created else {"name": row.name, **from_plesk(row.limits)}
        _adopt(row, found)
        changes = _changes(before, row, created=created)
        if changes:
            action = AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE
            record(None, action, row, account=row.account, changes=changes, parent=row.contract)


def _adopt(row: HostingPlan, plan: ServicePlan) -> None:
    row.plesk_id = plan.id
    row.plesk_guid = plan.guid
    row.name = plan.name
    row.limits = dict(plan.limits)
    row.state = HostingPlan.State.READY
    row.claimed_until = None
    row.save()


def list_plans(actor: Actor, contracts: Iterable[Contract] | None = None) -> list[ContractPlans]:
    """The plans of each of the account's plan contracts, read live (one call per contract); a server that
    cannot be asked is that contract's ``error``, the others still show."""
    chosen = list(plan_contracts(actor) if contracts is None else contracts)
    counts = _hosting_counts(actor, chosen)
    read: dict[int, list[ServicePlan]] = {}
    result = []
    for contract in chosen:
        try:
            read[contract.pk] = read_plans(contract)
        except ServerUnavailable as error:
            result.append(ContractPlans(contract, error=str(error)))
    _settle(read)
    records = {
        (row.contract_id, row.plesk_id): row
        for row in access_queryset(actor, HostingPlan).filter(contract__in=list(read), plesk_id__isnull=False)
    }
    for contract in chosen:
        if contract.pk not in read:
            continue
        rows = [
            PlanRow(
                contract=contract,
                id=plan.id,
                guid=plan.guid,
                name=plan.name,
                limits=dict(plan.limits),
                record=records.get((contract.pk, plan.id)),
                hostings=_count_for(counts, contract, plan),
            )
            for plan in read[contract.pk]
        ]
        result.append(ContractPlans(contract, rows))
    return sorted(result, key=lambda entry: entry.contract.number)


def get_plan(actor: Actor, contract: Contract, plan_id: int) -> PlanRow:
    """One plan of the reseller on ``contract``'s server (404 when the reseller has none such)."""
    require_action(actor, HostingPlan, VIEW)
    contract = access_object(actor, plan_contracts(actor), contract.pk)
    plans = read_plans(contract)
    _settle({contract.pk: plans})
    plan = next((plan for plan in plans if plan.id == plan_id), None)
    if plan is None:
        raise Http404
    row = access_queryset(actor, HostingPlan).filter(contract=contract, plesk_id=plan.id).first()
    return PlanRow(contract, plan.id, plan.guid, plan.name, dict(plan.limits), row, hostings_on(actor, contract, plan))


# --- checks before sending ------------------------------------------------------------------------------


def _limit_errors(too_big: Mapping[str, int]) -> dict[str, str]:
    message = _("%(limit)s: at most %(amount)s free in the package")
    return {
        BY_PLESK[name].field: message % {"limit": BY_PLESK[name].label, "amount": describe_amount(BY_PLESK[name], left)}
        for name, left in too_big.items()
        if name in BY_PLESK
    }


def _check_package(contract: Contract, requested: Mapping[str, int], plan: ServicePlan | None = None) -> None:
    """Refuse limits that do not fit into what is left of the package, before anything is sent.

    A new plan must fit once; a changed one once per subscription on it, beside the other subscriptions
    (those on the plan give back what they hold now). Only the limits sent are checked, as Plesk does.
    """
    if not requested:
        return
    package = read_package(contract)
    if package.oversell:
        return
    if plan is None:
        available, count = package.remaining, 1
    else:
        others = [w for w in package.subscriptions if w.plan_guid != plan.guid]
        on_plan = len(package.subscriptions) - len(others)
        available, count = limits.remaining(package.limits, limits.allocated(w.limits for w in others)), on_plan
    too_big = _limit_errors(limits.exceeding(requested, available, count=count))
    if too_big:
        raise ValidationError(too_big)


def _refusal(error: errors.PleskError) -> ValidationError:
    """Plesk's refusal as the form's errors: the limits it names on their fields, a taken name on the name."""
    if isinstance(error, errors.PleskAPIError) and error.errcode in LIMIT_CODES:
        message = _("%(limit)s: Plesk refused it, the package has no room for it.")
        named = {
            limit.field: message % {"limit": limit.label} for limit in LIMITS if limit.plesk in (error.errtext or "")
        }
        if named:
            return ValidationError(named)
    if isinstance(error, errors.PleskAlreadyExists):
        return ValidationError({"name": _("A plan with this name already exists on this server.")})
    return ValidationError(describe_failure(error))


def _claim(row: HostingPlan, state: str) -> None:
    """Mark ``row`` pending, committed before Plesk is called: one conditional update decides between two
    concurrent changes of the same plan."""
    now = timezone.now()
    # unrestricted: the service's own row, reached through the actor's restriction
    rows = HostingPlan.objects.filter(pk=row.pk, state=HostingPlan.State.READY)
    updated = rows.update(state=state, claimed_until=now + CLAIM)
    if not updated:
        raise ValidationError(_("Another change of this plan is still running. Try again in a minute."))
    row.state = state
    row.claimed_until = now + CLAIM


def _record_for(actor: Actor, contract: Contract, plan: ServicePlan) -> HostingPlan:
    """The portal's row of a plan, written the first time the portal touches a plan made on Plesk."""
    row, _created = HostingPlan.objects.get_or_create(  # unrestricted: contract reached through the actor
        contract=contract,
        plesk_id=plan.id,
        defaults={
            "account": require_account(actor),
            "name": plan.name,
            "plesk_guid": plan.guid,
            "external_id": plan.external_id or "",
            "limits": dict(plan.limits),
        },
    )
    return row


def _plan_named(plans: Iterable[ServicePlan], name: str, *, other_than: int | None = None) -> bool:
    return any(plan.name.casefold() == name.casefold() and plan.id != other_than for plan in plans)


def _changed_limits(values: Mapping[str, int | None], current: Mapping[str, int]) -> dict[str, int]:
    """The limits whose entered value differs from the plan's, compared in the units entered: a plan made on
    Plesk with 5.5 GB keeps them when only its name changes."""
    shown = from_plesk(current)
    return to_plesk({name: value for name, value in values.items() if name in BY_FIELD and shown[name] != value})


# --- changes ----------------------------------------------------------------------------------------------


def create_plan(actor: Actor, contract: Contract, *, name: str, values: Mapping[str, int | None]) -> HostingPlan:
    """Create a plan on the contract's server, owned by the reseller (see the module for the steps)."""
    require_action(actor, HostingPlan, ADD)
    contract = access_object(actor, plan_contracts(actor), contract.pk)
    name = name.strip()
    plans = read_plans(contract)
    _settle({contract.pk: plans})
    if _plan_named(plans, name):
        raise ValidationError({"name": _("A plan with this name already exists on this server.")})
    requested = to_plesk(values)
    _check_package(contract, requested)
    row = HostingPlan.objects.create(
        account=require_account(actor),
        contract=contract,
        name=name,
        limits=requested,
        created_in_portal=True,
        created_by=actor.user,
        state=HostingPlan.State.CREATING,
        claimed_until=timezone.now() + CLAIM,
    )
    row.external_id = f"pp-plan-{row.pk}"
    row.save(update_fields=["external_id"])
    try:
        with contract.plesk_client(**CLIENT_OPTIONS) as client:
            # An unknown outcome is settled by the read that follows, never by a second ``add``.
            with suppress(errors.PleskOutcomeUnknown):
                client.add_service_plan(name, limits=requested, external_id=row.external_id)
            found = client.get_service_plans(external_ids=[row.external_id])
    except errors.PleskOutcomeUnknown as error:
        # Not even the read answered: the row stays pending and the next look settles it (step 4).
        raise ValidationError(UNANSWERED) from error
    except errors.PleskError as error:
        row.delete()
        raise _refusal(error) from error
    except ValidationError:
        row.delete()
        raise
    if not found:
        row.delete()
        raise ValidationError(_("The server did not create the plan. Nothing was changed; try again."))
    with transaction.atomic():
        _adopt(row, found[0])
        record(actor, AuditEntry.Action.CREATE, row, changes=_changes({}, row, created=True), parent=contract)
    return row


def _changes(before: Mapping[str, Any], row: HostingPlan, *, created: bool = False) -> dict[str, list[Any]]:
    """What changed, in the units entered (``None``: unlimited); for a new plan every limit, unlimited ones too."""
    after = {"name": row.name, **from_plesk(row.limits)}
    return {key: [before.get(key), value] for key, value in after.items() if created or before.get(key) != value}


def update_plan(
    actor: Actor, contract: Contract, plan_id: int, *, name: str, values: Mapping[str, int | None]
) -> HostingPlan:
    """Change a plan's name and limits; Plesk applies them to the subscriptions on it."""
    require_action(actor, HostingPlan, CHANGE)
    contract = access_object(actor, plan_contracts(actor), contract.pk)
    name = name.strip()
    plans = read_plans(contract)
    _settle({contract.pk: plans})
    plan = next((plan for plan in plans if plan.id == plan_id), None)
    if plan is None:
        raise Http404
    if _plan_named(plans, name, other_than=plan.id):
        raise ValidationError({"name": _("A plan with this name already exists on this server.")})
    changed = _changed_limits(values, plan.limits)
    new_name = name if name != plan.name else None
    _check_package(contract, changed, plan)
    row = _record_for(actor, contract, plan)
    before = {"name": plan.name, **from_plesk(plan.limits)}
    if not changed and new_name is None:
        return row
    _claim(row, HostingPlan.State.CHANGING)
    try:
        with contract.plesk_client(**CLIENT_OPTIONS) as client:
            with suppress(errors.PleskOutcomeUnknown):
                client.set_service_plan(id=plan.id, limits=changed or None, new_name=new_name)
            current = client.get_service_plan(id=plan.id)
    except errors.PleskOutcomeUnknown as error:
        raise ValidationError(UNANSWERED) from error
    except errors.PleskError as error:
        _release(row)
        raise _refusal(error) from error
    except ValidationError:
        _release(row)
        raise
    applied = current.name == name and all(current.limits.get(k, UNLIMITED) == v for k, v in changed.items())
    with transaction.atomic():
        _adopt(row, current)
        if applied:
            record(actor, AuditEntry.Action.UPDATE, row, changes=_changes(before, row), parent=contract)
    if not applied:
        raise ValidationError(_("The server did not change the plan. Nothing was changed; try again."))
    return row


def _release(row: HostingPlan) -> None:
    rows = HostingPlan.objects.filter(pk=row.pk)  # unrestricted: the service's own row (see ``_claim``)
    rows.update(state=HostingPlan.State.READY, claimed_until=None)
    row.state = HostingPlan.State.READY


def in_use_message(count: int) -> str:
    return ngettext(
        "This plan is used by %(count)d hosting and cannot be deleted.",
        "This plan is used by %(count)d hostings and cannot be deleted.",
        count,
    ) % {"count": count}


def sold_message(count: int) -> str:
    return ngettext(
        "This plan is sold by %(count)d active reseller product and cannot be deleted. Deactivate or delete the "
        "product first.",
        "This plan is sold by %(count)d active reseller products and cannot be deleted. Deactivate or delete the "
        "products first.",
        count,
    ) % {"count": count}


def products_on(actor: Actor, contract: Contract, plan: ServicePlan | PlanRow) -> int:
    """How many of the account's active reseller products on ``contract`` sell ``plan``: by the plan's GUID, or
    by its name for a product that names its plan only (as ``_hosting_counts`` matches). An inactive product
    sells nothing; one that was ever used cannot be deleted (its hostings keep it), so it does not count."""
    rows = (
        access_queryset(actor, ResellerProduct)
        .filter(kind=ResellerProduct.Kind.RESELLER_HOSTING, contract=contract, status=ContractStatus.ACTIVE)
        .values_list("plan_guid", "plan_name")
    )
    keys = (guid or f"name:{name.casefold()}" for guid, name in rows)
    return sum(1 for key in keys if key in (plan.guid, f"name:{plan.name.casefold()}"))


def deletion_refusals(actor: Actor, contract: Contract, plan: ServicePlan | PlanRow, hostings: int) -> list[str]:
    """Why ``plan`` cannot be deleted: hostings on it (``hostings``), reseller products that sell it; empty
    when it can."""
    refusals = [in_use_message(hostings)] if hostings else []
    sold = products_on(actor, contract, plan)
    if sold:
        refusals.append(sold_message(sold))
    return refusals


def delete_plan(actor: Actor, contract: Contract, plan_id: int) -> None:
    """Delete a plan no hosting of the account uses and no reseller product sells (Plesk refuses one with
    subscriptions, too)."""
    require_action(actor, HostingPlan, DELETE)
    contract = access_object(actor, plan_contracts(actor), contract.pk)
    plans = read_plans(contract)
    _settle({contract.pk: plans})
    plan = next((plan for plan in plans if plan.id == plan_id), None)
    if plan is None:
        raise Http404
    refusals = deletion_refusals(actor, contract, plan, hostings_on(actor, contract, plan))
    if refusals:
        raise ValidationError(refusals)
    row = _record_for(actor, contract, plan)
    _claim(row, HostingPlan.State.DELETING)
    try:
        with contract.plesk_client(**CLIENT_OPTIONS) as client:
            with suppress(errors.PleskOutcomeUnknown, errors.PleskNotFound):
                client.delete_service_plan(id=plan.id)
            left = client.get_service_plans(ids=[plan.id])
    except errors.PleskOutcomeUnknown as error:
        raise ValidationError(UNANSWERED) from error
    except errors.PleskError as error:
        _release(row)
        raise _refusal(error) from error
    except ValidationError:
        _release(row)
        raise
    if left:
        _release(row)
        raise ValidationError(_("The server did not delete the plan; try again."))
    with transaction.atomic():
        record(actor, AuditEntry.Action.DELETE, row, parent=contract)
        row.delete()
