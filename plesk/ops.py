"""Plesk XML API operations: each function builds one operation element and knows how to read its answer.

An :class:`Operation` is inert until a :class:`plesk.client.PleskClient` sends it, alone (the client's
methods) or together with others in one packet (:meth:`plesk.client.PleskClient.packet`). Elements are
built with the lxml element API in the order ``agent_input.xsd`` demands, so values containing ``&``,
``<`` or ``]]>`` reach Plesk literally.

Conventions of the answer parsers:

* single-object operations (``get_customer``, ``set_*``, ``delete_*``) raise the
  :class:`~plesk.errors.PleskAPIError` of the first error result;
* list operations (``get_customers`` ...) leave out filter values that match nothing (errcode 1013,
  one result per value) and raise on any other error;
* an answer that lacks what the protocol promises raises ``ValueError``; the client turns that into
  :class:`~plesk.errors.PleskResponseError`.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from lxml import etree

from .errors import PleskAPIError, api_error
from .types import (
    Customer,
    IPAddress,
    ObjectRef,
    PanelSession,
    Reseller,
    ResellerIP,
    ResellerUsage,
    SecretKeyInfo,
    ServerInfo,
    ServicePlan,
    Webspace,
    WebspaceUsage,
)
from .xml import child_text, sub, tag_name

T = TypeVar("T")

NOT_FOUND = 1013


@dataclass(frozen=True, eq=False)
class Operation(Generic[T]):
    """One operation: the ``operator`` it belongs to, its element, and the parser of its answer.

    ``parse`` receives the answer's operation element (e.g. ``<get>`` with its ``<result>`` children)
    and returns the typed value or raises :class:`~plesk.errors.PleskAPIError`.
    """

    operator: str
    element: etree._Element
    parse: Callable[[etree._Element], T]

    @property
    def name(self) -> str:
        """The operation element's tag, e.g. ``get`` or ``create_session``."""
        return tag_name(self.element)

    @property
    def label(self) -> str:
        """``"operator operation"``, for messages."""
        return f"{self.operator} {self.name}"

    def __repr__(self) -> str:
        return f"<Operation {self.label}>"


# --- building helpers -------------------------------------------------------------------------


def _fields(parent: etree._Element, pairs: Iterable[tuple[str, Any]]) -> None:
    for tag, value in pairs:
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        sub(parent, tag, value)


def _pick_one(selectors: Mapping[str, Any], *, required: bool) -> tuple[str, Any] | None:
    given = [(tag, value) for tag, value in selectors.items() if value is not None]
    if len(given) > 1:
        raise ValueError(f"give only one of {', '.join(selectors)}")
    if not given:
        if required:
            raise ValueError(f"give one of {', '.join(selectors)}")
        return None
    return given[0]


def _filter(parent: etree._Element, selectors: Mapping[str, Any], *, required: bool) -> None:
    """Append ``<filter>`` with one kind of key. Values may be one value or a sequence of values.

    ``required`` refuses an empty filter, which Plesk reads as "every object this login can see":
    that must never reach a ``set`` or ``del``.
    """
    element = sub(parent, "filter")
    picked = _pick_one(selectors, required=required)
    if picked is None:
        return
    tag, values = picked
    if isinstance(values, str | int):
        values = [values]
    values = list(values)
    if not values:
        raise ValueError(f"the {tag} filter needs at least one value")
    for value in values:
        sub(element, tag, value)


def _properties(parent: etree._Element, properties: Mapping[str, Any]) -> None:
    for name, value in properties.items():
        prop = sub(parent, "property")
        sub(prop, "name", name)
        sub(prop, "value", ("true" if value else "false") if isinstance(value, bool) else value)


def _limits(parent: etree._Element, limits: Mapping[str, int] | None, overuse: str | None) -> None:
    if not limits and overuse is None:
        return
    element = sub(parent, "limits")
    _fields(element, [("overuse", overuse)])
    for name, value in (limits or {}).items():
        limit = sub(element, "limit")
        sub(limit, "name", name)
        sub(limit, "value", int(value))


# --- reading helpers ---------------------------------------------------------------------------


def _results(operation: etree._Element) -> list[etree._Element]:
    """The ``<result>`` children of an answer's operation element."""
    return operation.findall("result")


def _result_error(result: etree._Element, label: str) -> PleskAPIError | None:
    """The error a ``<result>`` reports, or ``None`` when its status is ``ok``."""
    status = child_text(result, "status")
    if status == "ok":
        return None
    if status != "error":
        raise ValueError(f"{label}: result without a valid status")
    errcode = _int(child_text(result, "errcode"), "errcode")
    filter_id = child_text(result, "filter-id")
    return api_error(errcode, child_text(result, "errtext") or "", operation=label, filter_id=filter_id)


def _ok_results(operation: etree._Element, label: str, *, skip_not_found: bool) -> list[etree._Element]:
    found = []
    for result in _results(operation):
        error = _result_error(result, label)
        if error is None:
            found.append(result)
        elif not (skip_not_found and error.errcode == NOT_FOUND):
            raise error
    return found


def _single_result(operation: etree._Element, label: str) -> etree._Element:
    found = _ok_results(operation, label, skip_not_found=False)
    if not found:
        raise ValueError(f"{label}: answer without a result")
    return found[0]


