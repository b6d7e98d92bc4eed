"""The Plesk XML API client.

``PleskClient`` posts packets to ``/enterprise/control/agent.php`` and turns the answers into typed
values or exceptions (see :mod:`plesk.errors` for which failures leave the outcome unknown). Every
operation method takes the same arguments as the builder of the same name in :mod:`plesk.ops`;
several operations can share one packet through :meth:`PleskClient.packet`.
"""

from __future__ import annotations

import copy
import inspect
import logging
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar
from urllib.parse import urlencode

import httpx
from lxml import etree

from . import limits, ops
from .errors import (
    PleskAPIError,
    PleskAuthError,
    PleskConnectionError,
    PleskNotFound,
    PleskOutcomeUnknown,
    PleskResponseError,
    PleskTimeout,
    PleskTLSError,
    PleskVersionError,
    api_error,
)
from .ops import Operation
from .transport import (
    CertificatePinMismatch,
    DeadlineTransport,
    build_ssl_context,
    deadline_scope,
    shared_transport,
)
from .transport import peer_certificate_fingerprint as _peer_fingerprint
from .types import LimitName, Reseller, ResellerPackage, ServerInfo, Session, Webspace
from .xml import XMLRejected, child_text, parse_xml, redacted_xml, to_bytes

__all__ = [
    "AGENT_PATH",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_PROTOCOL_VERSION",
    "SSO_PATH",
    "Outcome",
    "Packet",
    "PleskClient",
    "build_packet",
    "read_answer",
]

logger = logging.getLogger("plesk")

AGENT_PATH = "/enterprise/control/agent.php"
SSO_PATH = "/enterprise/rsession_init.php"
DEFAULT_PROTOCOL_VERSION = "1.6.9.1"
DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024

T = TypeVar("T")
P = ParamSpec("P")


@dataclass(frozen=True, eq=False)
class Outcome(Generic[T]):
    """The answer to one operation of a packet: its ``value``, or the ``error`` Plesk reported for it."""

    operation: Operation[T]
    value: T | None = None
    error: PleskAPIError | None = None

    @property
    def ok(self) -> bool:
        """Whether Plesk carried the operation out."""
        return self.error is None

    def unwrap(self) -> T:
        """Return the value, or raise the operation's ``PleskAPIError``."""
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


def build_packet(operations: Sequence[Operation[Any]], version: str | None) -> etree._Element:
    """The request ``<packet>``: one operator element per operation, in order."""
    if not operations:
        raise ValueError("a packet needs at least one operation")
    root = etree.Element("packet")
    if version:
        root.set("version", version)
    for operation in operations:
        operator = etree.SubElement(root, operation.operator)
        operator.append(copy.deepcopy(operation.element))
    return root


