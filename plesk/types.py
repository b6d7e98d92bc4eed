"""Typed results of the Plesk client. All are immutable; fields Plesk did not send are ``None`` or empty."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum, StrEnum

UNLIMITED = -1
"""The value of a limit without a bound."""


class Status(IntEnum):
    """Plesk ``objectStatus`` bits. The value is a bit mask; anything non-zero means "not active"."""

    ACTIVE = 0
    BACKUP_RESTORE = 4
    DISABLED_BY_ADMIN = 16
    DISABLED_BY_RESELLER = 32
    DISABLED_BY_CUSTOMER = 64
    EXPIRED = 256


class LimitName(StrEnum):
    """Names of the ``<limit>`` entries of service plans, subscriptions and resellers (``-1`` = unlimited).

    Sizes are bytes, ``max_traffic`` is bytes per month, the others are counts. Plesk takes any name;
    these are the ones the portal uses. ``max_webspaces`` and ``max_cl`` exist on resellers only.
    """

    DISK_SPACE = "disk_space"
    MAX_TRAFFIC = "max_traffic"
    MAX_SITE = "max_site"
    MAX_SUBDOM = "max_subdom"
    MAX_DOM_ALIASES = "max_dom_aliases"
    MAX_BOX = "max_box"
    MBOX_QUOTA = "mbox_quota"
    MAX_DB = "max_db"
    MAX_SUBFTP_USERS = "max_subftp_users"
    MAX_WU = "max_wu"
    MAX_MAILLISTS = "max_maillists"
    MAX_WEBAPPS = "max_webapps"
    MAX_WEBSPACES = "max_webspaces"
    MAX_CL = "max_cl"


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """Identity of an object Plesk just created."""

    id: int
    guid: str


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """``server get`` (``gen_info`` + ``stat``) and ``get_protos``, as used by the connection test."""

    server_name: str
    server_guid: str
    mode: str | None = None
    plesk_name: str | None = None
    plesk_version: str | None = None
    plesk_build: str | None = None
    plesk_os: str | None = None
    plesk_os_version: str | None = None
    uptime: int | None = None
    clients: int | None = None
    domains: int | None = None
    protocol_version: str | None = None
    protos: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IPAddress:
    """One of the server's IP addresses (``ip get``)."""

    address: str
    netmask: str
    type: str
    interface: str
    default: bool = False


@dataclass(frozen=True, slots=True)
class ServicePlan:
    """A hosting service plan. ``limits`` maps limit names to values (``-1`` = unlimited)."""

    id: int
    name: str
    guid: str
    external_id: str | None = None
    owner_id: int | None = None
    owner_login: str | None = None
    overuse: str | None = None
    limits: dict[str, int] = field(default_factory=dict)
    hosting: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Customer:
    """A Plesk customer account (``customer get``, ``gen_info`` dataset)."""

    id: int
    login: str
    name: str
    guid: str | None = None
    company: str = ""
    email: str = ""
    phone: str = ""
    fax: str = ""
    address: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    locale: str = ""
    status: int = 0
    created: date | None = None
    owner_id: int | None = None
    owner_login: str | None = None
    vendor_guid: str | None = None
    external_id: str | None = None
    description: str | None = None
    active_domains: int | None = None

    @property
    def active(self) -> bool:
        """Whether the account is active (status 0)."""
        return self.status == Status.ACTIVE


@dataclass(frozen=True, slots=True)
class WebspaceUsage:
    """What a subscription uses (``webspace get`` datasets ``stat`` and ``resource-usage``). Sizes in bytes.

    ``resources`` holds the ``resource-usage`` entries as Plesk names them (the limit names).
    """

    disk_space: int = 0
    traffic: int = 0
    traffic_prevday: int = 0
    domains: int = 0
    sites: int = 0
    subdomains: int = 0
    domain_aliases: int = 0
    mailboxes: int = 0
    databases: int = 0
    ftp_users: int = 0
    web_users: int = 0
    mail_lists: int = 0
    webapps: int = 0
    resources: dict[str, int] = field(default_factory=dict)

    def used(self, limit: str) -> int | None:
        """How much of the resource that limit ``limit`` bounds is in use; ``None`` for limits that are not
        an amount (``mbox_quota``, ``expiration``) or that this usage does not cover."""
        attribute = _USAGE_OF_LIMIT.get(limit)
        return getattr(self, attribute) if attribute is not None else None