def _int(text: str | None, what: str) -> int:
    if text is None or not text.strip():
        raise ValueError(f"missing {what}")
    return int(text.strip())


def _opt_int(text: str | None) -> int | None:
    try:
        return int(text.strip()) if text and text.strip() else None
    except ValueError:
        return None


def _opt_str(text: str | None) -> str | None:
    return text if text else None


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text else None
    except ValueError:
        return None


def _datetime(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip()) if text else None
    except ValueError:
        return None


def _bool(text: str | None) -> bool | None:
    if text is None:
        return None
    return text.strip().lower() in ("true", "1")


def _pairs(parent: etree._Element | None, item: str) -> dict[str, str]:
    if parent is None:
        return {}
    return {entry.findtext("name") or "": entry.findtext("value") or "" for entry in parent.iterfind(item)}


def _int_limits(parent: etree._Element | None) -> dict[str, int]:
    return {name: int(value) for name, value in _pairs(parent, "limit").items() if _opt_int(value) is not None}


def _ids(operation: etree._Element, label: str) -> list[int]:
    return [_int(child_text(r, "id"), "id") for r in _ok_results(operation, label, skip_not_found=False)]


def _object_ref(operation: etree._Element, label: str) -> ObjectRef:
    result = _single_result(operation, label)
    return ObjectRef(id=_int(child_text(result, "id"), "id"), guid=child_text(result, "guid") or "")


def _affected_id(operation: etree._Element, label: str) -> int:
    ids = _ids(operation, label)
    if not ids:
        raise ValueError(f"{label}: no object affected")
    return ids[0]


# --- server, ip, session, secret_key ---------------------------------------------------------------


def get_protos() -> Operation[tuple[str, ...]]:
    """``server get_protos``: the protocol versions the server accepts, newest first."""

    def parse(operation: etree._Element) -> tuple[str, ...]:
        result = _single_result(operation, "server get_protos")
        return tuple(proto.text or "" for proto in result.iterfind("protos/proto"))

    return Operation("server", etree.Element("get_protos"), parse)


def get_server_info() -> Operation[ServerInfo]:
    """``server get`` with ``gen_info`` and ``stat``: host name, GUID, Plesk version, uptime, counts."""
    element = etree.Element("get")
    sub(element, "gen_info")
    sub(element, "stat")

    def parse(operation: etree._Element) -> ServerInfo:
        result = _single_result(operation, "server get")
        gen_info = result.find("gen_info")
        if gen_info is None:
            raise ValueError("server get: answer without gen_info")
        version = result.find("stat/version")
        version = version if version is not None else etree.Element("version")
        return ServerInfo(
            server_name=child_text(gen_info, "server_name") or "",
            server_guid=child_text(gen_info, "server_guid") or "",
            mode=_opt_str(child_text(gen_info, "mode")),
            plesk_name=_opt_str(child_text(version, "plesk_name")),
            plesk_version=_opt_str(child_text(version, "plesk_version")),
            plesk_build=_opt_str(child_text(version, "plesk_build")),
            plesk_os=_opt_str(child_text(version, "plesk_os")),
            plesk_os_version=_opt_str(child_text(version, "plesk_os_version")),
            uptime=_opt_int(result.findtext("stat/other/uptime")),
            clients=_opt_int(result.findtext("stat/objects/clients")),
            domains=_opt_int(result.findtext("stat/objects/domains")),
        )

    return Operation("server", element, parse)


def create_session(
    login: str,
    user_ip: str,
    *,
    source_server: str = "",
    starting_url: str | None = None,
    locale: str | None = None,
) -> Operation[str]:
    """``server create_session``: a single-use SSO token for ``login``; ``user_ip`` is the browser's IP."""
    element = etree.Element("create_session")
    sub(element, "login", login)
    data = sub(element, "data")
    _fields(
        data,
        [
            ("user_ip", base64.b64encode(user_ip.encode()).decode()),
            ("starting_url", starting_url),
            ("source_server", source_server),
            ("locale_id", locale),
        ],
    )

    def parse(operation: etree._Element) -> str:
        token = child_text(_single_result(operation, "server create_session"), "id")
        if not token:
            raise ValueError("server create_session: answer without a session id")
        return token

    return Operation("server", element, parse)


def get_ips() -> Operation[list[IPAddress]]:
    """``ip get``: the server's IP addresses."""

    def parse(operation: etree._Element) -> list[IPAddress]:
        result = _single_result(operation, "ip get")
        return [
            IPAddress(
                address=child_text(info, "ip_address") or "",
                netmask=child_text(info, "netmask") or "",
                type=child_text(info, "type") or "",
                interface=child_text(info, "interface") or "",
                default=info.find("default") is not None,
            )
            for info in result.iterfind("addresses/ip_info")
        ]

    return Operation("ip", etree.Element("get"), parse)


def get_sessions() -> Operation[list[PanelSession]]:
    """``session get``: open panel sessions visible to the login."""

    def parse(operation: etree._Element) -> list[PanelSession]:
        result = _single_result(operation, "session get")
        return [
            PanelSession(
                id=child_text(item, "id") or "",
                type=child_text(item, "type") or "",
                ip_address=child_text(item, "ip-address") or "",
                login=child_text(item, "login") or "",
                login_time=_datetime(child_text(item, "login-time")),
                idle=_datetime(child_text(item, "idle")),
            )
            for item in result.iterfind("session")
        ]

    return Operation("session", etree.Element("get"), parse)


