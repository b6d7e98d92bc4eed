"""Typed results of the Plesk client. All are immutable; fields Plesk did not send are ``None`` or empty."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum


class Status(IntEnum):
    """Plesk ``objectStatus`` bits. The value is a bit mask; anything non-zero means "not active"."""

    ACTIVE = 0
    BACKUP_RESTORE = 4
    DISABLED_BY_ADMIN = 16
    DISABLED_BY_RESELLER = 32
    DISABLED_BY_CUSTOMER = 64
    EXPIRED = 256


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

    @property
    def active(self) -> bool:
        """Whether the account is active (status 0)."""
        return self.status == Status.ACTIVE


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
