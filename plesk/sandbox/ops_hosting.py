"""Sandbox handlers of the ``service-plan`` and ``webspace`` operators."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from ..xml import child_text, sub
from .common import (
    ALREADY_EXISTS,
    INVALID_VALUE,
    IP_NOT_FOUND,
    NOT_FOUND,
    OPERATION_FAILED,
    OWNER_NOT_FOUND,
    PERMISSION_DENIED,
    TEXT_OWNER_NOT_FOUND,
    TEXT_PERMISSION_DENIED,
    UNSUPPORTED,
    Context,
    Match,
    OperationError,
    add_fields,
    add_pairs,
    ascii_domain,
    check_ftp_login,
    check_password_policy,
    error_result,
    filter_error,
    filter_result,
    ok_result,
    parse_status,
    read_dataset,
    read_filter,
    read_limits,
    read_pairs,
    required,
    select,
)
from .package import check_fits, check_room, check_usage_fits, effective_limits, vendor_webspaces
from .state import USAGE_NAMES, Account, CreateEvent, DeleteEvent, Plan, Webspace, new_guid, today

PLAN_NOT_FOUND = "Service plan does not exist"
DOMAIN_NOT_FOUND = "domain does not exist"
_OWNER_KEYS = ("owner-id", "owner-login", "owner-guid", "owner-external-id")
_OWNER_KIND = {"owner-id": "id", "owner-login": "login", "owner-guid": "guid", "owner-external-id": "external-id"}


# --- service-plan ---------------------------------------------------------------------------------


def _plan_owner(ctx: Context, operation: etree._Element) -> Account:
    """The owner named by ``owner-id``/``owner-login`` beside the filter, or the requester."""
    for tag in ("owner-id", "owner-login"):
        value = child_text(operation, tag)
        if value is not None:
            owner = ctx.find_account(_OWNER_KIND[tag], value, types=("admin", "reseller"))
            if owner is None:
                raise OperationError(OWNER_NOT_FOUND, TEXT_OWNER_NOT_FOUND)
            return owner
    return ctx.requester


def _plan_lookups(plans: list[Plan]) -> dict[str, Callable[[str], Plan | None]]:
    def first(predicate: Callable[[Plan], bool]) -> Plan | None:
        return next((plan for plan in plans if predicate(plan)), None)

    return {
        "name": lambda v: first(lambda p: p.name.casefold() == v.casefold()),
        "id": lambda v: first(lambda p: str(p.id) == v.strip()),
        "guid": lambda v: first(lambda p: p.guid == v.strip().lower()),
        "external-id": lambda v: first(lambda p: bool(p.external_id) and p.external_id == v),
    }


def _plan_error(parent: etree._Element, errcode: int, errtext: str, kind: str | None, match: Match) -> None:
    result = error_result(parent, errcode, errtext)
    if kind in ("id", "name", "guid", "external-id"):
        add_fields(result, [(kind, match.filter_id)])


def service_plan_get(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``service-plan get``: own plans by default, one owner's with ``owner-*``, all with ``owner-all``."""
    if operation.find("owner-all") is not None:
        pool = [plan for plan in ctx.state.plans if ctx.sees_plan(plan)]
    else:
        owner = _plan_owner(ctx, operation)
        pool = [plan for plan in ctx.state.plans if plan.owner_id == owner.id and ctx.sees_plan(plan)]
    kind, values = read_filter(operation)
    for match in select(kind, values, everything=lambda: pool, by_value=_plan_lookups(pool)):
        if match.missing:
            _plan_error(answer, NOT_FOUND, PLAN_NOT_FOUND, kind, match)
        elif match.obj is None:
            ok_result(answer)
        else:
            _plan_result(ctx, answer, match.obj)