def terminate_session(session_id: str) -> Operation[None]:
    """``session terminate``: end one panel session."""
    element = etree.Element("terminate")
    sub(element, "session-id", session_id)

    def parse(operation: etree._Element) -> None:
        _single_result(operation, "session terminate")

    return Operation("session", element, parse)


def create_secret_key(
    *, ip_addresses: Sequence[str] | None = None, description: str | None = None, login: str | None = None
) -> Operation[str]:
    """``secret_key create``: a key for the ``KEY`` header, usable only from ``ip_addresses``
    (default: the caller's address) and acting as ``login`` (default: the admin)."""
    element = etree.Element("create")
    _fields(
        element,
        [
            ("ip_address", ",".join(ip_addresses) if ip_addresses else None),
            ("description", description),
            ("login", login),
        ],
    )

    def parse(operation: etree._Element) -> str:
        key = child_text(_single_result(operation, "secret_key create"), "key")
        if not key:
            raise ValueError("secret_key create: answer without a key")
        return key

    return Operation("secret_key", element, parse)


def get_secret_keys() -> Operation[list[SecretKeyInfo]]:
    """``secret_key get_info`` with an empty filter: every key visible to the login."""
    element = etree.Element("get_info")
    sub(element, "filter")

    def parse(operation: etree._Element) -> list[SecretKeyInfo]:
        infos = []
        for result in _ok_results(operation, "secret_key get_info", skip_not_found=True):
            for info in result.iterfind("key_info"):
                addresses = child_text(info, "ip_address") or ""
                infos.append(
                    SecretKeyInfo(
                        key=child_text(info, "key") or "",
                        ip_addresses=tuple(a.strip() for a in addresses.split(",") if a.strip()),
                        description=child_text(info, "description") or "",
                        login=_opt_str(child_text(info, "login")),
                    )
                )
        return infos

    return Operation("secret_key", element, parse)


def delete_secret_key(key: str) -> Operation[None]:
    """``secret_key delete`` of one key."""
    element = etree.Element("delete")
    _filter(element, {"key": key}, required=True)

    def parse(operation: etree._Element) -> None:
        _single_result(operation, "secret_key delete")

    return Operation("secret_key", element, parse)


# --- service-plan -------------------------------------------------------------------------------


def _parse_plan(result: etree._Element) -> ServicePlan:
    limits = result.find("limits")
    return ServicePlan(
        id=_int(child_text(result, "id"), "id"),
        name=child_text(result, "name") or "",
        guid=child_text(result, "guid") or "",
        external_id=_opt_str(child_text(result, "external-id")),
        owner_id=_opt_int(child_text(result, "owner-id")),
        owner_login=_opt_str(child_text(result, "owner-login")),
        overuse=_opt_str(child_text(limits, "overuse")) if limits is not None else None,
        limits=_int_limits(limits),
        hosting=_pairs(result.find("hosting/vrt_hst"), "property"),
    )


def _plan_owner(element: etree._Element, owner_id: int | None, owner_login: str | None, all_owners: bool) -> None:
    if sum(x is not None for x in (owner_id, owner_login)) + all_owners > 1:
        raise ValueError("give only one of owner_id, owner_login, all_owners")
    _fields(element, [("owner-id", owner_id), ("owner-login", owner_login)])
    if all_owners:
        sub(element, "owner-all")


def get_service_plans(
    *,
    names: Sequence[str] | None = None,
    ids: Sequence[int] | None = None,
    guids: Sequence[str] | None = None,
    external_ids: Sequence[str] | None = None,
    owner_id: int | None = None,
    owner_login: str | None = None,
    all_owners: bool = False,
) -> Operation[list[ServicePlan]]:
    """``service-plan get``. Without an owner argument Plesk returns only the authenticated login's own
    plans; ``owner_login``/``owner_id`` select one admin's or reseller's plans; ``all_owners`` every plan."""
    element = etree.Element("get")
    _filter(element, {"name": names, "id": ids, "guid": guids, "external-id": external_ids}, required=False)
    _plan_owner(element, owner_id, owner_login, all_owners)

    def parse(operation: etree._Element) -> list[ServicePlan]:
        found = _ok_results(operation, "service-plan get", skip_not_found=True)
        return [_parse_plan(r) for r in found if child_text(r, "id")]

    return Operation("service-plan", element, parse)


def get_service_plan(
    *,
    id: int | None = None,
    name: str | None = None,
    guid: str | None = None,
    external_id: str | None = None,
    owner_id: int | None = None,
    owner_login: str | None = None,
) -> Operation[ServicePlan]:
    """``service-plan get`` of exactly one plan; raises ``PleskNotFound`` when it does not exist."""
    element = etree.Element("get")
    _filter(element, {"name": name, "id": id, "guid": guid, "external-id": external_id}, required=True)
    _plan_owner(element, owner_id, owner_login, False)
    return Operation("service-plan", element, lambda op: _parse_plan(_single_result(op, "service-plan get")))


