"""Sandbox handlers of the ``customer``, ``reseller`` and ``reseller-plan`` operators."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from ..xml import child_text, sub
from .common import (
    ALREADY_EXISTS,
    NOT_FOUND,
    OWNER_NOT_FOUND,
    PERMISSION_DENIED,
    TEXT_OWNER_NOT_FOUND,
    TEXT_PERMISSION_DENIED,
    Context,
    Match,
    OperationError,
    add_fields,
    add_pairs,
    check_login,
    check_password_policy,
    duplicate_login,
    error_result,
    filter_error,
    filter_result,
    login_taken,
    ok_result,
    parse_status,
    read_dataset,
    read_filter,
    read_limits,
    read_pairs,
    require_admin,
    required,
    select,
)
from .package import check_room
from .state import Account, CreateEvent, DeleteEvent, ResellerPlan, Webspace, hash_password, new_guid, today

CUSTOMER_NOT_FOUND = "client does not exist"
RESELLER_NOT_FOUND = "reseller does not exist"
RESELLER_PLAN_NOT_FOUND = "Reseller plan does not exist"

# gen_info/gen-info contact fields shared by add, set and get: (element, attribute).
_CONTACT = (
    ("cname", "cname"),
    ("pname", "pname"),
    ("phone", "phone"),
    ("fax", "fax"),
    ("email", "email"),
    ("address", "address"),
    ("city", "city"),
    ("state", "state"),
    ("pcode", "pcode"),
    ("country", "country"),
    ("locale", "locale"),
    ("description", "description"),
)
_CONTACT_OUT: tuple[str, ...] = ("cname", "pname", "login", "status", "phone", "fax", "email")
_CONTACT_OUT += ("address", "city", "state", "pcode", "country", "locale")
DEFAULT_RESELLER_PERMISSIONS = {"create_clients": True, "allow_oversell": False}


def _account_lookups(accounts: list[Account]) -> dict[str, Callable[[str], Account | None]]:
    def first(predicate: Callable[[Account], bool]) -> Account | None:
        return next((a for a in accounts if predicate(a)), None)

    return {
        "id": lambda v: first(lambda a: str(a.id) == v.strip()),
        "login": lambda v: first(lambda a: a.login.casefold() == v.casefold()),
        "guid": lambda v: first(lambda a: a.guid == v.strip().lower()),
        "external-id": lambda v: first(lambda a: bool(a.external_id) and a.external_id == v),
    }


def _contact_fields(account: Account) -> list[tuple[str, object]]:
    return [(tag, getattr(account, tag)) for tag in _CONTACT_OUT]


def _apply_gen_info(ctx: Context, account: Account, gen_info: etree._Element, *, new: bool) -> dict[str, object]:
    """Validated attribute changes from an add/set ``gen_info``; nothing is applied here."""
    changes: dict[str, object] = {}
    for tag, attribute in _CONTACT:
        value = child_text(gen_info, tag)
        if value is not None:
            changes[attribute] = value
    login = child_text(gen_info, "login")
    if login is not None:
        check_login(login)
        if login_taken(ctx.state, login, except_id=None if new else account.id):
            raise duplicate_login(login)
        changes["login"] = login
    password = child_text(gen_info, "passwd")
    if password is not None:
        check_password_policy(password)
        changes["password_hash"] = hash_password(password)
    if child_text(gen_info, "status") is not None:
        changes["status"] = parse_status(child_text(gen_info, "status"), ctx.requester)
    if gen_info.find("guid") is not None:
        changes["guid"] = new_guid()
    external_id = child_text(gen_info, "external-id")
    if external_id:
        clash = [a for a in ctx.state.accounts if a.type == account.type and a.id != account.id]
        if any(a.external_id == external_id for a in clash):
            raise OperationError(ALREADY_EXISTS, f"An account with the external ID {external_id} already exists.")
    if external_id is not None:
        changes["external_id"] = external_id
    if child_text(gen_info, "power-user") is not None:
        changes["power_user"] = child_text(gen_info, "power-user") in ("true", "1")
    return changes


def _delete_account(ctx: Context, account: Account) -> None:
    """Remove ``account`` with what hangs off it: customers, subscriptions, plans, keys, sessions."""
    state = ctx.state
    doomed = {account.id} | {a.id for a in state.accounts if a.owner_id == account.id and a.type == "customer"}
    logins = {a.login for a in state.accounts if a.id in doomed}
    state.deleted += [
        DeleteEvent("webspace", w.id, w.name, w.external_id) for w in state.webspaces if w.owner_id in doomed
    ]
    state.deleted += [
        DeleteEvent("service-plan", p.id, p.name, p.external_id) for p in state.plans if p.owner_id in doomed
    ]
    state.deleted += [DeleteEvent(a.type, a.id, a.login, a.external_id) for a in state.accounts if a.id in doomed]
    state.webspaces = [w for w in state.webspaces if w.owner_id not in doomed]
    state.plans = [p for p in state.plans if p.owner_id not in doomed]
    state.accounts = [a for a in state.accounts if a.id not in doomed]
    state.secret_keys = [k for k in state.secret_keys if k.login not in logins]
    state.panel_sessions = {k: s for k, s in state.panel_sessions.items() if s.login not in logins}
    state.sso_tokens = {k: t for k, t in state.sso_tokens.items() if t.login not in logins}
    ctx.dirty = True


def _new_account(ctx: Context, kind: str, owner: Account, gen_info: etree._Element) -> Account:
    login = child_text(gen_info, "login") or ""
    password = child_text(gen_info, "passwd") or ""
    check_login(login)
    if login_taken(ctx.state, login):
        raise duplicate_login(login)
    check_password_policy(password)
    account = Account(
        id=0,
        type=kind,
        login=login,
        password_hash="",
        guid=new_guid(),
        owner_id=owner.id,
        cr_date=today(),
    )
    for attribute, value in _apply_gen_info(ctx, account, gen_info, new=True).items():
        setattr(account, attribute, value)
    account.id = ctx.state.new_id("account")
    ctx.state.accounts.append(account)
    ctx.state.created.append(CreateEvent(kind, account.id, account.login, account.external_id))
    ctx.dirty = True
    return account


# --- customer ---------------------------------------------------------------------------------------


def customer_add(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``customer add`` under the requester or, for the admin, the given reseller; logins are unique (1007)."""
    if ctx.requester.type == "customer":
        raise OperationError(PERMISSION_DENIED, TEXT_PERMISSION_DENIED)
    gen_info = required(operation, "gen_info")
    owner = ctx.requester
    for tag, kind in (("owner-id", "id"), ("owner-login", "login"), ("owner-external-id", "external-id")):
        value = child_text(gen_info, tag)
        if value is not None:
            found = ctx.find_account(kind, value, types=("admin", "reseller"))
            if found is None:
                raise OperationError(OWNER_NOT_FOUND, TEXT_OWNER_NOT_FOUND)
            owner = found
    customers = sum(1 for a in ctx.state.accounts if a.type == "customer" and a.owner_id == owner.id)
    check_room(owner, "max_cl", customers)
    account = _new_account(ctx, "customer", owner, gen_info)
    add_fields(ok_result(answer), [("id", account.id), ("guid", account.guid)])


