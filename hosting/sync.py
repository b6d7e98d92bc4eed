"""The server check: compare the portal's hostings with their subscriptions on the Plesk server (drift).

Someone may delete, suspend, re-plan, rename or move a subscription in Plesk
itself. ``check_contract`` reads the subscriptions of one reseller contract's
hostings with the reseller's own login and marks what differs: a deleted
subscription as *missing*, a suspended one as *suspended* (and *active* again
when it is back), and other changes as notes in ``drift_notes``. Nothing on the
server is changed, and nothing the portal knows is overwritten: the hosting
keeps what was set up, and the note says how the server differs.

``manage.py sync_hostings`` enqueues one check per contract; run it every
hour or so (cron, systemd timer). Each check costs one ``webspace get`` per
200 hostings, plus one ``service-plan get`` when a plan differs, plus one read of the reseller's package.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from contracts.models import Contract
from contracts.plesk_failures import describe_failure
from hosting import usage
from hosting.messages import Message, note
from hosting.models import ProvisioningEvent, ResellerHosting
from hosting.provisioning import add_event
from plesk import errors

logger = logging.getLogger(__name__)

Status = ResellerHosting.Status
# Ids per ``webspace get``: one filter value per subscription, one result each.
CHUNK = 200
CLIENT_OPTIONS = {"connect_timeout": 10.0, "read_timeout": 30.0, "deadline": 60.0, "reuse_connections": True}


@dataclass
class CheckResult:
    contract_id: int
    checked: int = 0
    changed: list[int] = field(default_factory=list)
    error: str = ""


def contracts_to_check():
    """Contracts bound to a server with at least one hosting that exists (or existed) there."""
    return (
        Contract.objects.filter(  # unrestricted: the server check runs for the system, over every account
            hosting_server__isnull=False,
            plesk_login_refused_at__isnull=True,
            hostings__status__in=ResellerHosting.ON_SERVER_STATUSES,
        )
        .exclude(plesk_login="")
        .distinct()
        .order_by("pk")
    )


def compare(hosting: ResellerHosting, webspace, plan_names: dict[str, str]) -> tuple[str, list[Message]]:
    """The status and the drift notes the hosting should have, given its subscription on the server."""
    if webspace is None:
        return Status.MISSING, [note("missing")]
    notes = []
    if webspace.name != hosting.subscription_name:
        notes.append(note("renamed", name=webspace.name))
    if hosting.plesk_customer_id and webspace.owner_id and webspace.owner_id != hosting.plesk_customer_id:
        notes.append(note("moved"))
    product = hosting.product
    if webspace.plan_guid and (product.plan_guid or product.plan_name):
        differs = (
            webspace.plan_guid != product.plan_guid
            if product.plan_guid
            else plan_names.get(webspace.plan_guid) != product.plan_name
        )
        if differs:
            plan = plan_names.get(webspace.plan_guid) or webspace.plan_guid
            notes.append(note("plan_differs", plan=plan, expected=product.plan_name or product.plan_guid))
    if not webspace.active:
        if not hosting.suspension_reason:
            # Suspended behind the portal's back; one the reseller suspended in the portal says why itself.
            notes.insert(0, note("suspended"))
        return Status.SUSPENDED, notes
    return Status.ACTIVE, notes


def _read(contract: Contract, hostings: list[ResellerHosting]):
    """The hostings' subscriptions by id, and the names of their plans when a plan has to be told by name."""
    subscription_ids = sorted({h.subscription_id for h in hostings})
    with contract.plesk_client(**CLIENT_OPTIONS) as client:
        webspaces = []
        for start in range(0, len(subscription_ids), CHUNK):
            try:
                webspaces += client.get_webspaces(
                    ids=subscription_ids[start : start + CHUNK], hosting=False, limits=True, usage=True
                )
            except errors.PleskNotFound:
                continue
        by_id = {w.id: w for w in webspaces}
        named = [
            by_id[h.subscription_id]
            for h in hostings
            if h.subscription_id in by_id
            and by_id[h.subscription_id].plan_guid
            and by_id[h.subscription_id].plan_guid != h.product.plan_guid
        ]
        plan_names = {w.plan_guid: w.plan_name for w in client.with_plan_names(named) if w.plan_name} if named else {}
    return by_id, plan_names


def check_contract(contract_id: int) -> CheckResult:
    """Compare every hosting of the contract that is (or was) on the server with its subscription."""
    result = CheckResult(contract_id)
    contract = Contract.objects.select_related("hosting_server").filter(pk=contract_id).first()  # unrestricted: system
    if contract is None or contract.hosting_server is None:
        return result
    hostings = list(
        ResellerHosting.objects.filter(  # unrestricted: the contract's hostings, for the system
            contract=contract, status__in=ResellerHosting.ON_SERVER_STATUSES, subscription_id__isnull=False
        )
        .select_related("product")
        .order_by("pk")
    )
    if not hostings:
        return result
    try:
        by_id, plan_names = _read(contract, hostings)
    except (errors.PleskError, ValidationError) as error:
        # Nothing can be told about the hostings; they keep what they had.
        result.error = describe_failure(error)
        logger.warning("server check of contract %s failed: %s", contract_id, result.error)
        return result
    now = timezone.now()
    for hosting in hostings:
        status, drift = compare(hosting, by_id.get(hosting.subscription_id), plan_names)
        with transaction.atomic():
            # The hosting may have changed meanwhile (a retry, another check): only a row still as read is updated.
            as_read = ResellerHosting.objects.filter(  # unrestricted: the hosting read above
                pk=hosting.pk, status=hosting.status, checked_at=hosting.checked_at
            )
            updated = as_read.update(status=status, drift_notes=drift, checked_at=now)
            if updated and (status, drift) != (hosting.status, hosting.drift_notes):
                add_event(hosting.pk, ProvisioningEvent.Kind.SERVER_CHECK, _describe(hosting.status, status, drift))
                result.changed.append(hosting.pk)
        result.checked += 1
    usage.store_hostings(hostings, by_id, now)
    usage.read_package(contract, now)
    return result


def _describe(before: str, after: str, drift: list[Message]) -> Message:
    """The timeline's row for a change the check found."""
    if after == Status.ACTIVE and not drift:
        return note("notes", notes=[note("matches_again")])
    if before != after and after == Status.ACTIVE:
        return note("notes", notes=[note("active_again"), *drift])
    return note("notes", notes=drift)


def enqueue_checks() -> list[int]:
    """Enqueue one server check per contract that has hostings on a server."""
    from hosting.tasks import check_hostings_on_server

    ids = list(contracts_to_check().values_list("pk", flat=True))
    for contract_id in ids:
        check_hostings_on_server.enqueue(contract_id)
    return ids