def add_service_plan(
    name: str,
    *,
    owner_id: int | None = None,
    owner_login: str | None = None,
    limits: Mapping[str, int] | None = None,
    overuse: str | None = None,
    hosting: Mapping[str, Any] | None = None,
    external_id: str | None = None,
) -> Operation[ObjectRef]:
    """``service-plan add``. ``hosting`` holds physical-hosting properties (e.g. ``{"ssl": True}``)."""
    element = etree.Element("add")
    sub(element, "name", name)
    _plan_owner(element, owner_id, owner_login, False)
    _limits(element, limits, overuse)
    if hosting:
        _properties(sub(element, "hosting"), hosting)
    _fields(element, [("external-id", external_id)])
    return Operation("service-plan", element, lambda op: _object_ref(op, "service-plan add"))


def set_service_plan(
    *,
    id: int | None = None,
    name: str | None = None,
    guid: str | None = None,
    external_id: str | None = None,
    owner_id: int | None = None,
    owner_login: str | None = None,
    limits: Mapping[str, int] | None = None,
    overuse: str | None = None,
    hosting: Mapping[str, Any] | None = None,
    new_external_id: str | None = None,
    new_name: str | None = None,
) -> Operation[int]:
    """``service-plan set`` of one plan; returns its id. Plesk applies the new limits and hosting settings
    to the subscriptions on the plan. Limits not given keep their values."""
    element = etree.Element("set")
    _filter(element, {"name": name, "id": id, "guid": guid, "external-id": external_id}, required=True)
    _plan_owner(element, owner_id, owner_login, False)
    _limits(element, limits, overuse)
    if hosting:
        _properties(sub(sub(element, "hosting"), "vrt_hst"), hosting)
    _fields(element, [("external-id", new_external_id), ("name", new_name)])
    return Operation("service-plan", element, lambda op: _affected_id(op, "service-plan set"))


def delete_service_plan(
    *,
    id: int | None = None,
    name: str | None = None,
    guid: str | None = None,
    external_id: str | None = None,
    owner_id: int | None = None,
    owner_login: str | None = None,
) -> Operation[None]:
    """``service-plan del`` of one plan. Plesk refuses to delete a plan that still has subscriptions."""
    element = etree.Element("del")
    _filter(element, {"name": name, "id": id, "guid": guid, "external-id": external_id}, required=True)
    _plan_owner(element, owner_id, owner_login, False)

    def parse(operation: etree._Element) -> None:
        _single_result(operation, "service-plan del")

    return Operation("service-plan", element, parse)


# --- customer -----------------------------------------------------------------------------------


def _parse_customer(result: etree._Element) -> Customer:
    gen_info = result.find("data/gen_info")
    if gen_info is None:
        raise ValueError("customer get: result without gen_info")

    def text(tag: str) -> str:
        return child_text(gen_info, tag) or ""

    return Customer(
        id=_int(child_text(result, "id"), "id"),
        login=text("login"),
        name=text("pname"),
        guid=_opt_str(text("guid")),
        company=text("cname"),
        email=text("email"),
        phone=text("phone"),
        fax=text("fax"),
        address=text("address"),
        city=text("city"),
        state=text("state"),
        postal_code=text("pcode"),
        country=text("country"),
        locale=text("locale"),
        status=_opt_int(text("status")) or 0,
        created=_date(text("cr_date")),
        owner_id=_opt_int(text("owner-id")),
        owner_login=_opt_str(text("owner-login")),
        vendor_guid=_opt_str(text("vendor-guid")),
        external_id=_opt_str(text("external-id")),
        description=_opt_str(text("description")),
        active_domains=_opt_int(result.findtext("data/stat/active_domains")),
    )


def _customer_dataset(element: etree._Element, stat: bool) -> None:
    dataset = sub(element, "dataset")
    sub(dataset, "gen_info")
    if stat:
        sub(dataset, "stat")


def get_customers(
    *,
    ids: Sequence[int] | None = None,
    logins: Sequence[str] | None = None,
    guids: Sequence[str] | None = None,
    external_ids: Sequence[str] | None = None,
    owner_ids: Sequence[int] | None = None,
    owner_logins: Sequence[str] | None = None,
    stat: bool = False,
) -> Operation[list[Customer]]:
    """``customer get`` by one kind of key (or none: every customer the login can see)."""
    element = etree.Element("get")
    selectors = {
        "id": ids,
        "login": logins,
        "owner-id": owner_ids,
        "owner-login": owner_logins,
        "guid": guids,
        "external-id": external_ids,
    }
    _filter(element, selectors, required=False)
    _customer_dataset(element, stat)

    def parse(operation: etree._Element) -> list[Customer]:
        found = _ok_results(operation, "customer get", skip_not_found=True)
        return [_parse_customer(r) for r in found if child_text(r, "id")]

    return Operation("customer", element, parse)


def get_customer(
    *,
    id: int | None = None,
    login: str | None = None,
    guid: str | None = None,
    external_id: str | None = None,
    stat: bool = False,
) -> Operation[Customer]:
    """``customer get`` of exactly one customer; raises ``PleskNotFound`` when it does not exist."""
    element = etree.Element("get")
    _filter(element, {"id": id, "login": login, "guid": guid, "external-id": external_id}, required=True)
    _customer_dataset(element, stat)
    return Operation("customer", element, lambda op: _parse_customer(_single_result(op, "customer get")))