def _plan_result(ctx: Context, answer: etree._Element, plan: Plan) -> None:
    owner = ctx.state.account(plan.owner_id)
    result = ok_result(answer)
    add_fields(
        result,
        [
            ("id", plan.id),
            ("name", plan.name),
            ("guid", plan.guid),
            ("external-id", plan.external_id),
            ("owner-id", plan.owner_id),
            ("owner-login", owner.login if owner else None),
        ],
    )
    limits = sub(result, "limits")
    add_fields(limits, [("overuse", plan.overuse)])
    add_pairs(limits, "limit", plan.limits)
    add_pairs(sub(sub(result, "hosting"), "vrt_hst"), "property", plan.hosting)


def service_plan_add(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``service-plan add`` for the requester or, for the admin, the given owner."""
    if ctx.requester.type == "customer":
        raise OperationError(PERMISSION_DENIED, TEXT_PERMISSION_DENIED)
    owner = _plan_owner(ctx, operation)
    name = child_text(operation, "name") or ""
    if any(p.owner_id == owner.id and p.name.casefold() == name.casefold() for p in ctx.state.plans):
        raise OperationError(ALREADY_EXISTS, f"The service plan {name} already exists.")
    external_id = child_text(operation, "external-id") or ""
    if external_id and any(p.external_id == external_id for p in ctx.state.plans):
        raise OperationError(ALREADY_EXISTS, f"A service plan with the external ID {external_id} already exists.")
    limits_element = operation.find("limits")
    overuse = child_text(limits_element, "overuse") if limits_element is not None else None
    limits = read_limits(limits_element)
    check_fits(ctx.state, owner, limits, others=vendor_webspaces(ctx.state, owner))
    plan = Plan(
        id=ctx.state.new_id("plan"),
        guid=new_guid(),
        name=name,
        owner_id=owner.id,
        external_id=external_id,
        overuse=overuse or "block",
        limits=limits,
        hosting=read_pairs(operation.find("hosting"), "property"),
    )
    ctx.state.plans.append(plan)
    ctx.state.created.append(CreateEvent("service-plan", plan.id, plan.name, plan.external_id))
    ctx.dirty = True
    add_fields(ok_result(answer), [("id", plan.id), ("guid", plan.guid)])


def _apply_plan_set(ctx: Context, owner: Account, plan: Plan, operation: etree._Element) -> None:
    # Validate everything first so a refused change leaves the plan and its subscriptions untouched.
    name = child_text(operation, "name")
    if name is not None and any(
        p.owner_id == owner.id and p.id != plan.id and p.name.casefold() == name.casefold() for p in ctx.state.plans
    ):
        raise OperationError(ALREADY_EXISTS, f"The service plan {name} already exists.")
    external_id = child_text(operation, "external-id")
    if external_id and any(p.id != plan.id and p.external_id == external_id for p in ctx.state.plans):
        raise OperationError(ALREADY_EXISTS, f"A service plan with the external ID {external_id} already exists.")
    limits_element = operation.find("limits")
    limits = read_limits(limits_element)
    overuse = child_text(limits_element, "overuse") if limits_element is not None else None
    properties = read_pairs(operation.find("hosting/vrt_hst"), "property")
    on_plan = [w for w in ctx.state.webspaces if w.plan_guid == plan.guid]
    others = [w for w in vendor_webspaces(ctx.state, owner) if w.plan_guid != plan.guid]
    # Only the limits the request names are checked: a rename must not fail on a package shrunk since.
    check_fits(ctx.state, owner, limits, count=len(on_plan), others=others)

    plan.limits.update(limits)
    plan.overuse = overuse or plan.overuse
    plan.hosting.update(properties)
    plan.name = name if name is not None else plan.name
    plan.external_id = external_id if external_id is not None else plan.external_id
    # Plesk syncs the plan's subscriptions: the changed limits replace what a subscription had of its own.
    for webspace in on_plan:
        for limit in limits:
            webspace.limits.pop(limit, None)
        if webspace.htype == "vrt_hst":
            webspace.hosting.update(properties)


def service_plan_set(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``service-plan set``: new limits, hosting settings, name or external id, applied to the plan's
    subscriptions; a reseller's plan must fit into what is left of its package (1024)."""
    owner = _plan_owner(ctx, operation)
    pool = [plan for plan in ctx.state.plans if plan.owner_id == owner.id and ctx.sees_plan(plan)]
    kind, values = read_filter(operation)
    for match in select(kind, values, everything=lambda: pool, by_value=_plan_lookups(pool)):
        plan = match.obj
        if match.missing:
            _plan_error(answer, NOT_FOUND, PLAN_NOT_FOUND, kind, match)
        elif plan is None:
            ok_result(answer)
        else:
            try:
                _apply_plan_set(ctx, owner, plan, operation)
            except OperationError as error:
                add_fields(error_result(answer, error.errcode, error.errtext), [("id", plan.id)])
                continue
            ctx.dirty = True
            add_fields(ok_result(answer), [("id", plan.id)])


def service_plan_del(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``service-plan del``; a plan that still has subscriptions is refused (1023)."""
    owner = _plan_owner(ctx, operation)
    pool = [plan for plan in ctx.state.plans if plan.owner_id == owner.id and ctx.sees_plan(plan)]
    kind, values = read_filter(operation)
    for match in select(kind, values, everything=lambda: pool, by_value=_plan_lookups(pool)):
        plan = match.obj
        if match.missing:
            _plan_error(answer, NOT_FOUND, PLAN_NOT_FOUND, kind, match)
        elif plan is None:
            ok_result(answer)
        elif any(w.plan_guid == plan.guid for w in ctx.state.webspaces):
            result = error_result(
                answer, OPERATION_FAILED, f"Unable to remove the service plan {plan.name}: it has subscriptions."
            )
            add_fields(result, [("id", plan.id)])
        else:
            ctx.state.plans.remove(plan)
            ctx.state.deleted.append(DeleteEvent("service-plan", plan.id, plan.name, plan.external_id))
            ctx.dirty = True
            add_fields(ok_result(answer), [("id", plan.id)])


# --- webspace -------------------------------------------------------------------------------------


def _webspace_matches(ctx: Context, operation: etree._Element) -> list[Match]:
    visible = [w for w in ctx.state.webspaces if ctx.sees_webspace(w)]

    def first(predicate: Callable[[Webspace], bool]) -> Webspace | None:
        return next((w for w in visible if predicate(w)), None)

    def by_name(value: str) -> Webspace | None:
        folded = value.strip().rstrip(".").casefold()
        return first(lambda w: folded in (w.name.casefold(), _ascii(w.name)))

    def owned_by(kind: str) -> Callable[[str], list[Webspace]]:
        def lookup(value: str) -> list[Webspace]:
            owner = ctx.find_account(kind, value, types=("admin", "reseller", "customer"))
            return [w for w in visible if owner is not None and w.owner_id == owner.id]

        return lookup

    kind, values = read_filter(operation)
    return select(
        kind,
        values,
        everything=lambda: visible,
        by_value={
            "id": lambda v: first(lambda w: str(w.id) == v.strip()),
            "name": by_name,
            "guid": lambda v: first(lambda w: w.guid == v.strip().lower()),
            "external-id": lambda v: first(lambda w: bool(w.external_id) and w.external_id == v),
        },
        by_owner={tag: owned_by(_OWNER_KIND[tag]) for tag in _OWNER_KEYS},
    )


def _ascii(name: str) -> str:
    try:
        return ascii_domain(name)
    except OperationError:
        return name.casefold()


def _owner_from(ctx: Context, parent: etree._Element) -> Account | None:
    for tag in _OWNER_KEYS:
        value = child_text(parent, tag)
        if value is not None:
            owner = ctx.find_account(_OWNER_KIND[tag], value, types=("admin", "reseller", "customer"))
            if owner is None:
                raise OperationError(OWNER_NOT_FOUND, TEXT_OWNER_NOT_FOUND)
            return owner
    return None


def _check_ip(ctx: Context, address: str, vendor: Account) -> None:
    if not any(ip.address == address for ip in ctx.state.ips):
        raise OperationError(IP_NOT_FOUND, f"IP address {address} does not exist on the server.")
    if vendor.type == "reseller" and not any(entry["ip"] == address for entry in vendor.ip_pool):
        raise OperationError(IP_NOT_FOUND, f"IP address {address} is not in the IP pool of {vendor.login}.")


def _default_ip(ctx: Context, vendor: Account) -> str:
    if vendor.type == "reseller" and vendor.ip_pool:
        return vendor.ip_pool[0]["ip"]
    return next((ip.address for ip in ctx.state.ips if ip.default), ctx.state.ips[0].address)


def _check_unique(
    ctx: Context,
    *,
    name: str | None = None,
    ftp_login: str | None = None,
    external_id: str | None = None,
    except_id: int | None = None,
) -> None:
    others = [w for w in ctx.state.webspaces if w.id != except_id]
    if name is not None:
        ascii_name = ascii_domain(name)
        if any(_ascii(w.name) == ascii_name for w in others):
            raise OperationError(
                ALREADY_EXISTS,
                f"Unable to create the domain {name} because a DNS record pointing to the host {name} already exists.",
            )
    if ftp_login and any((w.ftp_login or "").casefold() == ftp_login.casefold() for w in others):
        raise OperationError(ALREADY_EXISTS, f"The system user {ftp_login} already exists.")
    if external_id and any(w.external_id == external_id for w in others):
        raise OperationError(ALREADY_EXISTS, f"A subscription with the external ID {external_id} already exists.")


def _find_plan(ctx: Context, operation: etree._Element, vendor: Account) -> Plan | None:
    plans = [plan for plan in ctx.state.plans if plan.owner_id == vendor.id]
    lookups = _plan_lookups(plans)
    for tag, kind in (
        ("plan-id", "id"),
        ("plan-name", "name"),
        ("plan-guid", "guid"),
        ("plan-external-id", "external-id"),
    ):
        value = child_text(operation, tag)
        if value is not None:
            plan = lookups[kind](value)
            if plan is None:
                raise OperationError(NOT_FOUND, PLAN_NOT_FOUND)
            return plan
    return None


def webspace_add(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``webspace add``: checks owner (1015), plan of the owner's vendor (1013), IP (1018), FTP
    credentials (1019) and uniqueness of domain, FTP login and external id (1007)."""
    if ctx.requester.type == "customer":
        raise OperationError(PERMISSION_DENIED, TEXT_PERMISSION_DENIED)
    gen_setup = required(operation, "gen_setup")
    name = child_text(gen_setup, "name")
    if not name:
        raise OperationError(INVALID_VALUE, "The domain name is missing.")
    ascii_domain(name)
    owner = _owner_from(ctx, gen_setup) or ctx.requester
    vendor = ctx.state.vendor_of(owner)
    vrt_hst = operation.find("hosting/vrt_hst")
    htype = child_text(gen_setup, "htype") or ("vrt_hst" if vrt_hst is not None else "none")
    if htype not in ("vrt_hst", "none"):
        raise OperationError(UNSUPPORTED, "The Plesk sandbox does not implement forwarding hosting.")
    status = parse_status(child_text(gen_setup, "status") or "0", ctx.requester)
    plan = _find_plan(ctx, operation, vendor)
    ip_address = child_text(gen_setup, "ip_address") or (
        child_text(vrt_hst, "ip_address") if vrt_hst is not None else None
    )
    ip_address = ip_address or _default_ip(ctx, vendor)
    _check_ip(ctx, ip_address, vendor)
    properties = read_pairs(vrt_hst, "property")
    ftp_login = properties.pop("ftp_login", None)
    ftp_password = properties.pop("ftp_password", None)
    if htype == "vrt_hst":
        if not ftp_login or not ftp_password:
            raise OperationError(INVALID_VALUE, "ftp_login and ftp_password are required for physical hosting.")
        check_ftp_login(ftp_login)
        check_password_policy(ftp_password)
    external_id = child_text(gen_setup, "external-id") or ""
    _check_unique(ctx, name=name, ftp_login=ftp_login, external_id=external_id)
    limits = read_limits(operation.find("limits"))
    sold = vendor_webspaces(ctx.state, vendor)
    check_room(vendor, "max_webspaces", len(sold))
    check_fits(ctx.state, vendor, {**(plan.limits if plan else {}), **limits}, others=sold)

    ascii_name = ascii_domain(name)
    hosting = dict(plan.hosting) if plan else {}
    hosting["www_root"] = f"/var/www/vhosts/{ascii_name}/httpdocs"
    hosting.update(properties)
    webspace = Webspace(
        id=ctx.state.new_id("webspace"),
        guid=new_guid(),
        name=name.strip().rstrip("."),
        owner_id=owner.id,
        vendor_id=vendor.id,
        htype=htype,
        ip_address=ip_address,
        cr_date=today(),
        status=status,
        plan_guid=plan.guid if plan else None,
        external_id=external_id,
        description=child_text(gen_setup, "description") or "",
        admin_description=child_text(gen_setup, "admin-description") or "",
        reseller_description=child_text(gen_setup, "reseller-description") or "",
        ftp_login=ftp_login if htype == "vrt_hst" else None,
        hosting=hosting if htype == "vrt_hst" else {},
        limits=limits,
    )
    ctx.state.webspaces.append(webspace)
    ctx.state.created.append(CreateEvent("webspace", webspace.id, webspace.name, external_id))
    ctx.dirty = True
    add_fields(ok_result(answer), [("id", webspace.id), ("guid", webspace.guid)])


def webspace_get(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``webspace get``: one result per filter value or per matching subscription, with the requested blocks."""
    dataset = read_dataset(operation)
    for match in _webspace_matches(ctx, operation):
        if match.missing:
            filter_error(answer, NOT_FOUND, DOMAIN_NOT_FOUND, match.filter_id)
        elif match.obj is None:
            filter_result(answer, match, None)
        else:
            result = filter_result(answer, match, match.obj.id)
            _webspace_data(ctx, sub(result, "data"), match.obj, dataset)


def _webspace_data(ctx: Context, data: etree._Element, webspace: Webspace, dataset: set[str]) -> None:
    owner = ctx.state.account(webspace.owner_id)
    vendor = ctx.state.account(webspace.vendor_id)
    plan = ctx.state.plan_by_guid(webspace.plan_guid) if webspace.plan_guid else None
    # Blocks in the order of the response schema, whatever order the dataset asked for.
    if "gen_info" in dataset:
        add_fields(
            sub(data, "gen_info"),
            [
                ("cr_date", webspace.cr_date),
                ("name", webspace.name),
                ("ascii-name", _ascii(webspace.name)),
                ("status", webspace.status),
                ("real_size", webspace.real_size),
                ("owner-id", webspace.owner_id),
                ("owner-login", owner.login if owner else None),
                ("dns_ip_address", webspace.ip_address),
                ("htype", webspace.htype),
                ("guid", webspace.guid),
                ("vendor-guid", vendor.guid if vendor else ""),
                ("external-id", webspace.external_id),
                ("description", webspace.description),
                ("admin-description", webspace.admin_description if ctx.is_admin else None),
                ("reseller-description", webspace.reseller_description if ctx.requester.type != "customer" else None),
            ],
        )
    if "hosting" in dataset:
        hosting = sub(data, "hosting")
        if webspace.htype == "vrt_hst":
            vrt_hst = sub(hosting, "vrt_hst")
            add_pairs(vrt_hst, "property", {"ftp_login": webspace.ftp_login or "", **webspace.hosting})
            sub(vrt_hst, "ip_address", webspace.ip_address)
        else:
            sub(hosting, "none")
    if "limits" in dataset:
        limits = sub(data, "limits")
        add_fields(limits, [("overuse", plan.overuse if plan else "block")])
        add_pairs(limits, "limit", effective_limits(ctx.state, webspace))
    if "stat" in dataset:
        used = webspace.used
        add_fields(
            sub(data, "stat"),
            [
                ("traffic", used("max_traffic")),
                ("subdom", used("max_subdom")),
                ("wu", used("max_wu")),
                ("box", used("max_box")),
                *((tag, 0) for tag in ("redir", "mg", "resp")),
                ("maillists", used("max_maillists")),
                ("db", used("max_db")),
                ("mssql_db", 0),
                ("webapps", used("max_webapps")),
                ("traffic_prevday", webspace.traffic_prevday),
                ("domains", used("max_site")),
                ("sites", used("max_site")),
            ],
        )
    if "prefs" in dataset:
        add_fields(sub(data, "prefs"), [("www", True)])
    if "disk_usage" in dataset:
        usage_fields: tuple[str, ...] = ("httpdocs", "httpsdocs", "subdomains", "web_users", "anonftp", "logs")
        usage_fields += ("dbases", "mailboxes", "webapps", "maillists", "domaindumps")
        add_fields(
            sub(data, "disk_usage"), [(tag, webspace.real_size if tag == "httpdocs" else 0) for tag in usage_fields]
        )
    if "subscriptions" in dataset:
        subscriptions = sub(data, "subscriptions")
        if webspace.plan_guid:
            subscription = sub(subscriptions, "subscription")
            add_fields(subscription, [("locked", False), ("synchronized", True)])
            sub(sub(subscription, "plan"), "plan-guid", webspace.plan_guid)
    if "permissions" in dataset:
        sub(data, "permissions")
    if "resource-usage" in dataset:
        add_pairs(sub(data, "resource-usage"), "resource", {name: webspace.used(name) for name in USAGE_NAMES})


def _apply_webspace_set(ctx: Context, webspace: Webspace, values: etree._Element) -> None:
    # Validate everything first so a refused change leaves the subscription untouched.
    gen_setup = values.find("gen_setup")
    vrt_hst = values.find("hosting/vrt_hst")
    changes: dict[str, object] = {}
    if gen_setup is not None:
        if child_text(gen_setup, "status") is not None:
            changes["status"] = parse_status(child_text(gen_setup, "status"), ctx.requester)
        new_name = child_text(gen_setup, "name")
        if new_name is not None:
            _check_unique(ctx, name=new_name, except_id=webspace.id)
            changes["name"] = new_name.strip().rstrip(".")
        owner = _owner_from(ctx, gen_setup)
        if owner is not None:
            changes["owner_id"] = owner.id
            changes["vendor_id"] = ctx.state.vendor_of(owner).id
        vendor = ctx.state.account(changes.get("vendor_id", webspace.vendor_id))  # type: ignore[arg-type]
        ip_address = child_text(gen_setup, "ip_address")
        if ip_address is not None and vendor is not None:
            _check_ip(ctx, ip_address, vendor)
            changes["ip_address"] = ip_address
        if gen_setup.find("guid") is not None:
            changes["guid"] = new_guid()
        external_id = child_text(gen_setup, "external-id")
        if external_id is not None:
            _check_unique(ctx, external_id=external_id, except_id=webspace.id)
            changes["external_id"] = external_id
        for tag, attribute in (
            ("description", "description"),
            ("admin-description", "admin_description"),
            ("reseller-description", "reseller_description"),
        ):
            if child_text(gen_setup, tag) is not None:
                changes[attribute] = child_text(gen_setup, tag)
    hosting = dict(webspace.hosting)
    if vrt_hst is not None:
        if webspace.htype != "vrt_hst":
            raise OperationError(INVALID_VALUE, "The subscription has no physical hosting.")
        properties = read_pairs(vrt_hst, "property")
        if "ftp_password" in properties:
            check_password_policy(properties.pop("ftp_password"))
        if "ftp_login" in properties:
            ftp_login = properties.pop("ftp_login")
            check_ftp_login(ftp_login)
            _check_unique(ctx, ftp_login=ftp_login, except_id=webspace.id)
            changes["ftp_login"] = ftp_login
        hosting.update(properties)
    limits = read_limits(values.find("limits"))
    for attribute, value in changes.items():
        setattr(webspace, attribute, value)
    webspace.hosting = hosting
    webspace.limits.update(limits)


def webspace_set(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``webspace set``: one result per affected subscription; a refused change is an error for that one only."""
    for match in _webspace_matches(ctx, operation):
        if match.missing:
            filter_error(answer, NOT_FOUND, DOMAIN_NOT_FOUND, match.filter_id)
        elif match.obj is None:
            filter_result(answer, match, None)
        else:
            try:
                _apply_webspace_set(ctx, match.obj, required(operation, "values"))
            except OperationError as error:
                add_fields(filter_error(answer, error.errcode, error.errtext, match.filter_id), [("id", match.obj.id)])
                continue
            ctx.dirty = True
            filter_result(answer, match, match.obj.id)


def webspace_del(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``webspace del``: removes each matching subscription (an empty filter removes every visible one)."""
    for match in _webspace_matches(ctx, operation):
        if match.missing:
            filter_error(answer, NOT_FOUND, DOMAIN_NOT_FOUND, match.filter_id)
        elif match.obj is None:
            filter_result(answer, match, None)
        else:
            ctx.state.webspaces.remove(match.obj)
            ctx.state.deleted.append(DeleteEvent("webspace", match.obj.id, match.obj.name, match.obj.external_id))
            ctx.dirty = True
            filter_result(answer, match, match.obj.id)


def webspace_switch_subscription(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``webspace switch-subscription`` to a plan of the subscription's vendor (by GUID or external id)."""
    for match in _webspace_matches(ctx, operation):
        webspace = match.obj
        if match.missing:
            filter_error(answer, NOT_FOUND, DOMAIN_NOT_FOUND, match.filter_id)
            continue
        if webspace is None:
            filter_result(answer, match, None)
            continue
        if operation.find("no-plan") is not None:
            webspace.plan_guid = None
        else:
            try:
                _switch_plan(ctx, webspace, operation)
            except OperationError as error:
                result = filter_error(answer, error.errcode, error.errtext, match.filter_id)
                add_fields(result, [("id", webspace.id)])
                continue
        ctx.dirty = True
        filter_result(answer, match, webspace.id)


def _switch_plan(ctx: Context, webspace: Webspace, operation: etree._Element) -> None:
    """Move ``webspace`` to the vendor's plan named in ``operation``: refused when its usage exceeds the
    plan's limits (1023) or the plan does not fit into the vendor's package beside the others (1024)."""
    vendor = ctx.state.account(webspace.vendor_id) or ctx.state.admin
    plan = _find_plan(ctx, operation, vendor)
    if plan is None:
        return
    check_usage_fits(webspace, plan.limits)
    others = [w for w in vendor_webspaces(ctx.state, vendor) if w.id != webspace.id]
    check_fits(ctx.state, vendor, plan.limits, others=others)
    webspace.plan_guid = plan.guid
    # The subscription is synced with its new plan: what it had of its own is gone.
    webspace.limits = {}


HANDLERS = {
    ("service-plan", "get"): service_plan_get,
    ("service-plan", "add"): service_plan_add,
    ("service-plan", "set"): service_plan_set,
    ("service-plan", "del"): service_plan_del,
    ("webspace", "add"): webspace_add,
    ("webspace", "get"): webspace_get,
    ("webspace", "set"): webspace_set,
    ("webspace", "del"): webspace_del,
    ("webspace", "switch-subscription"): webspace_switch_subscription,
}
