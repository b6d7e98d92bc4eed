"""Shared machinery of the sandbox's operation handlers: the request context, owner scoping,
filter selection, result building and Plesk's error codes and texts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from lxml import etree

from ..xml import sub, tag_name
from .state import Account, Plan, SandboxState, Webspace

ObjT = TypeVar("ObjT")

# Duplicate logins: the captured text is known, the code is not (1002 or 1007); see the reference §3.
DUPLICATE_LOGIN_ERRCODE = 1007

PERMISSION_DENIED = 1006
ALREADY_EXISTS = 1007
NOT_FOUND = 1013
OWNER_NOT_FOUND = 1015
UNSUPPORTED = 1017
IP_NOT_FOUND = 1018
INVALID_VALUE = 1019
OPERATION_FAILED = 1023
WRONG_STATUS = 1025
# A reseller's package exceeded by a plan, subscription or customer: no real capture exists; 1024 is the
# reduced list's "limit reached" (see the README). One constant, so it can be changed once confirmed.
LIMIT_REACHED = 1024
# New limits below what a subscription uses: captured on ``switch-subscription`` (reference §3).
USAGE_EXCEEDS_PLAN = OPERATION_FAILED

TEXT_PERMISSION_DENIED = "Permission denied."
TEXT_OWNER_NOT_FOUND = "Owner does not exist"


class OperationError(Exception):
    """Raised inside a handler to answer the current object or value with an error result."""

    def __init__(self, errcode: int, errtext: str) -> None:
        super().__init__(errtext)
        self.errcode = errcode
        self.errtext = errtext


@dataclass
class Context:
    """One request as the handlers see it: who asks, from where, and what changed."""

    state: SandboxState
    requester: Account
    client_ip: str
    dirty: bool = False

    @property
    def is_admin(self) -> bool:
        """Whether the requester is the administrator."""
        return self.requester.type == "admin"

    def sees_account(self, account: Account) -> bool:
        """Admin: everyone. Reseller: itself and its customers. Customer: itself."""
        if self.is_admin:
            return True
        if account.id == self.requester.id:
            return True
        return self.requester.type == "reseller" and account.owner_id == self.requester.id

    def sees_webspace(self, webspace: Webspace) -> bool:
        """Subscriptions of the accounts the requester sees."""
        owner = self.state.account(webspace.owner_id)
        return owner is not None and self.sees_account(owner)

    def sees_plan(self, plan: Plan) -> bool:
        """Admin: every plan. Reseller: its own. Customer: none."""
        return self.is_admin or (self.requester.type == "reseller" and plan.owner_id == self.requester.id)

    def find_account(self, kind: str, value: str, *, types: Iterable[str]) -> Account | None:
        """A visible account of one of ``types`` by ``id``, ``login``, ``guid`` or ``external-id``."""
        wanted = set(types)
        for account in self.state.accounts:
            if account.type in wanted and self.sees_account(account) and _matches(account, kind, value):
                return account
        return None


def _matches(account: Account, kind: str, value: str) -> bool:
    if kind == "id":
        return str(account.id) == value.strip()
    if kind == "login":
        return account.login.casefold() == value.casefold()
    if kind == "guid":
        return account.guid == value.strip().lower()
    if kind == "external-id":
        return bool(account.external_id) and account.external_id == value
    return False


# --- results -------------------------------------------------------------------------------------


def ok_result(parent: etree._Element) -> etree._Element:
    """Append ``<result><status>ok</status></result>`` and return the result element."""
    result = sub(parent, "result")
    sub(result, "status", "ok")
    return result


def error_result(parent: etree._Element, errcode: int, errtext: str) -> etree._Element:
    """Append an error ``<result>`` (status, errcode, errtext) and return it."""
    result = sub(parent, "result")
    sub(result, "status", "error")
    sub(result, "errcode", errcode)
    sub(result, "errtext", errtext)
    return result


def add_fields(parent: etree._Element, pairs: Iterable[tuple[str, Any]]) -> None:
    """Append ``tag``/text children in order; ``None`` values are skipped, booleans become true/false."""
    for tag, value in pairs:
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        sub(parent, tag, value)


def add_pairs(parent: etree._Element, item: str, pairs: dict[str, Any]) -> None:
    """Append ``<item><name/><value/></item>`` entries (limits, permissions, properties)."""
    for name, value in pairs.items():
        entry = sub(parent, item)
        add_fields(entry, [("name", name), ("value", value)])


def required(parent: etree._Element, path: str) -> etree._Element:
    """The element at ``path``, which the schema requires; without it the operation fails (1023)."""
    element = parent.find(path)
    if element is None:
        raise ValueError(f"the request has no {path}")
    return element


def read_dataset(operation: etree._Element) -> set[str]:
    """The names of the blocks the ``<dataset>`` of a ``get`` asks for."""
    return {tag_name(child) for child in required(operation, "dataset").iterchildren(etree.Element)}


def read_pairs(parent: etree._Element | None, item: str) -> dict[str, str]:
    """Read ``<item><name/><value/></item>`` entries."""
    if parent is None:
        return {}
    return {entry.findtext("name") or "": entry.findtext("value") or "" for entry in parent.iterfind(item)}


def read_limits(parent: etree._Element | None) -> dict[str, int]:
    """Read ``<limit>`` entries as integers; a non-integer value is an invalid value (1019)."""
    limits = {}
    for name, value in read_pairs(parent, "limit").items():
        try:
            limits[name] = int(value)
        except ValueError:
            raise OperationError(INVALID_VALUE, f"Invalid value of the limit {name}.") from None
    return limits


# --- filters ---------------------------------------------------------------------------------------


@dataclass
class Match:
    """One result slot of a filtered operation.

    ``obj`` is ``None`` for a value that matched nothing (``missing``) and for the single empty
    answer of an owner or empty filter.
    """

    filter_id: str | None
    obj: Any
    missing: bool = False


def read_filter(operation: etree._Element) -> tuple[str | None, list[str]]:
    """The filter's key kind and values; ``(None, [])`` for ``<filter/>``, ``("all", [])`` for ``<all/>``."""
    element = operation.find("filter")
    if element is None:
        return None, []
    children = list(element.iterchildren(etree.Element))
    if not children:
        return None, []
    kind = tag_name(children[0])
    return kind, [child.text or "" for child in children]


