"""Resource usage of hostings and of a reseller's package, read from Plesk by the server check and stored.

The server check (``hosting.sync``) reads every subscription of a contract with its limits and usage in the
same ``webspace get`` it compares them with, and the reseller's package with the server's admin login
(``get_reseller_package``): one read per contract, never one per hosting. Pages show what was stored, with
the time it was read, so they never wait for Plesk. A hosting at ``NEAR_LIMIT`` percent of any bounded limit
is marked in the lists (``with_usage_peak``: a join, no query per row), and its reseller is told once a day
(``send_warnings``, ``manage.py mail_usage_warnings``).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Membership
from core.mail import send_templated_mail
from core.roles import Role
from hosting.models import HostingUsage, PackageUsage, ResellerHosting, UsageWarningMail
from plesk import errors
from plesk.limits import ADDITIVE_LIMITS
from plesk.types import UNLIMITED, LimitName, ResellerPackage, Webspace

if TYPE_CHECKING:
    from contracts.models import Contract

logger = logging.getLogger(__name__)

NEAR_LIMIT = 90
"""Percent of a limit from which a hosting is marked and its reseller told."""


@dataclass(frozen=True)
class Shown:
    limit: str
    label: str | Promise
    is_size: bool = False


# What the pages show, in this order: the sizes against their limits, then the counts people ask about.
SHOWN = (
    Shown(LimitName.DISK_SPACE, _("Disk space"), is_size=True),
    Shown(LimitName.MAX_TRAFFIC, _("Traffic this month"), is_size=True),
    Shown(LimitName.MAX_SITE, _("Domains")),
    Shown(LimitName.MAX_BOX, _("Mailboxes")),
    Shown(LimitName.MAX_DB, _("Databases")),
)
# Where a reseller's ``stat`` keeps what the limit of that name bounds (``plesk.types.ResellerUsage``).
RESELLER_USAGE = {
    LimitName.DISK_SPACE: "disk_space",
    LimitName.MAX_TRAFFIC: "traffic",
    LimitName.MAX_SITE: "domains",
    LimitName.MAX_BOX: "mailboxes",
    LimitName.MAX_DB: "databases",
}


def percent(used: int | None, limit: int | None) -> int | None:
    """How much of a bounded limit is used, in whole percent; ``None`` for an unlimited or unknown one."""
    if used is None or limit is None or limit == UNLIMITED or limit <= 0:
        return None
    return used * 100 // limit


# The limits a hosting runs into by itself: disk space and traffic grow until the sites or mail stop. Counts
# (domains, mailboxes, databases) only change when someone adds one, and plans fill them by design (a plan
# with one domain uses all of it), so they are shown but do not mark a hosting or warn its reseller.
WATCHED_LIMITS = (LimitName.DISK_SPACE, LimitName.MAX_TRAFFIC)


def peak(limits: Mapping[str, int], used: Mapping[str, int]) -> int:
    """The highest share of a watched limit, in percent (0 when none is bounded)."""
    shares = (percent(used.get(name), limits.get(name)) for name in WATCHED_LIMITS)
    return min(max((share for share in shares if share is not None), default=0), 32767)


@dataclass(frozen=True)
class Row:
    """One line of a usage table: what is used of what may be used (``limit`` ``-1``: unlimited)."""

    label: str | Promise
    used: int | None
    limit: int | None
    is_size: bool

    @property
    def percent(self) -> int | None:
        return percent(self.used, self.limit)

    @property
    def unlimited(self) -> bool:
        return self.limit == UNLIMITED

    @property
    def near_limit(self) -> bool:
        return self.is_size and (self.percent or 0) >= NEAR_LIMIT

    @property
    def bar(self) -> int:
        """The width of its bar: never past the end."""
        return min(self.percent or 0, 100)


@dataclass(frozen=True)
class PackageRow(Row):
    """A line of the package: also what its subscriptions were given and what is left to give."""

    allocated: int | None = None
    remaining: int | None = None

    @property
    def allocated_unlimited(self) -> bool:
        return self.allocated == UNLIMITED


def rows(limits: Mapping[str, int], used: Mapping[str, int]) -> list[Row]:
    return [Row(item.label, used.get(item.limit), limits.get(item.limit), item.is_size) for item in SHOWN]


def hosting_rows(usage: HostingUsage) -> list[Row]:
    return rows(usage.limits, usage.used)


def package_rows(usage: PackageUsage) -> list[PackageRow]:
    return [
        PackageRow(
            item.label,
            usage.used.get(item.limit),
            usage.limits.get(item.limit),
            item.is_size,
            allocated=usage.allocated.get(item.limit),
            remaining=usage.remaining.get(item.limit),
        )
        for item in (*SHOWN, Shown(LimitName.MAX_WEBSPACES, _("Subscriptions")))
    ]


def usage_of(webspace: Webspace) -> dict[str, int]:
    """What the subscription uses, by the name of the limit that bounds it."""
    if webspace.usage is None:
        return {}
    found = {name: webspace.usage.used(name) for name in ADDITIVE_LIMITS}
    return {name: value for name, value in found.items() if value is not None}


def store_hostings(hostings: Iterable[ResellerHosting], webspaces: Mapping[int, Webspace], now: datetime) -> None:
    """Store what each hosting's subscription uses; a hosting without one keeps what was last read."""
    for hosting in hostings:
        webspace = webspaces.get(hosting.subscription_id) if hosting.subscription_id else None
        if webspace is None or webspace.usage is None:
            continue
        used = usage_of(webspace)
        HostingUsage.objects.update_or_create(  # unrestricted: the server check, for the system
            hosting=hosting,
            defaults={
                "read_at": now,
                "limits": dict(webspace.limits),
                "used": used,
                "peak_percent": peak(webspace.limits, used),
            },
        )