def _customer_matches(ctx: Context, operation: etree._Element) -> list[Match]:
    visible = [a for a in ctx.state.accounts if a.type == "customer" and ctx.sees_account(a)]

    def owned_by(kind: str) -> Callable[[str], list[Account]]:
        def lookup(value: str) -> list[Account]:
            owner = ctx.find_account(kind, value, types=("admin", "reseller"))
            return [a for a in visible if owner is not None and a.owner_id == owner.id]

        return lookup

    kind, values = read_filter(operation)
    return select(
        kind,
        values,
        everything=lambda: visible,
        by_value=_account_lookups(visible),
        by_owner={"owner-id": owned_by("id"), "owner-login": owned_by("login")},
    )


def customer_get(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``customer get`` with the ``gen_info`` and ``stat`` blocks the dataset asks for."""
    dataset = read_dataset(operation)
    for match in _customer_matches(ctx, operation):
        if match.missing:
            filter_error(answer, NOT_FOUND, CUSTOMER_NOT_FOUND, match.filter_id)
        elif match.obj is None:
            filter_result(answer, match, None)
        else:
            customer: Account = match.obj
            data = sub(filter_result(answer, match, customer.id), "data")
            if "gen_info" in dataset:
                owner = ctx.state.account(customer.owner_id)
                add_fields(
                    sub(data, "gen_info"),
                    [
                        ("cr_date", customer.cr_date),
                        *_contact_fields(customer),
                        ("guid", customer.guid),
                        ("owner-id", customer.owner_id),
                        ("owner-login", owner.login if owner else None),
                        ("vendor-guid", owner.guid if owner else None),
                        ("external-id", customer.external_id),
                        ("description", customer.description),
                    ],
                )
            if "stat" in dataset:
                owned = [w for w in ctx.state.webspaces if w.owner_id == customer.id]
                total = _usage_total(owned)
                add_fields(
                    sub(data, "stat"),
                    [
                        ("active_domains", sum(1 for w in owned if w.status == 0)),
                        ("subdomains", total("max_subdom")),
                        ("disk_space", total("disk_space")),
                        ("postboxs", total("max_box")),
                        *((tag, 0) for tag in ("redirects", "mail_groups", "mail_resps")),
                        ("mail_lists", total("max_maillists")),
                        ("web_users", total("max_wu")),
                        ("data_bases", total("max_db")),
                        ("webapps", total("max_webapps")),
                        ("traffic", total("max_traffic")),
                        ("traffic_prevday", sum(w.traffic_prevday for w in owned)),
                    ],
                )


def _usage_total(webspaces: list[Webspace]) -> Callable[[str], int]:
    """What ``webspaces`` use together, by limit name."""
    return lambda name: sum(w.used(name) for w in webspaces)


def customer_set(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``customer set``: one result per affected customer; a refused change is an error for that one only."""
    gen_info = operation.find("values/gen_info")
    for match in _customer_matches(ctx, operation):
        if match.missing:
            filter_error(answer, NOT_FOUND, CUSTOMER_NOT_FOUND, match.filter_id)
        elif match.obj is None:
            filter_result(answer, match, None)
        else:
            try:
                changes = _apply_gen_info(ctx, match.obj, gen_info, new=False) if gen_info is not None else {}
            except OperationError as error:
                add_fields(filter_error(answer, error.errcode, error.errtext, match.filter_id), [("id", match.obj.id)])
                continue
            for attribute, value in changes.items():
                setattr(match.obj, attribute, value)
            ctx.dirty = True
            filter_result(answer, match, match.obj.id)


def customer_del(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``customer del``: removes each matching customer with its subscriptions."""
    for match in _customer_matches(ctx, operation):
        if match.missing:
            filter_error(answer, NOT_FOUND, CUSTOMER_NOT_FOUND, match.filter_id)
        elif match.obj is None:
            filter_result(answer, match, None)
        else:
            _delete_account(ctx, match.obj)
            filter_result(answer, match, match.obj.id)


# --- reseller ---------------------------------------------------------------------------------------


def _reseller_plan(ctx: Context, operation: etree._Element) -> ResellerPlan | None:
    lookups: dict[str, Callable[[ResellerPlan], str]] = {
        "plan-id": lambda p: str(p.id),
        "plan-name": lambda p: p.name.casefold(),
        "plan-guid": lambda p: p.guid,
        "plan-external-id": lambda p: p.external_id,
    }
    for tag, key in lookups.items():
        value = child_text(operation, tag)
        if value is not None:
            wanted = value.strip().casefold() if tag == "plan-name" else value.strip()
            plan = next((p for p in ctx.state.reseller_plans if key(p) == wanted and wanted), None)
            if plan is None:
                raise OperationError(NOT_FOUND, RESELLER_PLAN_NOT_FOUND)
            return plan
    return None


def reseller_add(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``reseller add`` (admin only): the IP pool starts with the server's shared IPs."""
    require_admin(ctx)
    plan = _reseller_plan(ctx, operation)
    limits_element = operation.find("limits")
    permissions = read_pairs(operation.find("permissions"), "permission")
    reseller = _new_account(ctx, "reseller", ctx.requester, required(operation, "gen-info"))
    reseller.ip_pool = [{"ip": ip.address, "type": ip.type} for ip in ctx.state.ips if ip.type == "shared"]
    reseller.plan_guid = plan.guid if plan else None
    reseller.limits = {**(plan.limits if plan else {}), **read_limits(limits_element)}
    reseller.permissions = dict(plan.permissions if plan else DEFAULT_RESELLER_PERMISSIONS)
    reseller.permissions.update({name: value in ("true", "1") for name, value in permissions.items()})
    _apply_resource_policy(reseller, limits_element)
    add_fields(ok_result(answer), [("id", reseller.id), ("guid", reseller.guid)])


def _apply_resource_policy(reseller: Account, limits: etree._Element | None) -> None:
    """``limits/resource-policy``: overuse, and oversell (kept as the ``allow_oversell`` permission)."""
    if limits is None:
        return
    reseller.overuse = limits.findtext("resource-policy/overuse") or reseller.overuse
    oversell = limits.findtext("resource-policy/oversell")
    if oversell:
        reseller.permissions["allow_oversell"] = oversell.strip() in ("true", "1")


def _reseller_matches(ctx: Context, operation: etree._Element) -> list[Match]:
    resellers = [a for a in ctx.state.accounts if a.type == "reseller"]
    kind, values = read_filter(operation)
    return select(kind, values, everything=lambda: resellers, by_value=_account_lookups(resellers))


def reseller_get(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``reseller get`` (admin only) with the requested dataset blocks."""
    require_admin(ctx)
    dataset = read_dataset(operation)
    for match in _reseller_matches(ctx, operation):
        if match.missing:
            filter_error(answer, NOT_FOUND, RESELLER_NOT_FOUND, match.filter_id)
        elif match.obj is None:
            filter_result(answer, match, None)
        else:
            _reseller_data(ctx, sub(filter_result(answer, match, match.obj.id), "data"), match.obj, dataset)


def _reseller_data(ctx: Context, data: etree._Element, reseller: Account, dataset: set[str]) -> None:
    state = ctx.state
    if "gen-info" in dataset:
        add_fields(
            sub(data, "gen-info"),
            [
                ("cr-date", reseller.cr_date),
                *_contact_fields(reseller),
                ("guid", reseller.guid),
                ("external-id", reseller.external_id),
                ("description", reseller.description),
                ("power-user", reseller.power_user),
            ],
        )
    if "stat" in dataset:
        customers = [a for a in state.accounts if a.owner_id == reseller.id and a.type == "customer"]
        owners = {reseller.id} | {c.id for c in customers}
        domains = [w for w in state.webspaces if w.owner_id in owners]
        total = _usage_total(domains)
        add_fields(
            sub(data, "stat"),
            [
                ("active-clients", sum(1 for c in customers if c.status == 0)),
                ("active-domains", sum(1 for w in domains if w.status == 0)),
                ("clients", len(customers)),
                ("domains", len(domains)),
                ("subdomains", total("max_subdom")),
                ("domain-aliases", total("max_dom_aliases")),
                ("disk-space", total("disk_space")),
                ("web-users", total("max_wu")),
                ("data-bases", total("max_db")),
                ("postboxs", total("max_box")),
                *((tag, 0) for tag in ("mbox-quota", "redirects", "mail-groups", "mail-resps")),
                ("mail-lists", total("max_maillists")),
                ("webapps", total("max_webapps")),
                ("mssql-data-bases", 0),
                ("traffic", total("max_traffic")),
                ("traffic-prevday", sum(w.traffic_prevday for w in domains)),
            ],
        )
    if "permissions" in dataset and reseller.permissions:
        add_pairs(sub(data, "permissions"), "permission", reseller.permissions)
    if "limits" in dataset:
        limits = sub(data, "limits")
        policy = [("oversell", reseller.permissions.get("allow_oversell", False)), ("overuse", reseller.overuse)]
        add_fields(sub(limits, "resource-policy"), policy)
        add_pairs(limits, "limit", reseller.limits)
    if "ippool" in dataset:
        pool = sub(data, "ippool")
        for entry in reseller.ip_pool:
            add_fields(sub(pool, "ip"), [("ip-address", entry["ip"]), ("ip-type", entry["type"])])
    if "subscriptions" in dataset:
        subscriptions = sub(data, "subscriptions")
        if reseller.plan_guid:
            subscription = sub(subscriptions, "subscription")
            add_fields(subscription, [("locked", False), ("synchronized", True)])
            sub(sub(subscription, "plan"), "plan-guid", reseller.plan_guid)


def reseller_set(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``reseller set`` (admin only): ``gen-info``, ``limits`` and ``permissions``."""
    require_admin(ctx)
    values = required(operation, "values")
    gen_info = values.find("gen-info")
    for match in _reseller_matches(ctx, operation):
        if match.missing:
            filter_error(answer, NOT_FOUND, RESELLER_NOT_FOUND, match.filter_id)
            continue
        if match.obj is None:
            filter_result(answer, match, None)
            continue
        try:
            changes = _apply_gen_info(ctx, match.obj, gen_info, new=False) if gen_info is not None else {}
            limits = read_limits(values.find("limits"))
        except OperationError as error:
            add_fields(filter_error(answer, error.errcode, error.errtext, match.filter_id), [("id", match.obj.id)])
            continue
        for attribute, value in changes.items():
            setattr(match.obj, attribute, value)
        match.obj.limits.update(limits)
        _apply_resource_policy(match.obj, values.find("limits"))
        permissions = read_pairs(values.find("permissions"), "permission")
        match.obj.permissions.update({name: value in ("true", "1") for name, value in permissions.items()})
        ctx.dirty = True
        filter_result(answer, match, match.obj.id)


def reseller_del(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``reseller del`` (admin only): removes the reseller, its customers, their subscriptions and its plans."""
    require_admin(ctx)
    for match in _reseller_matches(ctx, operation):
        if match.missing:
            filter_error(answer, NOT_FOUND, RESELLER_NOT_FOUND, match.filter_id)
        elif match.obj is None:
            filter_result(answer, match, None)
        else:
            _delete_account(ctx, match.obj)
            filter_result(answer, match, match.obj.id)


def reseller_plan_get(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``reseller-plan get`` (admin only) with the optional ``limits``/``permissions``/``ip-pool`` blocks."""
    require_admin(ctx)
    plans = ctx.state.reseller_plans
    lookups = {
        "id": lambda v: next((p for p in plans if str(p.id) == v.strip()), None),
        "name": lambda v: next((p for p in plans if p.name.casefold() == v.casefold()), None),
        "guid": lambda v: next((p for p in plans if p.guid == v.strip().lower()), None),
        "external-id": lambda v: next((p for p in plans if p.external_id and p.external_id == v), None),
    }
    kind, values = read_filter(operation)
    for match in select(kind, values, everything=lambda: list(plans), by_value=lookups):
        plan: ResellerPlan | None = match.obj
        if match.missing:
            assert kind is not None  # only the values of a filter can match nothing
            add_fields(error_result(answer, NOT_FOUND, RESELLER_PLAN_NOT_FOUND), [(kind, match.filter_id)])
            continue
        result = ok_result(answer)
        if plan is None:
            continue
        add_fields(
            result, [("id", plan.id), ("name", plan.name), ("guid", plan.guid), ("external-id", plan.external_id)]
        )
        if operation.find("limits") is not None:
            add_pairs(sub(result, "limits"), "limit", plan.limits)
        if operation.find("permissions") is not None and plan.permissions:
            add_pairs(sub(result, "permissions"), "permission", plan.permissions)
        if operation.find("ip-pool") is not None:
            sub(result, "ip-pool")


HANDLERS = {
    ("customer", "add"): customer_add,
    ("customer", "get"): customer_get,
    ("customer", "set"): customer_set,
    ("customer", "del"): customer_del,
    ("reseller", "add"): reseller_add,
    ("reseller", "get"): reseller_get,
    ("reseller", "set"): reseller_set,
    ("reseller", "del"): reseller_del,
    ("reseller-plan", "get"): reseller_plan_get,
}
