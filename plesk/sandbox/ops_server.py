"""Sandbox handlers of the ``server``, ``ip``, ``session`` and ``secret_key`` operators."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import secrets
import time
import uuid
from datetime import datetime

from lxml import etree

from ..xml import child_text, sub, tag_name
from .common import (
    NOT_FOUND,
    Context,
    OperationError,
    add_fields,
    add_pairs,
    error_result,
    ok_result,
    read_filter,
    require_admin,
)
from .state import PROTOCOLS, PanelSession, SecretKey, SsoToken, hash_key

PLESK_VERSION = "18.0.61"
_STARTED = time.monotonic()
SESSION_TYPES = {"admin": "admin", "reseller": "reseller", "customer": "client"}


def get_protos(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``server get_protos``: every protocol version the sandbox accepts, newest first."""
    protos = sub(ok_result(answer), "protos")
    for proto in PROTOCOLS:
        sub(protos, "proto", proto)


def server_get(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``server get``: the ``key``, ``gen_info``, ``components``, ``stat``, ``prefs`` and ``session_setup``
    blocks, in the order requested. Other blocks are left out (the schema allows that)."""
    result = ok_result(answer)
    builders = {
        "key": _key,
        "gen_info": _gen_info,
        "components": _components,
        "stat": _stat,
        "prefs": _prefs,
        "session_setup": _session_setup,
    }
    for block in operation.iterchildren(etree.Element):
        name = tag_name(block)
        builder = builders.get(name)
        if builder is not None:
            builder(ctx, sub(result, name))


def _key(ctx: Context, key: etree._Element) -> None:
    add_pairs(key, "property", {"plesk_key_id": "PLSK.00000000.0000", "lim_dom": -1, "lim_cl": -1})
    sub(key, "content", base64.b64encode(b"Plesk sandbox licence").decode())


def _gen_info(ctx: Context, gen_info: etree._Element) -> None:
    add_fields(
        gen_info, [("server_name", ctx.state.server_name), ("server_guid", ctx.state.server_guid), ("mode", "standard")]
    )


def _components(ctx: Context, components: etree._Element) -> None:
    for name, version in (("psa", PLESK_VERSION), ("apache", "2.4.58"), ("nginx", "1.26.1"), ("php8.3", "8.3.9")):
        add_fields(sub(components, "component"), [("name", name), ("version", version)])


def _stat(ctx: Context, stat: etree._Element) -> None:
    state = ctx.state
    clients = sum(1 for a in state.accounts if a.type != "admin")
    domains = len(state.webspaces)
    active = sum(1 for w in state.webspaces if w.status == 0)
    objects = [("clients", clients), ("domains", domains), ("active_domains", active)]
    for tag in ("mail_boxes", "mail_redirects", "mail_groups", "mail_responders", "web_users", "databases"):
        objects.append((tag, 0))
    objects += [("database_users", 0), ("problem_clients", 0), ("problem_domains", 0)]
    add_fields(sub(stat, "objects"), objects)
    add_fields(
        sub(stat, "version"),
        [
            ("plesk_name", "psa"),
            ("plesk_version", PLESK_VERSION),
            ("plesk_os", "Ubuntu"),
            ("plesk_os_version", "22.04"),
            ("plesk_build", f"{PLESK_VERSION}.0"),
            ("os_release", "5.15.0-sandbox"),
        ],
    )
    uptime = int(time.monotonic() - _STARTED) + 1
    add_fields(sub(stat, "other"), [("cpu", "Plesk sandbox virtual CPU"), ("uptime", uptime), ("inside_vz", False)])
    add_fields(sub(stat, "load_avg"), [("l1", 12), ("l5", 9), ("l15", 7)])
    total, used = 8 * 1024**3, 3 * 1024**3
    memory = [("total", total), ("used", used), ("free", total - used), ("shared", 0), ("buffer", 0)]
    add_fields(sub(stat, "mem"), [*memory, ("cached", 1024**3)])
    add_fields(sub(stat, "swap"), [("total", 2 * 1024**3), ("used", 0), ("free", 2 * 1024**3)])
    disk = 100 * 1024**3
    device = sub(sub(stat, "diskspace"), "device")
    add_fields(device, [("name", "/"), ("total", disk), ("used", disk // 5), ("free", disk - disk // 5)])


def _prefs(ctx: Context, prefs: etree._Element) -> None:
    add_fields(prefs, [("stat_ttl", 3), ("traffic_accounting", 3)])


def _session_setup(ctx: Context, session_setup: etree._Element) -> None:
    add_fields(session_setup, [("login_timeout", 30)])


def create_session(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``server create_session``: a single-use 32-hex token for a login the requester may act for (1013
    otherwise). As in Plesk, the token is the id of a panel session that ``session get`` lists at once and
    ``session terminate`` ends, after which the token no longer logs in."""
    login = child_text(operation, "login") or ""
    account = ctx.find_account("login", login, types=("admin", "reseller", "customer"))
    if account is None:
        raise OperationError(NOT_FOUND, f"User {login} does not exist.")
    token = secrets.token_hex(16)
    user_ip = _decode_ip(operation.findtext("data/user_ip"))
    ctx.state.sso_tokens[token] = SsoToken(account.login, user_ip, time.time())
    stamp = datetime.now().replace(microsecond=0).isoformat()
    ctx.state.panel_sessions[token] = PanelSession(
        id=token,
        type=SESSION_TYPES[account.type],
        ip_address=user_ip if _is_ip(user_ip) else ctx.client_ip,
        login=account.login,
        login_time=stamp,
        idle=stamp,
    )
    add_fields(ok_result(answer), [("id", token)])


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _decode_ip(text: str | None) -> str:
    """``user_ip`` is base64 in the documented form; Obsidian also accepts it plain."""
    value = (text or "").strip()
    try:
        decoded = base64.b64decode(value, validate=True).decode()
        ipaddress.ip_address(decoded)
        return decoded
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return value


def ip_get(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``ip get``: all IPs for the admin, the reseller's pool for a reseller, none for a customer."""
    addresses = sub(ok_result(answer), "addresses")
    requester = ctx.requester
    pool = {entry["ip"]: entry["type"] for entry in requester.ip_pool}
    for ip in ctx.state.ips:
        if requester.type == "customer" or (requester.type == "reseller" and ip.address not in pool):
            continue
        info = sub(addresses, "ip_info")
        kind = pool.get(ip.address, ip.type)
        add_fields(
            info, [("ip_address", ip.address), ("netmask", ip.netmask), ("type", kind), ("interface", ip.interface)]
        )
        if ip.default:
            sub(info, "default")


def session_get(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``session get``: every panel session for the admin, one's own otherwise."""
    result = ok_result(answer)
    for session in ctx.state.panel_sessions.values():
        if ctx.is_admin or session.login == ctx.requester.login:
            add_fields(
                sub(result, "session"),
                [
                    ("id", session.id),
                    ("type", session.type),
                    ("ip-address", session.ip_address),
                    ("login", session.login),
                    ("login-time", session.login_time),
                    ("idle", session.idle),
                ],
            )


def session_terminate(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``session terminate`` of one visible panel session (1013 otherwise)."""
    session_id = child_text(operation, "session-id") or ""
    session = ctx.state.panel_sessions.get(session_id)
    if session is None or not (ctx.is_admin or session.login == ctx.requester.login):
        raise OperationError(NOT_FOUND, "Session does not exist.")
    del ctx.state.panel_sessions[session_id]
    ctx.state.sso_tokens.pop(session_id, None)
    ok_result(answer)


def secret_key_create(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``secret_key create`` (admin only): a GUID-shaped key bound to the given IPs or the caller's."""
    require_admin(ctx)
    login = child_text(operation, "login") or ctx.requester.login
    account = ctx.state.account_by_login(login)
    if account is None:
        raise OperationError(NOT_FOUND, f"User {login} does not exist.")
    addresses = [a.strip() for a in (child_text(operation, "ip_address") or ctx.client_ip).split(",") if a.strip()]
    key = str(uuid.uuid4())
    description = child_text(operation, "description") or ""
    ctx.state.secret_keys.append(SecretKey(hash_key(key), addresses, description, account.login))
    ctx.dirty = True
    add_fields(ok_result(answer), [("key", key)])


def _find_key(ctx: Context, value: str) -> SecretKey | None:
    # ``get_info`` shows the stored hash; both the key and that hash identify it.
    wanted = {value.strip(), hash_key(value.strip())}
    return next((k for k in ctx.state.secret_keys if k.key_hash in wanted), None)


def secret_key_get_info(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``secret_key get_info`` (admin only): one result for an empty filter, else one per key."""
    require_admin(ctx)
    _, values = read_filter(operation)
    if not values:
        result = ok_result(answer)
        for key in ctx.state.secret_keys:
            _key_info(result, key)
        return
    for value in values:
        found = _find_key(ctx, value)
        if found is None:
            add_fields(error_result(answer, NOT_FOUND, "Secret key does not exist."), [("key", value)])
        else:
            _key_info(ok_result(answer), found)


def _key_info(result: etree._Element, key: SecretKey) -> None:
    add_fields(
        sub(result, "key_info"),
        [
            ("key", key.key_hash),
            ("ip_address", ",".join(key.ip_addresses)),
            ("description", key.description),
            ("login", key.login),
        ],
    )


def secret_key_delete(ctx: Context, operation: etree._Element, answer: etree._Element) -> None:
    """``secret_key delete`` (admin only): one result per key."""
    require_admin(ctx)
    _, values = read_filter(operation)
    for value in values:
        key = _find_key(ctx, value)
        if key is None:
            add_fields(error_result(answer, NOT_FOUND, "Secret key does not exist."), [("key", value)])
            continue
        ctx.state.secret_keys.remove(key)
        ctx.dirty = True
        add_fields(ok_result(answer), [("key", value)])
    if not values:
        ok_result(answer)


HANDLERS = {
    ("server", "get_protos"): get_protos,
    ("server", "get"): server_get,
    ("server", "create_session"): create_session,
    ("ip", "get"): ip_get,
    ("session", "get"): session_get,
    ("session", "terminate"): session_terminate,
    ("secret_key", "create"): secret_key_create,
    ("secret_key", "get_info"): secret_key_get_info,
    ("secret_key", "delete"): secret_key_delete,
}