def add_customer(
    *,
    login: str,
    password: str,
    name: str,
    company: str | None = None,
    status: int | None = None,
    phone: str | None = None,
    fax: str | None = None,
    email: str | None = None,
    address: str | None = None,
    city: str | None = None,
    state: str | None = None,
    postal_code: str | None = None,
    country: str | None = None,
    locale: str | None = None,
    owner_id: int | None = None,
    owner_login: str | None = None,
    owner_external_id: str | None = None,
    external_id: str | None = None,
    description: str | None = None,
) -> Operation[ObjectRef]:
    """``customer add``. Give ``external_id`` (our own key) so the customer can be found again after an
    unknown outcome; give ``owner_login`` to create it under a reseller."""
    element = etree.Element("add")
    gen_info = sub(element, "gen_info")
    _pick_one(
        {"owner_id": owner_id, "owner_login": owner_login, "owner_external_id": owner_external_id}, required=False
    )
    _fields(
        gen_info,
        [
            ("cname", company),
            ("pname", name),
            ("login", login),
            ("passwd", password),
            ("status", status),
            ("phone", phone),
            ("fax", fax),
            ("email", email),
            ("address", address),
            ("city", city),
            ("state", state),
            ("pcode", postal_code),
            ("country", country),
            ("locale", locale),
            ("owner-id", owner_id),
            ("owner-login", owner_login),
            ("owner-external-id", owner_external_id),
            ("external-id", external_id),
            ("description", description),
        ],
    )
    return Operation("customer", element, lambda op: _object_ref(op, "customer add"))


def set_customer(
    *,
    id: int | None = None,
    login: str | None = None,
    guid: str | None = None,
    external_id: str | None = None,
    name: str | None = None,
    company: str | None = None,
    new_login: str | None = None,
    password: str | None = None,
    status: int | None = None,
    phone: str | None = None,
    email: str | None = None,
    country: str | None = None,
    locale: str | None = None,
    new_external_id: str | None = None,
    description: str | None = None,
) -> Operation[int]:
    """``customer set`` of one customer (selected by ``id``/``login``/``guid``/``external_id``); returns its id.
    Suspend with ``status=16``, reactivate with ``status=0``."""
    element = etree.Element("set")
    _filter(element, {"id": id, "login": login, "guid": guid, "external-id": external_id}, required=True)
    gen_info = sub(sub(element, "values"), "gen_info")
    _fields(
        gen_info,
        [
            ("cname", company),
            ("pname", name),
            ("login", new_login),
            ("passwd", password),
            ("status", status),
            ("phone", phone),
            ("email", email),
            ("country", country),
            ("locale", locale),
            ("external-id", new_external_id),
            ("description", description),
        ],
    )
    return Operation("customer", element, lambda op: _affected_id(op, "customer set"))


def delete_customer(
    *, id: int | None = None, login: str | None = None, guid: str | None = None, external_id: str | None = None
) -> Operation[int]:
    """``customer del`` of one customer, with its subscriptions; returns its id."""
    element = etree.Element("del")
    _filter(element, {"id": id, "login": login, "guid": guid, "external-id": external_id}, required=True)
    return Operation("customer", element, lambda op: _affected_id(op, "customer del"))


# --- webspace -----------------------------------------------------------------------------------


def _parse_webspace(result: etree._Element) -> Webspace:
    data = result.find("data")
    gen_info = data.find("gen_info") if data is not None else None
    if data is None or gen_info is None:
        raise ValueError("webspace get: result without gen_info")

    def text(tag: str) -> str:
        return child_text(gen_info, tag) or ""

    vrt_hst = data.find("hosting/vrt_hst")
    hosting = _pairs(vrt_hst, "property")
    addresses = [ip.text or "" for ip in vrt_hst.iterfind("ip_address")] if vrt_hst is not None else []
    if not addresses:
        addresses = [ip.text or "" for ip in gen_info.iterfind("dns_ip_address")]
    subscription = data.find("subscriptions/subscription")
    plan_guids = [p.text or "" for p in subscription.iterfind("plan/plan-guid")] if subscription is not None else []
    return Webspace(
        id=_int(child_text(result, "id"), "id"),
        name=text("name"),
        guid=text("guid"),
        ascii_name=text("ascii-name"),
        status=_opt_int(text("status")) or 0,
        created=_date(text("cr_date")),
        htype=text("htype"),
        owner_id=_opt_int(text("owner-id")),
        owner_login=_opt_str(text("owner-login")),
        vendor_guid=_opt_str(text("vendor-guid")),
        external_id=_opt_str(text("external-id")),
        description=_opt_str(text("description")),
        ip_addresses=tuple(addresses),
        real_size=_opt_int(text("real_size")) or 0,
        ftp_login=hosting.get("ftp_login"),
        hosting=hosting,
        plan_guid=plan_guids[0] if plan_guids else None,
        addon_plan_guids=tuple(plan_guids[1:]),
        locked=_bool(child_text(subscription, "locked")) if subscription is not None else None,
        synchronized=_bool(child_text(subscription, "synchronized")) if subscription is not None else None,
        limits=_int_limits(data.find("limits")),
        overuse=_opt_str(data.findtext("limits/overuse")),
        usage=_webspace_usage(data, real_size=_opt_int(text("real_size")) or 0),
    )


