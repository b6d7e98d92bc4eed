"""The sandbox's protocol engine: turns a request packet into a response packet, independent of HTTP.

Checks run in Plesk's order, each failing the whole packet with a system error and executing
nothing: well-formed XML with root ``packet`` (1014), supported ``version`` (1005), credentials
(1001, or 11003 for a secret key; 1011 for a suspended login), then the schema (1014). Operations
then run in order without a transaction; each answers with its own results.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from lxml import etree

from ..xml import XMLRejected, parse_xml, sub, tag_name, to_bytes
from .common import OPERATION_FAILED, UNSUPPORTED, Context, OperationError, error_result
from .ops_accounts import HANDLERS as ACCOUNT_HANDLERS
from .ops_hosting import HANDLERS as HOSTING_HANDLERS
from .ops_server import HANDLERS as SERVER_HANDLERS
from .schema import make_validator, parser_error
from .state import NEWEST_PROTOCOL, PROTOCOLS, Account, PanelSession, SandboxState, check_password, hash_key

logger = logging.getLogger("plesk.sandbox")

HANDLERS = {**SERVER_HANDLERS, **ACCOUNT_HANDLERS, **HOSTING_HANDLERS}

AUTH_FAILED = (1001, "Authentication failed")
KEY_FAILED = (11003, "Secret key validation failed")
ACCOUNT_DISABLED = (1011, "Account is disabled")
VERSION_UNSUPPORTED = 1005
PARSER_ERROR = 1014


def _version_tuple(version: str) -> tuple[int, ...] | None:
    try:
        parts = tuple(int(part) for part in version.strip().split("."))
    except ValueError:
        return None
    return (parts + (0, 0, 0, 0))[:4] if 0 < len(parts) <= 4 else None


def version_supported(version: str) -> bool:
    """Versions from the oldest to the newest listed protocol, short forms (``1.6``) included."""
    wanted = _version_tuple(version)
    newest, oldest = _version_tuple(PROTOCOLS[0]), _version_tuple(PROTOCOLS[-1])
    if wanted is None or newest is None or oldest is None:
        return False
    return oldest[:2] <= wanted <= newest


def operations_of(root: etree._Element) -> list[tuple[etree._Element, etree._Element]]:
    """``(operator, operation)`` element pairs of a request packet, in document order."""
    return [
        (operator, operation)
        for operator in root.iterchildren(etree.Element)
        if operator.tag != "request-settings"
        for operation in operator.iterchildren(etree.Element)
    ]


class SandboxEngine:
    """Executes request packets against a :class:`SandboxState`; thread-safe (one request at a time).

    ``state_file``, when given, is rewritten after every request that changed something.
    """

    def __init__(
        self,
        state: SandboxState,
        *,
        schema_dir: str | Path | None = None,
        state_file: Path | None = None,
        sso_token_ttl: float = 60.0,
    ) -> None:
        self.state = state
        self.state_file = state_file
        self.sso_token_ttl = sso_token_ttl
        self.validator = make_validator(schema_dir, frozenset(HANDLERS))
        self.lock = threading.RLock()

    def handle(
        self,
        body: bytes,
        headers: Mapping[str, str],
        client_ip: str,
        *,
        forced_errors: Mapping[tuple[str, str], tuple[int, str]] | None = None,
    ) -> bytes:
        """Answer one request packet. ``forced_errors`` makes the named operations answer with that
        error instead of running (fault injection)."""
        upper = {name.upper(): value for name, value in headers.items()}
        pretty = upper.get("HTTP_PRETTY_PRINT", "").strip().upper() == "TRUE"
        with self.lock:
            try:
                root = parse_xml(body)
            except XMLRejected as exc:
                return self._system(None, PARSER_ERROR, parser_error(exc.line, str(exc)), pretty)
            if root.tag != "packet":
                name = tag_name(root)
                message = f"Element '{name}': No matching global declaration available for the validation root."
                return self._system(None, PARSER_ERROR, parser_error(root.sourceline, message), pretty)
            version = root.get("version")
            if version is not None and not version_supported(version):
                return self._system(None, VERSION_UNSUPPORTED, f"Unsupported protocol version {version}", pretty)
            requester, failure = self._authenticate(upper, client_ip)
            if failure is not None:
                return self._system(version, *failure, pretty)
            problem = self.validator.error(root)
            if problem is not None:
                return self._system(version, PARSER_ERROR, problem, pretty)
            pairs = operations_of(root)
            for operator, operation in pairs:
                if (tag_name(operator), tag_name(operation)) not in HANDLERS:
                    text = f"The Plesk sandbox does not implement {tag_name(operator)} {tag_name(operation)}."
                    return self._system(version, UNSUPPORTED, text, pretty)
            ctx = Context(self.state, requester, client_ip)  # type: ignore[arg-type]
            response = self._run(root, version, ctx, forced_errors or {})
            if ctx.dirty:
                self.save()
            return to_bytes(response, pretty=pretty)

    def _run(
        self,
        root: etree._Element,
        version: str | None,
        ctx: Context,
        forced_errors: Mapping[tuple[str, str], tuple[int, str]],
    ) -> etree._Element:
        response = etree.Element("packet", version=version or NEWEST_PROTOCOL)
        for operator in root.iterchildren(etree.Element):
            if operator.tag == "request-settings":
                continue
            operator_name = tag_name(operator)
            answer_operator = sub(response, operator_name)
            for operation in operator.iterchildren(etree.Element):
                name = tag_name(operation)
                answer = sub(answer_operator, name)
                forced = forced_errors.get((operator_name, name))
                if forced is not None:
                    error_result(answer, *forced)
                    continue
                try:
                    HANDLERS[operator_name, name](ctx, operation, answer)
                except OperationError as error:
                    self._replace_with_error(answer, error.errcode, error.errtext)
                except Exception:
                    # Without the XSD files, a request missing a required element reaches the handler;
                    # answer it like any failed operation instead of dropping the connection.
                    logger.exception("Plesk sandbox: %s %s failed", operator.tag, operation.tag)
                    self._replace_with_error(answer, OPERATION_FAILED, "The Plesk sandbox could not process this.")
        return response

    @staticmethod
    def _replace_with_error(answer: etree._Element, errcode: int, errtext: str) -> None:
        for child in list(answer):
            answer.remove(child)
        error_result(answer, errcode, errtext)

    def _authenticate(
        self, headers: Mapping[str, str], client_ip: str
    ) -> tuple[Account | None, tuple[int, str] | None]:
        state = self.state
        key = headers.get("KEY")
        if key is not None:
            stored = next((k for k in state.secret_keys if k.key_hash == hash_key(key.strip())), None)
            if stored is None or client_ip not in stored.ip_addresses:
                return None, KEY_FAILED
            account = state.account_by_login(stored.login)
            if account is None:
                return None, KEY_FAILED
        else:
            login = headers.get("HTTP_AUTH_LOGIN", "")
            account = state.account_by_login(login) if login else None
            if account is None or not check_password(headers.get("HTTP_AUTH_PASSWD", ""), account.password_hash):
                return None, AUTH_FAILED
        if account.status != 0:
            return None, ACCOUNT_DISABLED
        return account, None

    @staticmethod
    def _system(version: str | None, errcode: int, errtext: str, pretty: bool) -> bytes:
        response = etree.Element("packet", version=version or NEWEST_PROTOCOL)
        system = sub(response, "system")
        sub(system, "status", "error")
        sub(system, "errcode", errcode)
        sub(system, "errtext", errtext)
        return to_bytes(response, pretty=pretty)

    def error_packet(self, body: bytes, errcode: int, errtext: str) -> bytes:
        """An answer that mirrors the request with one error result per operation (nothing executed),
        or a system error when the request cannot be read. Used for the HTTP 500 fault."""
        try:
            root = parse_xml(body)
        except XMLRejected:
            return self._system(None, errcode, errtext, False)
        if root.tag != "packet" or not operations_of(root):
            return self._system(None, errcode, errtext, False)
        response = etree.Element("packet", version=root.get("version") or NEWEST_PROTOCOL)
        for operator in root.iterchildren(etree.Element):
            if operator.tag == "request-settings":
                continue
            answer_operator = sub(response, tag_name(operator))
            for operation in operator.iterchildren(etree.Element):
                error_result(sub(answer_operator, tag_name(operation)), errcode, errtext)
        return to_bytes(response)

    def save(self) -> None:
        """Write the state file, if there is one."""
        if self.state_file is not None:
            with self.lock:
                self.state.save(self.state_file)

    # --- single sign-on ----------------------------------------------------------------------------

    def redeem_sso(self, token: str, client_ip: str) -> PanelSession | None:
        """Consume an SSO token (once, within its lifetime): the browser joins the panel session that
        ``create_session`` opened under the token's id. ``None`` if invalid, used, expired or terminated."""
        with self.lock:
            now = time.time()
            tokens = self.state.sso_tokens
            for stale in [t for t, sso in tokens.items() if now - sso.created > self.sso_token_ttl]:
                del tokens[stale]
            sso = tokens.pop(token, None)
            session = self.state.panel_sessions.get(token) if sso is not None else None
            if session is None:
                return None
            session.idle = datetime.now().replace(microsecond=0).isoformat()
            logger.info("Plesk sandbox: SSO login as %s from %s", session.login, client_ip)
            return session

    def panel_session(self, session_id: str) -> PanelSession | None:
        """The open panel session ``session_id``, if any."""
        with self.lock:
            return self.state.panel_sessions.get(session_id)
