"""Assigning provider contracts and domains to end customers ("Kunde zuordnen").

Lock order, always: the end customer's row first (``lock_end_customer``),
then the contract rows in primary-key order. The deletion guard locks the
same customer row before it counts what is assigned, so an assignment and the
deletion of that customer serialise and neither slips past the other.

Removing an assignment only clears the link: the contract stays as it is.
Every change is audited with the end customer as parent, so it shows in the
customer's activity tab; a move from one customer to another is recorded for
both of them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from audit.models import AuditEntry
from audit.services import record
from contracts.models import ASSIGN, OPEN_PLESK, AssignableContract, Contract, Domain
from contracts.plesk_failures import describe_failure
from core.access import access_object, access_queryset, require_action
from core.actor import Actor
from core.tenancy import CHANGE, VIEW
from customers.models import EndCustomer
from customers.services import lock_end_customer
from plesk.errors import PleskError


def may_assign(actor: Actor) -> bool:
    """Assigning needs the assign right on contracts and end customers to assign to (a reseller account)."""
    return actor.may(Contract, ASSIGN) and actor.may(EndCustomer, CHANGE)


def _pks(items: Iterable) -> list[int]:
    return [item.pk if hasattr(item, "pk") else int(item) for item in items]


def _assign(
    actor: Actor,
    model: type[AssignableContract],
    items: Iterable,
    end_customer: EndCustomer | None,
    *,
    strict: bool = False,
) -> int:
    """Point every visible item of ``items`` at ``end_customer`` (None: no customer); returns how many changed.

    A customer outside the actor's account is a 404 before anything is
    written. Items outside it are skipped as if they did not exist, or, with
    ``strict``, are a 404 and nothing changes.
    """
    require_action(actor, model, ASSIGN)
    pks = _pks(items)
    with transaction.atomic():
        customer = lock_end_customer(actor, end_customer.pk) if end_customer is not None else None
        rows = access_queryset(actor, model, ASSIGN).select_related(*model.display_related)
        locked = list(rows.select_for_update(of=("self",)).filter(pk__in=pks).order_by("pk"))
        if strict and len(locked) != len(set(pks)):
            raise Http404
        previous_ids = {item.end_customer_id for item in locked} - {None}
        previous = EndCustomer.objects.restrict(actor, VIEW).in_bulk(previous_ids)
        changed = 0
        for item in locked:
            if item.end_customer_id == (customer.pk if customer else None):
                continue
            old = previous.get(item.end_customer_id)
            item.end_customer = customer
            item.save(update_fields=["end_customer"])
            changes = {"end_customer": [str(old) if old else None, str(customer) if customer else None]}
            # Both customers' activity tabs show a move.
            for parent in (old, customer):
                if parent is not None:
                    record(actor, AuditEntry.Action.UPDATE, item, changes=changes, parent=parent)
            changed += 1
    return changed


def assign_contract(actor: Actor, contract: Contract, end_customer: EndCustomer | None) -> Contract:
    """Assign ``contract`` to ``end_customer``, or to no customer with None."""
    _assign(actor, Contract, [contract], end_customer, strict=True)
    contract.refresh_from_db(fields=["end_customer"])
    return contract


def unassign_contract(actor: Actor, contract: Contract) -> Contract:
    """Remove the assignment; the contract itself is neither cancelled nor deleted."""
    return assign_contract(actor, contract, None)


def assign_contracts(actor: Actor, contracts: Iterable, end_customer: EndCustomer | None) -> int:
    """Bulk assignment (or removal, with None) in one transaction; returns the number changed."""
    return _assign(actor, Contract, contracts, end_customer)


def assign_domain(actor: Actor, domain: Domain, end_customer: EndCustomer | None) -> Domain:
    _assign(actor, Domain, [domain], end_customer, strict=True)
    domain.refresh_from_db(fields=["end_customer"])
    return domain


def unassign_domain(actor: Actor, domain: Domain) -> Domain:
    return assign_domain(actor, domain, None)


def assign_domains(actor: Actor, domains: Iterable, end_customer: EndCustomer | None) -> int:
    return _assign(actor, Domain, domains, end_customer)


ASSIGNERS = {Contract: assign_contract, Domain: assign_domain}
BULK_ASSIGNERS = {Contract: assign_contracts, Domain: assign_domains}


class PleskUnavailable(Exception):
    """Plesk could not open a session; the message says why in plain words."""


def open_plesk(actor: Actor, contract: Contract) -> str:
    """A one-time login URL into Plesk as the contract's reseller login (the server's admin creates the session)."""
    contract = access_object(
        actor,
        Contract.objects.filter(hosting_server__isnull=False).select_related("hosting_server"),
        contract.pk,
        OPEN_PLESK,
    )
    try:
        with contract.hosting_server.client(deadline=15) as client:
            session = client.create_session(contract.plesk_login, actor.ip or "127.0.0.1")
    except (PleskError, ValidationError) as error:
        raise PleskUnavailable(describe_failure(error)) from error
    with transaction.atomic():
        record(actor, AuditEntry.Action.LOGIN, contract, object_repr=f"Plesk {contract.plesk_login} ({contract})")
    return session.login_url