def _webspace_usage(data: etree._Element, *, real_size: int) -> WebspaceUsage | None:
    """Usage from the ``stat`` and ``resource-usage`` blocks; ``resource-usage`` wins where both have a value."""
    stat = data.find("stat")
    usage = data.find("resource-usage")
    if stat is None and usage is None:
        return None
    resources = {name: int(value) for name, value in _pairs(usage, "resource").items() if _opt_int(value) is not None}

    def count(tag: str | None, resource: str) -> int:
        if resource in resources:
            return resources[resource]
        return (_opt_int(stat.findtext(tag)) if stat is not None and tag else None) or 0

    return WebspaceUsage(
        disk_space=resources.get("disk_space", real_size),
        traffic=count("traffic", "max_traffic"),
        traffic_prevday=count("traffic_prevday", "traffic_prevday"),
        domains=count("domains", "max_site"),
        sites=count("sites", "sites"),
        subdomains=count("subdom", "max_subdom"),
        domain_aliases=count(None, "max_dom_aliases"),
        mailboxes=count("box", "max_box"),
        databases=count("db", "max_db"),
        ftp_users=count(None, "max_subftp_users"),
        web_users=count("wu", "max_wu"),
        mail_lists=count("maillists", "max_maillists"),
        webapps=count("webapps", "max_webapps"),
        resources=resources,
    )


def _webspace_dataset(
    element: etree._Element, *, hosting: bool, limits: bool, subscriptions: bool, usage: bool
) -> None:
    # The dataset's children in the order of the schema.
    dataset = sub(element, "dataset")
    sub(dataset, "gen_info")
    if hosting:
        sub(dataset, "hosting")
    if limits:
        sub(dataset, "limits")
    if usage:
        sub(dataset, "stat")
    if subscriptions:
        sub(dataset, "subscriptions")
    if usage:
        sub(dataset, "resource-usage")


def get_webspaces(
    *,
    ids: Sequence[int] | None = None,
    names: Sequence[str] | None = None,
    guids: Sequence[str] | None = None,
    external_ids: Sequence[str] | None = None,
    owner_ids: Sequence[int] | None = None,
    owner_logins: Sequence[str] | None = None,
    owner_guids: Sequence[str] | None = None,
    owner_external_ids: Sequence[str] | None = None,
    hosting: bool = True,
    limits: bool = False,
    subscriptions: bool = True,
    usage: bool = False,
) -> Operation[list[Webspace]]:
    """``webspace get`` by one kind of key (or none: every subscription the login can see). ``usage`` adds
    the ``stat`` and ``resource-usage`` blocks (:attr:`Webspace.usage`)."""
    element = etree.Element("get")
    selectors = {
        "id": ids,
        "owner-id": owner_ids,
        "name": names,
        "owner-login": owner_logins,
        "guid": guids,
        "owner-guid": owner_guids,
        "external-id": external_ids,
        "owner-external-id": owner_external_ids,
    }
    _filter(element, selectors, required=False)
    _webspace_dataset(element, hosting=hosting, limits=limits, subscriptions=subscriptions, usage=usage)

    def parse(operation: etree._Element) -> list[Webspace]:
        found = _ok_results(operation, "webspace get", skip_not_found=True)
        return [_parse_webspace(r) for r in found if child_text(r, "id")]

    return Operation("webspace", element, parse)


def get_webspace(
    *,
    id: int | None = None,
    name: str | None = None,
    guid: str | None = None,
    external_id: str | None = None,
    hosting: bool = True,
    limits: bool = False,
    subscriptions: bool = True,
    usage: bool = False,
) -> Operation[Webspace]:
    """``webspace get`` of exactly one subscription; raises ``PleskNotFound`` when it does not exist."""
    element = etree.Element("get")
    _filter(element, {"id": id, "name": name, "guid": guid, "external-id": external_id}, required=True)
    _webspace_dataset(element, hosting=hosting, limits=limits, subscriptions=subscriptions, usage=usage)
    return Operation("webspace", element, lambda op: _parse_webspace(_single_result(op, "webspace get")))


def add_webspace(
    name: str,
    *,
    owner_id: int | None = None,
    owner_login: str | None = None,
    owner_guid: str | None = None,
    owner_external_id: str | None = None,
    plan_id: int | None = None,
    plan_name: str | None = None,
    plan_guid: str | None = None,
    plan_external_id: str | None = None,
    ip_address: str | None = None,
    ftp_login: str | None = None,
    ftp_password: str | None = None,
    htype: str | None = None,
    status: int | None = None,
    external_id: str | None = None,
    description: str | None = None,
    hosting_properties: Mapping[str, Any] | None = None,
) -> Operation[ObjectRef]:
    """``webspace add``: a subscription for domain ``name``.

    The owner defaults to the authenticated login; without a plan the subscription is "custom".
    Physical hosting (``htype="vrt_hst"``, the default when FTP credentials are given) needs
    ``ftp_login`` and ``ftp_password``. Give ``external_id`` so an unknown outcome can be reconciled.
    """
    owner = {"owner-id": owner_id, "owner-login": owner_login, "owner-guid": owner_guid}
    owner["owner-external-id"] = owner_external_id
    plan = {"plan-id": plan_id, "plan-name": plan_name, "plan-guid": plan_guid, "plan-external-id": plan_external_id}
    picked_owner = _pick_one(owner, required=False)
    picked_plan = _pick_one(plan, required=False)
    if htype is None and (ftp_login or ftp_password or hosting_properties):
        htype = "vrt_hst"
    if htype != "vrt_hst" and (ftp_login or ftp_password or hosting_properties):
        raise ValueError("FTP credentials and hosting properties need htype 'vrt_hst'")

    element = etree.Element("add")
    gen_setup = sub(element, "gen_setup")
    _fields(
        gen_setup,
        [
            ("name", name),
            *([picked_owner] if picked_owner else []),
            ("htype", htype),
            ("ip_address", ip_address),
            ("status", status),
            ("external-id", external_id),
            ("description", description),
        ],
    )
    if htype == "vrt_hst":
        vrt_hst = sub(sub(element, "hosting"), "vrt_hst")
        properties: dict[str, Any] = {}
        if ftp_login is not None:
            properties["ftp_login"] = ftp_login
        if ftp_password is not None:
            properties["ftp_password"] = ftp_password
        properties.update(hosting_properties or {})
        _properties(vrt_hst, properties)
        _fields(vrt_hst, [("ip_address", ip_address)])
    if picked_plan:
        _fields(element, [picked_plan])
    return Operation("webspace", element, lambda op: _object_ref(op, "webspace add"))