def _exception_chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it wraps: httpcore passes the original error as argument, cause or context."""
    chain: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop(0)
        if current is None or any(current is seen for seen in chain):
            continue
        chain.append(current)
        pending += [current.__cause__, current.__context__]
        pending += [arg for arg in current.args if isinstance(arg, BaseException)]
    return chain


def _parse_packet(status: int, body: bytes) -> etree._Element:
    if 300 <= status < 400:
        raise PleskResponseError(f"unexpected response from the server (HTTP {status}; redirects are not followed)")
    try:
        root = parse_xml(body)
    except XMLRejected as exc:
        if status >= 400:
            raise PleskResponseError(
                f"unexpected response from the server (HTTP {status} without a Plesk answer)"
            ) from None
        raise PleskResponseError(f"unexpected response from the server ({exc})") from None
    if root.tag != "packet":
        raise PleskResponseError(f"unexpected response from the server (HTTP {status}, root element {root.tag!r})")
    return root


def _outcomes(root: etree._Element, operations: Sequence[Operation[Any]]) -> list[Outcome[Any]]:
    system = root.find("system")
    if system is not None:
        if child_text(system, "status") != "error":
            raise PleskResponseError("unexpected response from the server (system element without an error)")
        errcode = child_text(system, "errcode") or ""
        if not errcode.strip().isdigit():
            raise PleskResponseError("unexpected response from the server (system error without a code)")
        raise api_error(int(errcode), child_text(system, "errtext") or "", system=True)
    answers = [(operator.tag, operation) for operator in root if operator.tag != "output" for operation in operator]
    expected = [(op.operator, op.name) for op in operations]
    if [(tag, operation.tag) for tag, operation in answers] != expected:
        raise PleskResponseError("unexpected response from the server (the answer does not mirror the request)")
    outcomes: list[Outcome[Any]] = []
    for operation, (_, answer) in zip(operations, answers, strict=True):
        try:
            outcomes.append(Outcome(operation, value=operation.parse(answer)))
        except PleskAPIError as error:
            outcomes.append(Outcome(operation, error=error))
        except (ValueError, TypeError) as exc:
            raise PleskResponseError(f"unexpected response from the server ({operation.label}: {exc})") from None
    return outcomes


def read_answer(body: bytes, operations: Sequence[Operation[Any]], *, status: int = 200) -> list[Outcome[Any]]:
    """Interpret a Plesk answer to a packet of ``operations`` exactly as the client does.

    Raises ``PleskAPIError`` for a system error and ``PleskResponseError`` for an unusable answer.
    """
    return _outcomes(_parse_packet(status, body), operations)


class Packet:
    """Several operations sent in one request; :meth:`send` returns one :class:`Outcome` per operation, in order.

    Plesk runs the operations in order without a transaction: earlier successes stay when a later
    operation fails. A packet-level (system) error raises instead, because then nothing was executed.
    """

    def __init__(self, client: PleskClient) -> None:
        self._client = client
        self._operations: list[Operation[Any]] = []

    def add(self, operation: Operation[Any]) -> Packet:
        """Append ``operation`` (built with :mod:`plesk.ops`); returns the packet for chaining."""
        self._operations.append(operation)
        return self

    @property
    def operations(self) -> tuple[Operation[Any], ...]:
        """The operations added so far."""
        return tuple(self._operations)

    def __len__(self) -> int:
        return len(self._operations)

    def to_bytes(self) -> bytes:
        """The request body this packet would send."""
        return to_bytes(build_packet(self._operations, self._client.protocol_version))

    def send(self, *, deadline: float | None = None) -> list[Outcome[Any]]:
        """Send the packet; ``deadline`` (seconds) overrides the client's overall deadline for this call."""
        return self._client.send(self._operations, deadline=deadline)


def _operation_method(builder: Callable[P, Operation[T]]) -> Callable[Concatenate[PleskClient, P], T]:
    """A client method that builds ``builder``'s operation, sends it alone and returns its value."""

    def method(self: PleskClient, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return self.call(builder(*args, **kwargs))

    signature = inspect.signature(builder)
    self_parameter = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    returns = signature.return_annotation
    if isinstance(returns, str) and returns.startswith("Operation[") and returns.endswith("]"):
        returns = returns.removeprefix("Operation[").removesuffix("]")
    method.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[self_parameter, *signature.parameters.values()], return_annotation=returns
    )
    method.__name__ = builder.__name__
    method.__qualname__ = f"PleskClient.{builder.__name__}"
    method.__doc__ = f"{builder.__doc__}\n\nSends :func:`plesk.ops.{builder.__name__}` and returns its value."
    return method


