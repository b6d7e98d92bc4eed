"""A reseller's package in the sandbox: what its subscriptions were given, and the refusals when a plan,
subscription or customer does not fit into what is left (Plesk's "oversell" switched off).

Amounts (disk space, traffic, counts of domains, mailboxes, ...) add up over the reseller's
subscriptions; ``mbox_quota`` only has to fit on its own; ``max_webspaces`` counts subscriptions and
``max_cl`` customers. Limits a plan does not name are not counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .common import LIMIT_REACHED, USAGE_EXCEEDS_PLAN, OperationError
from .state import Account, SandboxState, Webspace

UNLIMITED = -1
ADDITIVE = frozenset(
    {
        "disk_space",
        "max_traffic",
        "max_site",
        "max_subdom",
        "max_dom_aliases",
        "max_box",
        "max_db",
        "max_subftp_users",
        "max_wu",
        "max_maillists",
        "max_webapps",
    }
)
PER_ITEM = frozenset({"mbox_quota"})


def effective_limits(state: SandboxState, webspace: Webspace) -> dict[str, int]:
    """The subscription's limits: its plan's, overridden by its own."""
    plan = state.plan_by_guid(webspace.plan_guid) if webspace.plan_guid else None
    return {**(plan.limits if plan else {}), **webspace.limits}


def vendor_webspaces(state: SandboxState, vendor: Account) -> list[Webspace]:
    """The subscriptions ``vendor`` sells (its customers' and its own)."""
    return [w for w in state.webspaces if w.vendor_id == vendor.id]


def bounded(vendor: Account) -> bool:
    """Whether Plesk holds ``vendor`` to its package: a reseller that may not oversell."""
    return vendor.type == "reseller" and not vendor.permissions.get("allow_oversell", False)


def _given(state: SandboxState, webspaces: Iterable[Webspace], name: str) -> int:
    total = 0
    for webspace in webspaces:
        value = effective_limits(state, webspace).get(name, 0)
        if value == UNLIMITED:
            return UNLIMITED
        total += value
    return total


def check_fits(
    state: SandboxState,
    vendor: Account,
    requested: Mapping[str, int],
    *,
    count: int = 1,
    others: Iterable[Webspace],
) -> None:
    """Refuse (1024) when ``requested`` limits, taken ``count`` times, do not fit into the package of
    ``vendor`` beside the subscriptions ``others``."""
    if not bounded(vendor):
        return
    others = list(others)
    too_big: list[str] = []
    for name, value in requested.items():
        bound = vendor.limits.get(name)
        if bound is None or bound == UNLIMITED:
            continue
        if name in PER_ITEM:
            if value == UNLIMITED or value > bound:
                too_big.append(f"{name} (available: {bound})")
        elif name in ADDITIVE:
            given = _given(state, others, name)
            available = 0 if given == UNLIMITED else max(bound - given, 0)
            if value == UNLIMITED or value * max(count, 1) > available:
                too_big.append(f"{name} (available: {available})")
    if too_big:
        raise limit_reached(vendor, too_big)


def check_room(vendor: Account, name: str, in_use: int) -> None:
    """Refuse (1024) one more subscription (``max_webspaces``) or customer (``max_cl``) beyond the package."""
    bound = vendor.limits.get(name, UNLIMITED)
    if vendor.type == "reseller" and bound != UNLIMITED and in_use + 1 > bound:
        raise limit_reached(vendor, [f"{name} (available: {max(bound - in_use, 0)})"])


def limit_reached(vendor: Account, names: list[str]) -> OperationError:
    """The refusal for a package that has no room left."""
    return OperationError(
        LIMIT_REACHED,
        f"Unable to allocate the resources: the following limits of the reseller {vendor.login} are exceeded: "
        + ", ".join(names)
        + ".",
    )


def check_usage_fits(webspace: Webspace, limits: Mapping[str, int]) -> None:
    """Refuse (1023, the text Plesk gives on ``switch-subscription``) limits below what the subscription uses."""
    exceeded = [
        name
        for name, value in limits.items()
        if name in ADDITIVE and value != UNLIMITED and webspace.used(name) > value
    ]
    if exceeded:
        raise OperationError(
            USAGE_EXCEEDS_PLAN,
            f"Unable to accept the template: the following limitations are exceeded: {', '.join(exceeded)}.",
        )