def set_webspace(
    *,
    id: int | None = None,
    name: str | None = None,
    guid: str | None = None,
    external_id: str | None = None,
    status: int | None = None,
    new_name: str | None = None,
    ip_address: str | None = None,
    new_external_id: str | None = None,
    description: str | None = None,
    ftp_password: str | None = None,
) -> Operation[int]:
    """``webspace set`` of one subscription; returns its id. Suspend with ``status=16``, activate with ``0``."""
    element = etree.Element("set")
    _filter(element, {"id": id, "name": name, "guid": guid, "external-id": external_id}, required=True)
    values = sub(element, "values")
    gen_setup_fields = [
        ("status", status),
        ("name", new_name),
        ("ip_address", ip_address),
        ("external-id", new_external_id),
        ("description", description),
    ]
    if any(value is not None for _, value in gen_setup_fields):
        _fields(sub(values, "gen_setup"), gen_setup_fields)
    if ftp_password is not None:
        _properties(sub(sub(values, "hosting"), "vrt_hst"), {"ftp_password": ftp_password})
    return Operation("webspace", element, lambda op: _affected_id(op, "webspace set"))


def switch_webspace_plan(
    *,
    id: int | None = None,
    name: str | None = None,
    guid: str | None = None,
    external_id: str | None = None,
    plan_guid: str | None = None,
    plan_external_id: str | None = None,
    no_plan: bool = False,
) -> Operation[int]:
    """``webspace switch-subscription`` of one subscription to another plan (by GUID or external id),
    or to no plan; returns its id."""
    element = etree.Element("switch-subscription")
    _filter(element, {"id": id, "name": name, "guid": guid, "external-id": external_id}, required=True)
    target = _pick_one(
        {"plan-guid": plan_guid, "plan-external-id": plan_external_id, "no-plan": True if no_plan else None},
        required=True,
    )
    if target and target[0] == "no-plan":
        sub(element, "no-plan")
    elif target:
        _fields(element, [target])
    return Operation("webspace", element, lambda op: _affected_id(op, "webspace switch-subscription"))


def delete_webspace(
    *, id: int | None = None, name: str | None = None, guid: str | None = None, external_id: str | None = None
) -> Operation[int]:
    """``webspace del`` of one subscription, with its sites, mail and databases; returns its id."""
    element = etree.Element("del")
    _filter(element, {"id": id, "name": name, "guid": guid, "external-id": external_id}, required=True)
    return Operation("webspace", element, lambda op: _affected_id(op, "webspace del"))


# --- reseller -----------------------------------------------------------------------------------


def _parse_reseller(result: etree._Element) -> Reseller:
    data = result.find("data")
    gen_info = data.find("gen-info") if data is not None else None
    if data is None or gen_info is None:
        raise ValueError("reseller get: result without gen-info")

    def text(tag: str) -> str:
        return child_text(gen_info, tag) or ""

    plan = data.findtext("subscriptions/subscription/plan/plan-guid")
    permissions = _pairs(data.find("permissions"), "permission")
    oversell = _bool(data.findtext("limits/resource-policy/oversell"))
    if oversell is None and "allow_oversell" in permissions:
        oversell = _bool(permissions["allow_oversell"])
    return Reseller(
        id=_int(child_text(result, "id"), "id"),
        login=text("login"),
        name=text("pname"),
        guid=_opt_str(text("guid")),
        company=text("cname"),
        email=text("email"),
        country=text("country"),
        locale=text("locale"),
        status=_opt_int(text("status")) or 0,
        created=_date(text("cr-date")),
        external_id=_opt_str(text("external-id")),
        description=_opt_str(text("description")),
        power_user=_bool(child_text(gen_info, "power-user")),
        ip_pool=tuple(
            ResellerIP(address=child_text(ip, "ip-address") or "", type=child_text(ip, "ip-type") or "")
            for ip in data.iterfind("ippool/ip")
        ),
        plan_guid=_opt_str(plan),
        limits=_int_limits(data.find("limits")),
        permissions={name: bool(_bool(value)) for name, value in permissions.items()},
        clients=_opt_int(data.findtext("stat/clients")),
        domains=_opt_int(data.findtext("stat/domains")),
        oversell=oversell,
        overuse=_opt_str(data.findtext("limits/resource-policy/overuse")),
        usage=_reseller_usage(data.find("stat")),
    )


