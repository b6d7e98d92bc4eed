"""Arithmetic of Plesk limits: what a reseller's subscriptions were given, what is left, what does not fit.

``-1`` means unlimited throughout. Amounts (disk space, traffic, counts of domains, mailboxes, ...) add up
over a reseller's subscriptions; ``mbox_quota`` is a size per mailbox and only has to fit on its own;
``max_webspaces`` counts subscriptions. Limits a plan does not name are not counted, as in the sandbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .types import UNLIMITED, LimitName

__all__ = ["ADDITIVE_LIMITS", "COUNTED_LIMITS", "PER_ITEM_LIMITS", "allocated", "exceeding", "remaining"]

ADDITIVE_LIMITS = frozenset(
    {
        LimitName.DISK_SPACE,
        LimitName.MAX_TRAFFIC,
        LimitName.MAX_SITE,
        LimitName.MAX_SUBDOM,
        LimitName.MAX_DOM_ALIASES,
        LimitName.MAX_BOX,
        LimitName.MAX_DB,
        LimitName.MAX_SUBFTP_USERS,
        LimitName.MAX_WU,
        LimitName.MAX_MAILLISTS,
        LimitName.MAX_WEBAPPS,
    }
)
PER_ITEM_LIMITS = frozenset({LimitName.MBOX_QUOTA})
# Counts of objects rather than sums of limits: subscriptions, and the customers a caller counted.
COUNTED_LIMITS = frozenset({LimitName.MAX_WEBSPACES, LimitName.MAX_CL})


def allocated(subscription_limits: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """The sum of the additive limits of subscriptions (``-1`` once any of them is unlimited), and
    ``max_webspaces`` = how many subscriptions there are."""
    totals: dict[str, int] = {LimitName.MAX_WEBSPACES: 0}
    for limits in subscription_limits:
        totals[LimitName.MAX_WEBSPACES] += 1
        for name, value in limits.items():
            if name not in ADDITIVE_LIMITS:
                continue
            if value == UNLIMITED or totals.get(name) == UNLIMITED:
                totals[name] = UNLIMITED
            else:
                totals[name] = totals.get(name, 0) + value
    return totals


def remaining(package: Mapping[str, int], given: Mapping[str, int]) -> dict[str, int]:
    """What is left of each limit of ``package`` after ``given`` (from :func:`allocated`, plus ``max_cl`` when
    the caller counted customers): ``-1`` where the package is unlimited, never below zero. Per-item limits
    are left as they are."""
    left: dict[str, int] = {}
    for name, value in package.items():
        if value == UNLIMITED or name in PER_ITEM_LIMITS:
            left[name] = value
        elif name in ADDITIVE_LIMITS or name in COUNTED_LIMITS:
            used = given.get(name, 0)
            left[name] = 0 if used == UNLIMITED else max(value - used, 0)
    return left


def exceeding(requested: Mapping[str, int], available: Mapping[str, int], *, count: int = 1) -> dict[str, int]:
    """The limits of ``requested`` (one plan or subscription, taken ``count`` times) that do not fit into
    ``available`` (from :func:`remaining`), each with what is available. An unlimited request exceeds
    every bounded limit."""
    too_big: dict[str, int] = {}
    for name, value in requested.items():
        bound = available.get(name)
        if bound is None or bound == UNLIMITED:
            continue
        if name in PER_ITEM_LIMITS:
            if value == UNLIMITED or value > bound:
                too_big[name] = bound
        elif name in ADDITIVE_LIMITS and (value == UNLIMITED or value * max(count, 1) > bound):
            too_big[name] = bound
    return too_big