class PleskClient:
    """Client for one Plesk server and one set of credentials.

    ``url`` is the panel address (``https://host:8443``); the agent path is added when missing. Give
    ``login`` and ``password`` (admin, reseller or customer), or a ``secret_key`` bound to our IP.
    TLS is always verified, against ``ca_bundle`` (PEM text or path) or the certifi bundle, unless
    ``pinned_sha256`` pins the server's certificate (see :mod:`plesk.transport`). Plain ``http://``
    needs ``allow_insecure_http=True``.

    Every call is bounded by ``connect_timeout`` and ``read_timeout`` per socket operation and by
    ``deadline`` overall; answers larger than ``max_response_bytes`` are refused. Redirects are
    never followed. ``on_auth_error`` is called with every refused-login error before it is raised,
    so the caller can stop using these credentials. ``on_call`` is called after every exchange with the
    server's host name, the seconds it took and the error it ended in: the exception raised, or the
    first error Plesk answered for an operation other than "does not exist" (``None``: none). So the
    caller can measure the calls without this package knowing how. Not thread-safe: use one client per
    thread.

    With ``reuse_connections`` the client takes its connections from a pool the whole process shares
    for its TLS settings (:func:`plesk.transport.shared_transport`; not for a CA bundle given as a file
    path) and leaves them open when it is closed, so the next client for the same server skips the TCP
    and TLS handshakes: a task worker's next job, say.
    """

    def __init__(
        self,
        url: str,
        *,
        login: str | None = None,
        password: str | None = None,
        secret_key: str | None = None,
        ca_bundle: str | None = None,
        pinned_sha256: str | None = None,
        allow_insecure_http: bool = False,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        deadline: float = 60.0,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        protocol_version: str | None = DEFAULT_PROTOCOL_VERSION,
        on_auth_error: Callable[[PleskAuthError], None] | None = None,
        on_call: Callable[[str, float, BaseException | None], None] | None = None,
        reuse_connections: bool = False,
    ) -> None:
        parsed = httpx.URL(url)
        if parsed.scheme not in ("https", "http") or not parsed.host:
            raise ValueError("the Plesk URL must be https://host[:port]")
        if parsed.scheme == "http" and not allow_insecure_http:
            raise ValueError("plain http sends the credentials unencrypted; pass allow_insecure_http=True to allow it")
        if parsed.userinfo:
            raise ValueError("put the credentials in login/password, not in the URL")
        if parsed.path in ("", "/"):
            parsed = parsed.copy_with(path=AGENT_PATH)
        if (secret_key is None) == (login is None or password is None):
            raise ValueError("give login and password, or a secret key")
        if deadline <= 0 or max_response_bytes <= 0:
            raise ValueError("deadline and max_response_bytes must be positive")

        self.url = str(parsed.copy_with(query=None, fragment=None))
        self.login = login
        self.on_auth_error = on_auth_error
        self.on_call = on_call
        self.protocol_version = protocol_version
        self.deadline = deadline
        self.max_response_bytes = max_response_bytes
        self._connect_timeout = connect_timeout
        self._host = parsed.host
        self._port = parsed.port or (443 if parsed.scheme == "https" else 80)
        self._base = f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"
        self._headers: dict[bytes, bytes] = {
            b"Content-Type": b"text/xml",
            b"Accept-Encoding": b"identity",
            b"User-Agent": b"partnerportal-plesk/1",
        }
        if secret_key is not None:
            self._headers[b"KEY"] = secret_key.encode()
        elif login is not None and password is not None:
            self._headers[b"HTTP_AUTH_LOGIN"] = login.encode()
            self._headers[b"HTTP_AUTH_PASSWD"] = password.encode()
        # Requests go straight to the transport: the client sends one kind of request, so httpx.Client's
        # layers (cookies, auth flows, redirects, hooks, proxies from the environment) would only cost time.
        shared = shared_transport(ca_bundle=ca_bundle, pinned_sha256=pinned_sha256) if reuse_connections else None
        self._transport = shared or DeadlineTransport(
            build_ssl_context(ca_bundle=ca_bundle, pinned_sha256=pinned_sha256)
        )
        self._timeouts = httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
        ).as_dict()

    def __repr__(self) -> str:
        who = self.login if self.login is not None else "secret key"
        return f"<PleskClient {self.url} as {who}>"

    def __enter__(self) -> PleskClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled connections (a shared pool stays open, see ``reuse_connections``)."""
        self._transport.close()

    # --- sending ---------------------------------------------------------------------------------

    def packet(self) -> Packet:
        """A new, empty multi-operation packet for this client."""
        return Packet(self)

    def call(self, operation: Operation[T], *, deadline: float | None = None) -> T:
        """Send ``operation`` alone and return its value, or raise its error."""
        outcome: Outcome[T] = self.send([operation], deadline=deadline)[0]
        return outcome.unwrap()

    def send(self, operations: Sequence[Operation[Any]], *, deadline: float | None = None) -> list[Outcome[Any]]:
        """Send ``operations`` in one packet and return one outcome per operation, in order.

        Raises ``PleskAPIError`` for a packet-level (system) error, and a ``PleskTransportError``
        subclass when no usable answer arrived.
        """
        return self._exchange(operations, self.protocol_version, deadline)[1]

    def _exchange(
        self, operations: Sequence[Operation[Any]], version: str | None, deadline: float | None
    ) -> tuple[str | None, list[Outcome[Any]]]:
        request = build_packet(operations, version)
        labels = ", ".join(op.label for op in operations)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("Plesk request to %s as %s: %s", self.url, self._who, redacted_xml(request))
        started = time.monotonic()
        try:
            answer = self._exchange_packet(request, operations, labels, deadline)
        except Exception as exc:
            self._called(started, exc)
            raise
        # "Does not exist" answers a look-up; any other error of an operation is one of the call.
        failed = (o.error for o in answer[1] if o.error is not None and not isinstance(o.error, PleskNotFound))
        self._called(started, next(failed, None))
        return answer

    def _called(self, started: float, error: BaseException | None) -> None:
        if self.on_call is not None:
            self.on_call(self._host, time.monotonic() - started, error)

    def _exchange_packet(
        self, request: etree._Element, operations: Sequence[Operation[Any]], labels: str, deadline: float | None
    ) -> tuple[str | None, list[Outcome[Any]]]:
        started = time.monotonic()
        try:
            status, body = self._post(to_bytes(request), deadline or self.deadline, labels)
            try:
                root = _parse_packet(status, body)
                if logger.isEnabledFor(logging.DEBUG):
                    elapsed = time.monotonic() - started
                    logger.debug("Plesk answer (HTTP %s, %.2fs): %s", status, elapsed, redacted_xml(root))
                outcomes = _outcomes(root, operations)
            except PleskAPIError as exc:
                exc.http_status = status
                self._refused(exc)
                raise
            for outcome in outcomes:
                if outcome.error is not None:
                    outcome.error.http_status = status
                    self._refused(outcome.error)
            return root.get("version"), outcomes
        except PleskResponseError as exc:
            logger.warning("Plesk %s: unusable answer to %s (%s); outcome unknown", self.url, labels, exc)
            raise

    def _refused(self, error: PleskAPIError) -> None:
        # The caller remembers a refused login so that nothing tries it again in a loop (PX-07).
        if isinstance(error, PleskAuthError) and self.on_auth_error is not None:
            self.on_auth_error(error)

    @property
    def _who(self) -> str:
        return self.login if self.login is not None else "secret key"

    def _post(self, body: bytes, seconds: float, labels: str) -> tuple[int, bytes]:
        with deadline_scope(seconds) as deadline_at:
            try:
                request = httpx.Request(
                    "POST", self.url, content=body, headers=self._headers, extensions={"timeout": self._timeouts}
                )
                response = self._transport.handle_request(request)
                try:
                    return response.status_code, self._read_capped(response)
                finally:
                    response.close()
            except httpx.ConnectError as exc:
                raise self._connect_error(exc) from None
            except (httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                logger.info("Plesk %s unreachable (%s): %s", self.url, labels, exc)
                raise PleskConnectionError(f"could not connect to {self._host}:{self._port} in time") from None
            except httpx.TimeoutException:
                passed = time.monotonic() >= deadline_at
                reason = f"the overall deadline of {seconds:g}s passed" if passed else "the read timeout expired"
                logger.warning("Plesk %s: %s during %s; outcome unknown", self.url, reason, labels)
                raise PleskTimeout(f"no answer from Plesk: {reason}; the request may have been processed") from None
            except httpx.HTTPError as exc:
                logger.warning("Plesk %s: connection lost during %s (%s); outcome unknown", self.url, labels, exc)
                raise PleskOutcomeUnknown(
                    f"the connection broke after the request was sent ({type(exc).__name__})"
                ) from None

    def _read_capped(self, response: httpx.Response) -> bytes:
        cap = self.max_response_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise PleskResponseError(f"response too large ({declared} bytes, the limit is {cap})")
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise PleskResponseError(f"response too large (more than {cap} bytes)")
            chunks.append(chunk)
        return b"".join(chunks)

    def _connect_error(self, exc: httpx.ConnectError) -> PleskConnectionError:
        cause = next((e for e in _exception_chain(exc) if isinstance(e, ssl.SSLError)), None)
        if isinstance(cause, CertificatePinMismatch):
            logger.warning("Plesk %s presented certificate %s, not the pinned one", self.url, cause.fingerprint)
            return PleskTLSError(
                f"certificate not trusted (fingerprint {cause.fingerprint})", fingerprint=cause.fingerprint
            )
        if isinstance(cause, ssl.SSLCertVerificationError):
            fingerprint = _peer_fingerprint(self._host, self._port, timeout=self._connect_timeout)
            logger.warning("Plesk %s certificate not trusted (%s)", self.url, cause.verify_message)
            return PleskTLSError(
                f"certificate not trusted (fingerprint {fingerprint or 'unknown'}): {cause.verify_message}",
                fingerprint=fingerprint,
            )
        if isinstance(cause, ssl.SSLError):
            return PleskTLSError(f"TLS handshake with {self._host}:{self._port} failed: {cause.reason or cause}")
        logger.info("Plesk %s unreachable: %s", self.url, exc)
        return PleskConnectionError(f"could not connect to {self._host}:{self._port}: {exc}")

    # --- operations with client-side logic -------------------------------------------------------

    def test_connection(self) -> ServerInfo:
        """``get_protos`` and ``server get`` in one packet: proves URL, TLS and credentials, and returns
        host name, GUID, Plesk version and the protocol versions the server accepts.

        When the server refuses our protocol version (1005), the error names the versions it offers.
        """
        try:
            version, outcomes = self._exchange([ops.get_protos(), ops.get_server_info()], self.protocol_version, None)
        except PleskVersionError as exc:
            offered: tuple[str, ...] = self._exchange([ops.get_protos()], None, None)[1][0].unwrap()
            raise PleskVersionError(
                exc.errcode, f"{exc.errtext} (the server offers {', '.join(offered)})", system=exc.system
            ) from None
        protos_outcome, info_outcome = outcomes
        protos: tuple[str, ...] = protos_outcome.unwrap()
        info: ServerInfo = info_outcome.unwrap()
        return replace(info, protocol_version=version, protos=protos)

    def create_session(
        self,
        login: str,
        user_ip: str,
        *,
        source_server: str = "",
        starting_url: str | None = None,
        locale: str | None = None,
        success_redirect_url: str | None = None,
    ) -> Session:
        """Single sign-on: a fresh token for ``login`` (``user_ip`` = the user's browser IP) and the URL
        that logs the browser in. Create it when the user clicks; it works once and expires soon."""
        operation = ops.create_session(
            login, user_ip, source_server=source_server, starting_url=starting_url, locale=locale
        )
        token = self.call(operation)
        return Session(id=token, login=login, login_url=self.login_url(token, success_redirect_url))

    def login_url(self, session_id: str, success_redirect_url: str | None = None) -> str:
        """The ``rsession_init.php`` URL that redeems an SSO token, optionally landing on a Plesk path."""
        query = {"PLESKSESSID": session_id}
        if success_redirect_url:
            query["success_redirect_url"] = success_redirect_url
        return f"{self._base}{SSO_PATH}?{urlencode(query)}"

    def with_plan_names(self, webspaces: Sequence[Webspace]) -> list[Webspace]:
        """Fill ``plan_name`` of ``webspaces`` with one ``service-plan get`` by GUID over all owners.

        GUIDs Plesk does not know as service plans (e.g. add-ons) leave ``plan_name`` empty.
        """
        guids = sorted({w.plan_guid for w in webspaces if w.plan_guid})
        if not guids:
            return list(webspaces)
        names = {plan.guid: plan.name for plan in self.call(ops.get_service_plans(guids=guids, all_owners=True))}
        return [replace(w, plan_name=names.get(w.plan_guid or "")) for w in webspaces]

    def get_reseller_package(self, login: str) -> ResellerPackage:
        """The package of reseller ``login`` (admin credentials): its limits and usage, its subscriptions
        with their limits, what they were given (``max_cl``: its customers) and what is left. Three reads in
        two packets."""
        reseller_outcome, customers_outcome = (
            self.packet()
            .add(ops.get_reseller(login=login, stat=True, limits=True, permissions=True))
            .add(ops.get_customers(owner_logins=[login]))
            .send()
        )
        reseller: Reseller = reseller_outcome.unwrap()
        customers = [customer.id for customer in customers_outcome.unwrap()]
        webspaces = self.call(ops.get_webspaces(owner_ids=[reseller.id, *customers], hosting=False, limits=True))
        given = {**limits.allocated(w.limits for w in webspaces), LimitName.MAX_CL: len(customers)}
        return ResellerPackage(
            reseller=reseller,
            limits=dict(reseller.limits),
            allocated=given,
            remaining=limits.remaining(reseller.limits, given),
            subscriptions=tuple(webspaces),
        )

    # --- operations: one method per builder in plesk.ops -------------------------------------------

    get_protos = _operation_method(ops.get_protos)
    get_server_info = _operation_method(ops.get_server_info)
    get_ips = _operation_method(ops.get_ips)
    get_sessions = _operation_method(ops.get_sessions)
    terminate_session = _operation_method(ops.terminate_session)
    create_secret_key = _operation_method(ops.create_secret_key)
    get_secret_keys = _operation_method(ops.get_secret_keys)
    delete_secret_key = _operation_method(ops.delete_secret_key)
    get_service_plans = _operation_method(ops.get_service_plans)
    get_service_plan = _operation_method(ops.get_service_plan)
    add_service_plan = _operation_method(ops.add_service_plan)
    set_service_plan = _operation_method(ops.set_service_plan)
    delete_service_plan = _operation_method(ops.delete_service_plan)
    get_customers = _operation_method(ops.get_customers)
    get_customer = _operation_method(ops.get_customer)
    add_customer = _operation_method(ops.add_customer)
    set_customer = _operation_method(ops.set_customer)
    delete_customer = _operation_method(ops.delete_customer)
    get_webspaces = _operation_method(ops.get_webspaces)
    get_webspace = _operation_method(ops.get_webspace)
    add_webspace = _operation_method(ops.add_webspace)
    set_webspace = _operation_method(ops.set_webspace)
    switch_webspace_plan = _operation_method(ops.switch_webspace_plan)
    delete_webspace = _operation_method(ops.delete_webspace)
    get_resellers = _operation_method(ops.get_resellers)
    get_reseller = _operation_method(ops.get_reseller)
    add_reseller = _operation_method(ops.add_reseller)
    set_reseller = _operation_method(ops.set_reseller)
    delete_reseller = _operation_method(ops.delete_reseller)