def select(
    kind: str | None,
    values: Sequence[str],
    *,
    everything: Callable[[], list[ObjT]],
    by_value: dict[str, Callable[[str], ObjT | None]],
    by_owner: dict[str, Callable[[str], list[ObjT]]] | None = None,
) -> list[Match]:
    """Apply Plesk's filter semantics.

    Value keys give one slot per value, in order (``missing`` when nothing matches). Owner keys give
    one slot per matching object, or one empty slot per owner value. An empty filter gives one slot
    per visible object, or a single empty slot.
    """
    if kind is None or kind == "all":
        objects = everything()
        return [Match(None, obj) for obj in objects] or [Match(None, None)]
    if by_owner and kind in by_owner:
        matches: list[Match] = []
        for value in values:
            owned = by_owner[kind](value)
            matches.extend(Match(value, obj) for obj in owned)
            if not owned:
                matches.append(Match(value, None))
        return matches
    lookup = by_value.get(kind)
    if lookup is None:
        raise OperationError(INVALID_VALUE, f"The filter {kind} is not supported here.")
    matches = []
    for value in values:
        found = lookup(value)
        matches.append(Match(value, found, missing=found is None))
    return matches


def filter_result(parent: etree._Element, match: Match, object_id: int | None) -> etree._Element:
    """An ``ok`` ``resultFilterType`` result: status, then ``filter-id`` and ``id`` when known."""
    result = ok_result(parent)
    add_fields(result, [("filter-id", match.filter_id), ("id", object_id)])
    return result


def filter_error(parent: etree._Element, errcode: int, errtext: str, filter_id: str | None) -> etree._Element:
    """An error ``resultFilterType`` result carrying the ``filter-id`` it belongs to."""
    result = error_result(parent, errcode, errtext)
    add_fields(result, [("filter-id", filter_id)])
    return result


# --- validation ------------------------------------------------------------------------------------

_LOGIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@+-]{0,59}")
_FTP_LOGIN = re.compile(r"[0-9a-zA-Z][-a-zA-Z0-9_.]{0,30}")
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
MIN_PASSWORD_LENGTH = 8


def check_login(login: str) -> None:
    """Plesk-like login rules (1019 when broken)."""
    if not _LOGIN.fullmatch(login):
        raise OperationError(INVALID_VALUE, f"The login {login} is invalid.")


def check_ftp_login(login: str) -> None:
    """System user names: letters, digits, ``-_.``, starting with a letter or digit (1019 when broken)."""
    if not _FTP_LOGIN.fullmatch(login):
        raise OperationError(INVALID_VALUE, f"The FTP login {login} is invalid.")


def check_password_policy(password: str) -> None:
    """A stand-in for Plesk's password-strength policy: at least eight characters (1019 when weaker)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise OperationError(INVALID_VALUE, "The password is too weak: use at least 8 characters.")


def ascii_domain(name: str) -> str:
    """The IDNA (punycode) form of a domain name; 1019 when the name is not a valid host name."""
    candidate = name.strip().rstrip(".").lower()
    try:
        ascii_name = candidate.encode("idna").decode("ascii")
    except UnicodeError:
        raise OperationError(INVALID_VALUE, f"The domain name {name} is invalid.") from None
    labels = ascii_name.split(".")
    if len(labels) < 2 or len(ascii_name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise OperationError(INVALID_VALUE, f"The domain name {name} is invalid.")
    return ascii_name


def parse_status(text: str | None, requester: Account) -> int:
    """A status a requester may set: 0 and 16 (admin), 0 and 32 (reseller), 0 and 64 (customer); else 1025."""
    allowed = {"admin": {0, 16}, "reseller": {0, 32}, "customer": {0, 64}}[requester.type]
    try:
        status = int((text or "").strip())
    except ValueError:
        status = -1
    if status not in allowed:
        raise OperationError(WRONG_STATUS, f"Wrong status value: {text}.")
    return status


def login_taken(state: SandboxState, login: str, *, except_id: int | None = None) -> bool:
    """Whether another account already uses ``login``."""
    existing = state.account_by_login(login)
    return existing is not None and existing.id != except_id


def duplicate_login(login: str) -> OperationError:
    """The error for a login that is already taken."""
    return OperationError(DUPLICATE_LOGIN_ERRCODE, f"User account {login} already exists.")


def require_admin(ctx: Context) -> None:
    """Only the administrator may use this operation (1006 otherwise)."""
    if not ctx.is_admin:
        raise OperationError(PERMISSION_DENIED, TEXT_PERMISSION_DENIED)