def store_package(contract: Contract, package: ResellerPackage, now: datetime) -> PackageUsage:
    stat = package.reseller.usage
    used = {name: getattr(stat, field) for name, field in RESELLER_USAGE.items()} if stat is not None else {}
    used[LimitName.MAX_WEBSPACES] = len(package.subscriptions)
    usage, _created = PackageUsage.objects.update_or_create(  # unrestricted: the server check, for the system
        contract=contract,
        defaults={
            "read_at": now,
            "limits": dict(package.limits),
            "allocated": dict(package.allocated),
            "remaining": dict(package.remaining),
            "used": used,
        },
    )
    return usage


def read_package(contract: Contract, now: datetime) -> str:
    """Read and store the reseller's package on the contract's server; what went wrong, or ``""``. A failure
    keeps what was last read: the page says when that was."""
    server = contract.hosting_server
    if server is None:
        return ""
    try:
        # The server's admin login: only it sees the reseller's own limits and every subscription of its customers.
        with server.client(connect_timeout=10.0, read_timeout=30.0, deadline=60.0) as client:
            package = client.get_reseller_package(contract.plesk_login)
    except (errors.PleskError, ValidationError) as error:
        logger.warning("package of contract %s not read: %s", contract.pk, error)
        return str(error)
    store_package(contract, package, now)
    return ""


def stored_package(contract: Contract) -> PackageUsage | None:
    """The package as last read, for a contract the caller may see."""
    return PackageUsage.objects.filter(contract=contract).first()  # unrestricted: the caller checked the contract


def with_usage_peak(queryset: QuerySet[ResellerHosting]) -> QuerySet[ResellerHosting]:
    """Hostings with ``usage_peak`` (``None`` before the first read), joined in the same query."""
    return queryset.annotate(usage_peak=F("usage__peak_percent"))


# Hostings whose usage is worth a warning: on the server and in use.
WARNED_STATUSES = (ResellerHosting.Status.ACTIVE, ResellerHosting.Status.SUSPENDED)


def near_limit_by_account() -> dict[int, list[ResellerHosting]]:
    """The hostings at ``NEAR_LIMIT`` percent or more of a limit, by account."""
    hostings = (
        ResellerHosting.objects.filter(  # unrestricted: the daily warning, over every account
            status__in=WARNED_STATUSES, usage__peak_percent__gte=NEAR_LIMIT
        )
        .select_related("usage", "end_customer", "contract")
        .order_by("account", "-usage__peak_percent", "pk")
    )
    by_account: dict[int, list[ResellerHosting]] = defaultdict(list)
    for hosting in hostings:
        by_account[hosting.account_id].append(hosting)
    return by_account


def warning_lines(hosting: ResellerHosting) -> list[Row]:
    return [row for row in hosting_rows(hosting.usage) if row.near_limit]


def send_warnings(today: date | None = None) -> int:
    """Mail each reseller's owners and admins the hostings near a limit, once a day; how many mails were sent."""
    today = today or timezone.localdate()
    sent = 0
    for account_id, hostings in near_limit_by_account().items():
        recipients = sorted(
            {
                membership.user.email
                for membership in Membership.objects.filter(  # unrestricted: the reseller's own admins are told
                    account_id=account_id, role__in=[Role.OWNER, Role.ADMIN], user__is_active=True
                ).select_related("user")
                if membership.user.email
            }
        )
        if not recipients:
            continue
        account = Account.objects.get(pk=account_id)
        try:
            with transaction.atomic():
                UsageWarningMail.objects.create(  # unrestricted: the daily warning's own record
                    account_id=account_id, day=today, hostings=[hosting.pk for hosting in hostings]
                )
                context: dict[str, Any] = {
                    "hostings": [(hosting, warning_lines(hosting)) for hosting in hostings],
                    "near_limit": NEAR_LIMIT,
                }
                send_templated_mail("hosting/email/usage_warning", context, to=recipients, about=account)
        except IntegrityError:
            continue  # already told today
        sent += 1
    return sent
