"""In-memory state of the Plesk sandbox, with optional JSON persistence.

Passwords are kept only as salted PBKDF2 hashes and secret keys only as SHA-256 hashes, so a state
file never holds a usable credential. SSO tokens and panel sessions are not persisted: they are
short-lived by nature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

ADMIN_LOGIN = "admin"
NEWEST_PROTOCOL = "1.6.9.1"
# Newest first, as ``get_protos`` lists them.
PROTOCOLS = ("1.6.9.1", "1.6.9.0", "1.6.8.0", "1.6.7.0", "1.6.6.0", "1.6.5.0", "1.6.4.0", "1.6.3.0")

_PBKDF2_ITERATIONS = 5_000

# What a subscription uses, by the name of the limit that bounds it (``resource-usage`` names them so).
# ``disk_space`` is the subscription's ``real_size``; ``max_site`` (domains) is at least the subscription's own.
USAGE_NAMES = (
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
)


def hash_password(password: str) -> str:
    """A salted PBKDF2-SHA256 hash in the form ``pbkdf2_sha256$iterations$salt$hex``."""
    salt = secrets.token_hex(8)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), _PBKDF2_ITERATIONS).hex()
    return f"pbkdf2_sha256${_PBKDF2_ITERATIONS}${salt}${digest}"


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password` (constant-time comparison)."""
    try:
        _, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), int(iterations)).hex()
    return hmac.compare_digest(candidate, digest)


def hash_key(key: str) -> str:
    """SHA-256 hex of a secret key: what the sandbox stores and what ``secret_key get_info`` shows."""
    return hashlib.sha256(key.encode()).hexdigest()


def new_guid() -> str:
    """A lower-case 36-character GUID, as Plesk writes them."""
    return str(uuid.uuid4())


def today() -> str:
    """Today's date as Plesk's ``cr_date`` (YYYY-MM-DD)."""
    return date.today().isoformat()


@dataclass
class Account:
    """The admin, a reseller or a customer. Logins are unique across all three."""

    id: int
    type: str
    login: str
    password_hash: str
    guid: str
    owner_id: int | None
    cr_date: str
    pname: str = ""
    cname: str = ""
    status: int = 0
    phone: str = ""
    fax: str = ""
    email: str = ""
    address: str = ""
    city: str = ""
    state: str = ""
    pcode: str = ""
    country: str = ""
    locale: str = "en-US"
    external_id: str = ""
    description: str = ""
    power_user: bool = False
    ip_pool: list[dict[str, str]] = field(default_factory=list)
    plan_guid: str | None = None
    overuse: str = "normal"
    limits: dict[str, int] = field(default_factory=dict)
    permissions: dict[str, bool] = field(default_factory=dict)


@dataclass
class Plan:
    """A service plan owned by the admin or a reseller."""

    id: int
    guid: str
    name: str
    owner_id: int
    external_id: str = ""
    overuse: str = "block"
    limits: dict[str, int] = field(default_factory=dict)
    hosting: dict[str, str] = field(default_factory=dict)


@dataclass
class ResellerPlan:
    """A reseller plan (admin-owned)."""

    id: int
    guid: str
    name: str
    external_id: str = ""
    limits: dict[str, int] = field(default_factory=dict)
    permissions: dict[str, bool] = field(default_factory=dict)


@dataclass
class Webspace:
    """A subscription. ``vendor_id`` is the account that sells it (the reseller or the admin)."""

    id: int
    guid: str
    name: str
    owner_id: int
    vendor_id: int
    htype: str
    ip_address: str
    cr_date: str
    status: int = 0
    plan_guid: str | None = None
    external_id: str = ""
    description: str = ""
    admin_description: str = ""
    reseller_description: str = ""
    ftp_login: str | None = None
    hosting: dict[str, str] = field(default_factory=dict)
    limits: dict[str, int] = field(default_factory=dict)
    real_size: int = 0
    usage: dict[str, int] = field(default_factory=dict)
    traffic_prevday: int = 0

    def used(self, name: str) -> int:
        """How much of what limit ``name`` bounds the subscription uses."""
        if name == "disk_space":
            return self.real_size
        if name == "max_site":
            return self.usage.get(name, 1)
        return self.usage.get(name, 0)


@dataclass
class IPAddress:
    """One of the server's IP addresses."""

    address: str
    netmask: str
    type: str
    interface: str = "eth0"
    default: bool = False


@dataclass
class SecretKey:
    """A ``KEY`` header secret: only its hash is kept; usable from ``ip_addresses`` only."""

    key_hash: str
    ip_addresses: list[str]
    description: str
    login: str


@dataclass
class CreateEvent:
    """One successful ``add`` through the API, kept so tests can prove nothing was created twice."""

    kind: str
    id: int
    name: str
    external_id: str


@dataclass
class DeleteEvent:
    """One object the API removed, by a ``del`` or with what it hung off; tests prove with these that nothing
    was removed but what should be."""

    kind: str
    id: int
    name: str
    external_id: str


@dataclass
class SsoToken:
    """An unredeemed single sign-on token (not persisted)."""

    login: str
    user_ip: str
    created: float


@dataclass
class PanelSession:
    """An open panel session, started by redeeming an SSO token (not persisted)."""

    id: str
    type: str
    ip_address: str
    login: str
    login_time: str
    idle: str