def _reseller_usage(stat: etree._Element | None) -> ResellerUsage | None:
    if stat is None:
        return None

    def count(tag: str) -> int:
        return _opt_int(stat.findtext(tag)) or 0

    return ResellerUsage(
        active_clients=count("active-clients"),
        active_domains=count("active-domains"),
        clients=count("clients"),
        domains=count("domains"),
        subdomains=count("subdomains"),
        domain_aliases=count("domain-aliases"),
        disk_space=count("disk-space"),
        web_users=count("web-users"),
        databases=count("data-bases"),
        mailboxes=count("postboxs"),
        mail_lists=count("mail-lists"),
        webapps=count("webapps"),
        traffic=count("traffic"),
        traffic_prevday=count("traffic-prevday"),
    )


def _reseller_dataset(element: etree._Element, *, stat: bool, limits: bool, permissions: bool) -> None:
    dataset = sub(element, "dataset")
    sub(dataset, "gen-info")
    if stat:
        sub(dataset, "stat")
    if permissions:
        sub(dataset, "permissions")
    if limits:
        sub(dataset, "limits")
    sub(dataset, "ippool")
    sub(dataset, "subscriptions")


def get_resellers(
    *,
    ids: Sequence[int] | None = None,
    logins: Sequence[str] | None = None,
    guids: Sequence[str] | None = None,
    external_ids: Sequence[str] | None = None,
    stat: bool = False,
    limits: bool = False,
    permissions: bool = False,
) -> Operation[list[Reseller]]:
    """``reseller get`` by one kind of key, or every reseller (``<all/>``) when none is given."""
    element = etree.Element("get")
    selectors = {"id": ids, "login": logins, "guid": guids, "external-id": external_ids}
    if _pick_one(selectors, required=False) is None:
        sub(sub(element, "filter"), "all")
    else:
        _filter(element, selectors, required=True)
    _reseller_dataset(element, stat=stat, limits=limits, permissions=permissions)

    def parse(operation: etree._Element) -> list[Reseller]:
        found = _ok_results(operation, "reseller get", skip_not_found=True)
        return [_parse_reseller(r) for r in found if child_text(r, "id")]

    return Operation("reseller", element, parse)


def get_reseller(
    *,
    id: int | None = None,
    login: str | None = None,
    guid: str | None = None,
    external_id: str | None = None,
    stat: bool = False,
    limits: bool = False,
    permissions: bool = False,
) -> Operation[Reseller]:
    """``reseller get`` of exactly one reseller; raises ``PleskNotFound`` when it does not exist."""
    element = etree.Element("get")
    _filter(element, {"id": id, "login": login, "guid": guid, "external-id": external_id}, required=True)
    _reseller_dataset(element, stat=stat, limits=limits, permissions=permissions)
    return Operation("reseller", element, lambda op: _parse_reseller(_single_result(op, "reseller get")))


def add_reseller(
    *,
    login: str,
    password: str,
    name: str,
    company: str | None = None,
    status: int | None = None,
    email: str | None = None,
    country: str | None = None,
    locale: str | None = None,
    external_id: str | None = None,
    description: str | None = None,
    plan_id: int | None = None,
    plan_name: str | None = None,
    plan_guid: str | None = None,
    plan_external_id: str | None = None,
) -> Operation[ObjectRef]:
    """``reseller add``, optionally subscribed to a reseller plan."""
    plan = {"plan-id": plan_id, "plan-name": plan_name, "plan-guid": plan_guid, "plan-external-id": plan_external_id}
    picked_plan = _pick_one(plan, required=False)
    element = etree.Element("add")
    _fields(
        sub(element, "gen-info"),
        [
            ("cname", company),
            ("pname", name),
            ("login", login),
            ("passwd", password),
            ("status", status),
            ("email", email),
            ("country", country),
            ("locale", locale),
            ("external-id", external_id),
            ("description", description),
        ],
    )
    if picked_plan:
        _fields(element, [picked_plan])
    return Operation("reseller", element, lambda op: _object_ref(op, "reseller add"))


def set_reseller(
    *,
    id: int | None = None,
    login: str | None = None,
    guid: str | None = None,
    external_id: str | None = None,
    name: str | None = None,
    password: str | None = None,
    status: int | None = None,
    email: str | None = None,
) -> Operation[int]:
    """``reseller set`` of one reseller; returns its id."""
    element = etree.Element("set")
    _filter(element, {"id": id, "login": login, "guid": guid, "external-id": external_id}, required=True)
    gen_info = sub(sub(element, "values"), "gen-info")
    _fields(gen_info, [("pname", name), ("passwd", password), ("status", status), ("email", email)])
    return Operation("reseller", element, lambda op: _affected_id(op, "reseller set"))


def delete_reseller(
    *, id: int | None = None, login: str | None = None, guid: str | None = None, external_id: str | None = None
) -> Operation[int]:
    """``reseller del`` of one reseller, with its customers, subscriptions and plans; returns its id."""
    element = etree.Element("del")
    _filter(element, {"id": id, "login": login, "guid": guid, "external-id": external_id}, required=True)
    return Operation("reseller", element, lambda op: _affected_id(op, "reseller del"))