_USAGE_OF_LIMIT: dict[str, str] = {
    LimitName.DISK_SPACE: "disk_space",
    LimitName.MAX_TRAFFIC: "traffic",
    LimitName.MAX_SITE: "domains",
    LimitName.MAX_SUBDOM: "subdomains",
    LimitName.MAX_DOM_ALIASES: "domain_aliases",
    LimitName.MAX_BOX: "mailboxes",
    LimitName.MAX_DB: "databases",
    LimitName.MAX_SUBFTP_USERS: "ftp_users",
    LimitName.MAX_WU: "web_users",
    LimitName.MAX_MAILLISTS: "mail_lists",
    LimitName.MAX_WEBAPPS: "webapps",
}


@dataclass(frozen=True, slots=True)
class Webspace:
    """A subscription (``webspace get``). ``plan_guid`` is the service plan; ``addon_plan_guids`` the add-ons.

    ``plan_name`` is filled only when the client resolved the GUID through ``service-plan get``.
    """

    id: int
    name: str
    guid: str
    ascii_name: str = ""
    status: int = 0
    created: date | None = None
    htype: str = ""
    owner_id: int | None = None
    owner_login: str | None = None
    vendor_guid: str | None = None
    external_id: str | None = None
    description: str | None = None
    ip_addresses: tuple[str, ...] = ()
    real_size: int = 0
    ftp_login: str | None = None
    hosting: dict[str, str] = field(default_factory=dict)
    plan_guid: str | None = None
    plan_name: str | None = None
    addon_plan_guids: tuple[str, ...] = ()
    locked: bool | None = None
    synchronized: bool | None = None
    limits: dict[str, int] = field(default_factory=dict)
    overuse: str | None = None
    usage: WebspaceUsage | None = None

    @property
    def active(self) -> bool:
        """Whether the subscription itself is active (status 0)."""
        return self.status == Status.ACTIVE


@dataclass(frozen=True, slots=True)
class ResellerIP:
    """An address in a reseller's IP pool."""

    address: str
    type: str


@dataclass(frozen=True, slots=True)
class ResellerUsage:
    """What a reseller and its customers use (``reseller get`` dataset ``stat``). Sizes in bytes."""

    active_clients: int = 0
    active_domains: int = 0
    clients: int = 0
    domains: int = 0
    subdomains: int = 0
    domain_aliases: int = 0
    disk_space: int = 0
    web_users: int = 0
    databases: int = 0
    mailboxes: int = 0
    mail_lists: int = 0
    webapps: int = 0
    traffic: int = 0
    traffic_prevday: int = 0


@dataclass(frozen=True, slots=True)
class Reseller:
    """A Plesk reseller account (``reseller get``)."""

    id: int
    login: str
    name: str
    guid: str | None = None
    company: str = ""
    email: str = ""
    country: str = ""
    locale: str = ""
    status: int = 0
    created: date | None = None
    external_id: str | None = None
    description: str | None = None
    power_user: bool | None = None
    ip_pool: tuple[ResellerIP, ...] = ()
    plan_guid: str | None = None
    limits: dict[str, int] = field(default_factory=dict)
    permissions: dict[str, bool] = field(default_factory=dict)
    clients: int | None = None
    domains: int | None = None
    oversell: bool | None = None
    overuse: str | None = None
    usage: ResellerUsage | None = None

    @property
    def active(self) -> bool:
        """Whether the account is active (status 0)."""
        return self.status == Status.ACTIVE


@dataclass(frozen=True, slots=True)
class ResellerPackage:
    """A reseller's package on one server: its limits, what its subscriptions were given (``allocated``,
    the sum of their limits) and what is left of it (``remaining``); ``-1`` = unlimited.

    Without ``oversell`` Plesk refuses plans and subscriptions that do not fit into ``remaining``.
    """

    reseller: Reseller
    limits: dict[str, int]
    allocated: dict[str, int]
    remaining: dict[str, int]
    subscriptions: tuple[Webspace, ...] = ()

    @property
    def oversell(self) -> bool:
        """Whether the reseller may hand out more than its package holds."""
        return bool(self.reseller.oversell)


@dataclass(frozen=True, slots=True)
class Session:
    """A single-sign-on token from ``server create_session`` and the browser URL that redeems it.

    The token is single-use and short-lived: create it when the user clicks, redirect, never store it.
    """

    id: str = field(repr=False)
    login: str
    login_url: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class PanelSession:
    """An open Plesk panel session (``session get``)."""

    id: str = field(repr=False)
    type: str
    ip_address: str
    login: str
    login_time: datetime | None = None
    idle: datetime | None = None


@dataclass(frozen=True, slots=True)
class SecretKeyInfo:
    """A secret key as ``secret_key get_info`` lists it. ``key`` is what Plesk shows, not necessarily usable."""

    key: str = field(repr=False)
    ip_addresses: tuple[str, ...]
    description: str
    login: str | None = None