_PERSISTED = {
    "accounts": Account,
    "plans": Plan,
    "reseller_plans": ResellerPlan,
    "webspaces": Webspace,
    "ips": IPAddress,
    "secret_keys": SecretKey,
    "created": CreateEvent,
    "deleted": DeleteEvent,
}


@dataclass
class SandboxState:
    """Everything the sandbox knows. Ids are positive, increasing and never reused."""

    server_guid: str = field(default_factory=new_guid)
    server_name: str = "plesk-sandbox.local"
    accounts: list[Account] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    reseller_plans: list[ResellerPlan] = field(default_factory=list)
    webspaces: list[Webspace] = field(default_factory=list)
    ips: list[IPAddress] = field(default_factory=list)
    secret_keys: list[SecretKey] = field(default_factory=list)
    created: list[CreateEvent] = field(default_factory=list)
    deleted: list[DeleteEvent] = field(default_factory=list)
    next_ids: dict[str, int] = field(default_factory=dict)
    sso_tokens: dict[str, SsoToken] = field(default_factory=dict)
    panel_sessions: dict[str, PanelSession] = field(default_factory=dict)

    @classmethod
    def initial(cls, admin_password: str) -> SandboxState:
        """A fresh server: the admin, two IPs, Plesk's stock plans "Default Domain" and "Unlimited",
        and the reseller plan "Default Reseller"."""
        state = cls()
        state.accounts.append(
            Account(
                id=state.new_id("account"),
                type="admin",
                login=ADMIN_LOGIN,
                password_hash=hash_password(admin_password),
                guid=new_guid(),
                owner_id=None,
                cr_date=today(),
                pname="Administrator",
                email="admin@plesk-sandbox.local",
            )
        )
        state.ips = [
            IPAddress("203.0.113.10", "255.255.255.0", "shared", default=True),
            IPAddress("203.0.113.11", "255.255.255.0", "exclusive"),
        ]
        admin_id = state.admin.id
        hosting = {"ssl": "true", "php": "true"}
        state.plans = [
            Plan(
                state.new_id("plan"),
                new_guid(),
                "Default Domain",
                admin_id,
                limits={"disk_space": 10737418240, "max_traffic": -1, "max_site": 1, "max_box": 10, "max_db": 1},
                hosting=hosting,
            ),
            Plan(state.new_id("plan"), new_guid(), "Unlimited", admin_id, limits={"max_site": -1}, hosting=hosting),
        ]
        state.reseller_plans = [
            ResellerPlan(
                state.new_id("reseller_plan"),
                new_guid(),
                "Default Reseller",
                limits={"max_cl": -1, "max_webspaces": -1},
                permissions={"create_clients": True, "allow_oversell": False},
            )
        ]
        return state

    def new_id(self, kind: str) -> int:
        """The next id of ``kind`` (``account``, ``plan``, ``webspace``, ...)."""
        value = self.next_ids.get(kind, 1)
        self.next_ids[kind] = value + 1
        return value

    @property
    def admin(self) -> Account:
        """The administrator account."""
        return next(a for a in self.accounts if a.type == "admin")

    def account(self, account_id: int | None) -> Account | None:
        """The account with ``account_id``, if any."""
        return next((a for a in self.accounts if a.id == account_id), None)

    def account_by_login(self, login: str) -> Account | None:
        """The account with ``login`` (logins compare case-insensitively, as in Plesk)."""
        folded = login.casefold()
        return next((a for a in self.accounts if a.login.casefold() == folded), None)

    def plan_by_guid(self, guid: str) -> Plan | None:
        """The service plan with ``guid``, if any."""
        return next((p for p in self.plans if p.guid == guid), None)

    def vendor_of(self, owner: Account) -> Account:
        """Who sells subscriptions to ``owner``: its reseller or the admin; a reseller or admin sells to itself."""
        if owner.type == "customer":
            return self.account(owner.owner_id) or self.admin
        return owner

    # --- persistence ---------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The persistent part of the state as JSON-compatible data."""
        data: dict[str, Any] = {
            "server_guid": self.server_guid,
            "server_name": self.server_name,
            "next_ids": self.next_ids,
        }
        for name in _PERSISTED:
            data[name] = [asdict(item) for item in getattr(self, name)]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SandboxState:
        """Rebuild a state saved by :meth:`to_json`; unknown keys are ignored."""
        state = cls(
            server_guid=data["server_guid"],
            server_name=data.get("server_name", cls.server_name),
            next_ids={k: int(v) for k, v in data.get("next_ids", {}).items()},
        )
        for name, record in _PERSISTED.items():
            known = {f.name for f in fields(record)}
            items = [record(**{k: v for k, v in item.items() if k in known}) for item in data.get(name, [])]
            setattr(state, name, items)
        return state

    def save(self, path: Path) -> None:
        """Write the state to ``path`` atomically (temporary file, then rename)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(self.to_json(), stream, indent=1, sort_keys=True)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path, admin_password: str) -> SandboxState:
        """Load ``path`` if it exists (setting the admin password to ``admin_password``), else a fresh state."""
        if not path.exists():
            return cls.initial(admin_password)
        state = cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        state.admin.password_hash = hash_password(admin_password)
        return state
