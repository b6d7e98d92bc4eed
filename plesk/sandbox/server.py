"""The sandbox over real HTTP(S): a threaded ``http.server`` on its own background thread.

``http.server`` keeps header names exactly as sent, so the underscored ``HTTP_AUTH_LOGIN`` /
``HTTP_AUTH_PASSWD`` headers arrive intact (a WSGI server would drop or rename them).

Endpoints:

* ``POST /enterprise/control/agent.php``: the XML API.
* ``GET|POST /enterprise/rsession_init.php?PLESKSESSID=<token>``: redeems an SSO token once, then
  redirects to ``/sandbox/home``, a page saying "Plesk sandbox — logged in as <login>".
* ``/_sandbox/faults`` (loopback clients only): ``GET`` lists, ``POST`` (JSON fields of
  :class:`~plesk.sandbox.faults.Fault`) adds, ``DELETE`` clears the injected faults.
* ``POST /_sandbox/usage`` (loopback clients only): ``{"webspace": "<domain>", "usage": {"disk_space": …}}``
  sets what a subscription uses (:meth:`SandboxServer.set_usage`).
"""

from __future__ import annotations

import html
import ipaddress
import json
import logging
import socket
import ssl
import struct
import tempfile
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from ..client import AGENT_PATH, SSO_PATH
from ..xml import XMLRejected, parse_xml, tag_name
from .demo import seed_demo
from .engine import SandboxEngine, operations_of
from .faults import Fault, FaultKind, FaultSet, doctype_body, malformed_body, oversized_chunks
from .state import USAGE_NAMES, SandboxState
from .tls import generate_self_signed, pem_fingerprint

logger = logging.getLogger("plesk.sandbox")

MAX_REQUEST_BYTES = 16 * 1024 * 1024
HOME_PATH = "/sandbox/home"
CONTROL_PATH = "/_sandbox/faults"
USAGE_PATH = "/_sandbox/usage"
SESSION_COOKIE = "plesk_sandbox_session"
_XML = "text/xml; charset=UTF-8"
_HTML = "text/html; charset=UTF-8"


@dataclass(frozen=True)
class Exchange:
    """A request the engine answered, and its answer (injected broken bodies are not recorded)."""

    request: bytes
    response: bytes


def _operation_pairs(body: bytes) -> list[tuple[str, str]]:
    try:
        root = parse_xml(body)
    except XMLRejected:
        return []
    return [(tag_name(operator), tag_name(operation)) for operator, operation in operations_of(root)]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sw-cp-server"
    sys_version = ""
    # Idle keep-alive connections are closed after this many seconds.
    timeout = 30
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    @property
    def sandbox(self) -> SandboxServer:
        return self.server.sandbox

    # --- routing -------------------------------------------------------------------------------

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if path == AGENT_PATH:
            self._agent()
        elif path == SSO_PATH:
            body = self._read_body()
            if body is not None:
                self._sso(parse_qs(body.decode("utf-8", "replace")))
        elif path == CONTROL_PATH:
            self._control("POST")
        elif path == USAGE_PATH:
            self._usage()
        else:
            self._plain(404, "Not Found")

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == SSO_PATH:
            self._sso(parse_qs(parts.query))
        elif parts.path == HOME_PATH:
            self._home(parse_qs(parts.query))
        elif parts.path == CONTROL_PATH:
            self._control("GET")
        elif parts.path == AGENT_PATH:
            self._plain(405, "Method Not Allowed", [("Allow", "POST")])
        else:
            self._plain(404, "Not Found")

    def do_DELETE(self) -> None:
        if urlsplit(self.path).path == CONTROL_PATH:
            self._control("DELETE")
        else:
            self._plain(405, "Method Not Allowed")

    def do_PUT(self) -> None:
        self._plain(405, "Method Not Allowed")

    do_PATCH = do_PUT

    # --- responses -------------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, headers: Iterable[tuple[str, str]] = ()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _plain(self, status: int, text: str, headers: Iterable[tuple[str, str]] = ()) -> None:
        self._send(status, f"{text}\n".encode(), "text/plain; charset=UTF-8", headers)

    def _page(self, status: int, title: str, message: str, headers: Iterable[tuple[str, str]] = ()) -> None:
        body = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
            f"<body><h1>{html.escape(title)}</h1><p>{message}</p></body></html>"
        )
        self._send(status, body.encode(), _HTML, headers)

    def _reset(self) -> None:
        """Abort the connection with a TCP reset and no answer."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _read_body(self) -> bytes | None:
        length = self.headers.get("Content-Length", "")
        if not length.isdigit():
            self._plain(411, "Length Required")
            return None
        if int(length) > MAX_REQUEST_BYTES:
            self.close_connection = True
            self._plain(413, "Payload Too Large")
            return None
        return self.rfile.read(int(length))

    @property
    def _client_ip(self) -> str:
        return self.client_address[0]

    # --- the XML API ---------------------------------------------------------------------------

    def _agent(self) -> None:
        body = self._read_body()
        if body is None:
            return
        sandbox = self.sandbox
        pairs = _operation_pairs(body)
        if sandbox.latency:
            sandbox.sleep(sandbox.latency)
        delayed = sandbox.faults.take(pairs, kinds={FaultKind.LATENCY})
        if delayed is not None:
            sandbox.sleep(delayed.delay)
        fault = sandbox.faults.take(pairs, kinds=set(FaultKind) - {FaultKind.LATENCY})
        headers = dict(self.headers.items())
        answer = b""
        if fault is None or fault.executes or fault.kind is FaultKind.API_ERROR:
            forced = fault.forced_errors(pairs) if fault is not None and fault.kind is FaultKind.API_ERROR else None
            answer = sandbox.engine.handle(body, headers, self._client_ip, forced_errors=forced)
            sandbox.record(body, answer)
        if fault is None or fault.kind is FaultKind.API_ERROR:
            self._send(200, answer, _XML)
        else:
            logger.info("Plesk sandbox: injecting %s for %s", fault.kind, pairs)
            self._inject(fault, body, answer)

    def _inject(self, fault: Fault, body: bytes, answer: bytes) -> None:
        sandbox = self.sandbox
        kind = fault.kind
        try:
            if kind is FaultKind.TIMEOUT_AFTER_COMMIT:
                if not sandbox.sleep(fault.delay):
                    self._send(200, answer, _XML)
            elif kind in (FaultKind.DROP, FaultKind.DROP_AFTER_COMMIT):
                self._reset()
            elif kind is FaultKind.HTTP_500:
                if fault.xml:
                    self._send(500, sandbox.engine.error_packet(body, fault.errcode, fault.errtext), _XML)
                else:
                    self._plain(500, "Internal Server Error")
            elif kind is FaultKind.MALFORMED:
                self._send(200, malformed_body(fault.variant or "truncated"), _XML)
            elif kind is FaultKind.DOCTYPE:
                payload = doctype_body(
                    fault.variant or "xxe", entity_file=fault.entity_file, entity_url=fault.entity_url
                )
                self._send(200, payload, _XML)
            elif kind is FaultKind.OVERSIZED:
                self._stream_oversized(fault)
            elif kind is FaultKind.SLOW_DRIP:
                self._drip(answer, fault.interval)
        except OSError:
            # The client gave up (deadline, size cap): exactly what these faults provoke.
            self.close_connection = True

    def _stream_oversized(self, fault: Fault) -> None:
        self.send_response(200)
        self.send_header("Content-Type", _XML)
        if fault.declare_length:
            self.send_header("Content-Length", str(fault.size))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        for chunk in oversized_chunks(fault.size):
            if self.sandbox.stopping:
                break
            self.wfile.write(chunk)

    def _drip(self, answer: bytes, interval: float) -> None:
        self.send_response(200)
        self.send_header("Content-Type", _XML)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        for index in range(len(answer)):
            if self.sandbox.sleep(interval):
                return
            self.wfile.write(answer[index : index + 1])
            self.wfile.flush()

    # --- single sign-on ------------------------------------------------------------------------

    def _sso(self, params: dict[str, list[str]]) -> None:
        token = (params.get("PLESKSESSID") or params.get("PHPSESSID") or [""])[0]
        session = self.sandbox.engine.redeem_sso(token, self._client_ip) if token else None
        if session is None:
            self._page(403, "Plesk sandbox", "This login link is invalid, already used or expired.")
            return
        target = HOME_PATH
        landing = (params.get("success_redirect_url") or [""])[0]
        if landing:
            target += f"?next={quote(landing, safe='')}"
        cookie = f"{SESSION_COOKIE}={session.id}; Path=/; HttpOnly; SameSite=Lax"
        self._send(302, b"", _HTML, [("Location", target), ("Set-Cookie", cookie)])

    def _home(self, params: dict[str, list[str]]) -> None:
        cookie = SimpleCookie(self.headers.get("Cookie", ""))
        morsel = cookie.get(SESSION_COOKIE)
        session = self.sandbox.engine.panel_session(morsel.value) if morsel else None
        if session is None:
            self._page(403, "Plesk sandbox", "Not logged in.")
            return
        message = f"Plesk sandbox — logged in as {html.escape(session.login)}"
        landing = (params.get("next") or [""])[0]
        if landing:
            message += f"<br>Requested page: {html.escape(landing)}"
        self._page(200, "Plesk sandbox", message)

    # --- fault control -------------------------------------------------------------------------

    def _usage(self) -> None:
        if not ipaddress.ip_address(self._client_ip).is_loopback:
            self._plain(404, "Not Found")
            return
        body = self._read_body()
        if body is None:
            return
        try:
            request = json.loads(body)
            self.sandbox.set_usage(request["webspace"], **request["usage"])
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            self._plain(400, f"Bad usage: {exc}")
            return
        self._send(200, b"{}", "application/json")

    def _control(self, method: str) -> None:
        if not ipaddress.ip_address(self._client_ip).is_loopback:
            self._plain(404, "Not Found")
            return
        faults = self.sandbox.faults
        if method == "DELETE":
            faults.clear()
            self._send(200, b"[]", "application/json")
            return
        if method == "POST":
            body = self._read_body()
            if body is None:
                return
            try:
                faults.add(Fault(**json.loads(body)))
            except (ValueError, TypeError) as exc:
                self._plain(400, f"Bad fault: {exc}")
                return
        listing = json.dumps([fault.to_json() for fault in faults.active()]).encode()
        self._send(201 if method == "POST" else 200, listing, "application/json")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], sandbox: SandboxServer, ssl_context: ssl.SSLContext | None) -> None:
        self.sandbox = sandbox
        self.ssl_context = ssl_context
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        # Runs on the connection's own thread, so a slow or failing TLS handshake blocks nobody else.
        connection = request
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.ssl_context is not None:
            request.settimeout(_Handler.timeout)
            try:
                connection = self.ssl_context.wrap_socket(request, server_side=True)
            except (OSError, ValueError):
                request.close()
                return
        with self._connections_lock:
            self._connections.add(connection)
            self.sandbox.connections_accepted += 1
        try:
            super().finish_request(connection, client_address)
        except OSError:
            logger.debug("Plesk sandbox: connection from %s ended abruptly", client_address)
        finally:
            with self._connections_lock:
                self._connections.discard(connection)
            if connection is not request:
                connection.close()

    def close_connections(self) -> None:
        """End every open connection, so pooled keep-alive connections cannot outlive a stop."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                logger.debug("Plesk sandbox: connection already closed")


class SandboxServer:
    """A fake Plesk on ``host:port`` (``port=0``: any free port), served from a background thread.

    Use as a context manager (``with SandboxServer(admin_password="...") as server: server.url``) or
    with :meth:`start`/:meth:`stop`; a stopped server keeps its state and can be started again on the
    same port, which is how tests produce "connection refused".

    ``state_file`` loads the state at start and is rewritten after every change. ``schema_dir``
    points at the Plesk XSD files (default ``../shared/plesk-xsd`` beside the repository; without
    them only structural checks run). ``tls=True`` serves HTTPS with a fresh self-signed
    certificate; ``certfile``/``keyfile`` serve a given one. ``seed_demo`` adds the demo reseller.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        admin_password: str,
        state_file: str | Path | None = None,
        schema_dir: str | Path | None = None,
        seed_demo: bool = False,
        reseller_password: str | None = None,
        tls: bool = False,
        certfile: str | Path | None = None,
        keyfile: str | Path | None = None,
        sso_token_ttl: float = 60.0,
    ) -> None:
        self.host = host
        self.port = port
        path = Path(state_file) if state_file is not None else None
        state = SandboxState.load(path, admin_password) if path else SandboxState.initial(admin_password)
        self.engine = SandboxEngine(state, schema_dir=schema_dir, state_file=path, sso_token_ttl=sso_token_ttl)
        self.demo = seed_demo_state(self.engine, reseller_password) if seed_demo else None
        self.faults = FaultSet()
        self.latency = 0.0
        self.exchanges: deque[Exchange] = deque(maxlen=1000)
        # Connections accepted so far (TLS handshake done, where there is one): tests of connection reuse.
        self.connections_accepted = 0
        self.certificate_pem: bytes | None = None
        self._ssl_context = self._tls_context(tls, certfile, keyfile)
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def _tls_context(self, tls: bool, certfile: str | Path | None, keyfile: str | Path | None) -> ssl.SSLContext | None:
        if certfile is None and not tls:
            return None
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if certfile is not None:
            context.load_cert_chain(certfile, keyfile)
            self.certificate_pem = Path(certfile).read_bytes()
            return context
        certificate, key = generate_self_signed(("localhost", self.host))
        with tempfile.TemporaryDirectory() as directory:
            cert_path, key_path = Path(directory, "cert.pem"), Path(directory, "key.pem")
            cert_path.write_bytes(certificate)
            key_path.write_bytes(key)
            context.load_cert_chain(cert_path, key_path)
        self.certificate_pem = certificate
        return context

    # --- lifecycle -------------------------------------------------------------------------------

    def start(self) -> SandboxServer:
        """Bind and serve on a background thread; returns ``self``."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        self._httpd = _HTTPServer((self.host, self.port), self, self._ssl_context)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"plesk-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        logger.info("Plesk sandbox listening on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving: close the port and every open connection; delayed answers are abandoned."""
        if self._httpd is None:
            return
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._httpd.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` has been called (long-running answers check it)."""
        return self._stopping.is_set()

    def sleep(self, seconds: float) -> bool:
        """Wait ``seconds`` unless the server stops first; returns whether it is stopping."""
        return self._stopping.wait(seconds)

    # --- addresses -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http(s)://host:port``."""
        scheme = "https" if self._ssl_context is not None else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The XML API endpoint."""
        return self.base_url + AGENT_PATH

    @property
    def certificate_fingerprint(self) -> str | None:
        """SHA-256 fingerprint of the served certificate (what a client pins), when serving HTTPS."""
        return pem_fingerprint(self.certificate_pem) if self.certificate_pem else None

    @property
    def state(self) -> SandboxState:
        """The live state (hold ``engine.lock`` while changing it from outside)."""
        return self.engine.state

    # --- faults and inspection -------------------------------------------------------------------

    def inject(
        self, kind: FaultKind | str, *, operation: str | None = None, times: int | None = 1, **options: Any
    ) -> Fault:
        """Activate a fault (see :mod:`plesk.sandbox.faults` for kinds and options); returns it."""
        return self.faults.add(Fault(FaultKind(kind), operation=operation, times=times, **options))

    def clear_faults(self) -> None:
        """Deactivate every injected fault (the fixed ``latency`` stays)."""
        self.faults.clear()

    def record(self, request: bytes, response: bytes) -> None:
        """Keep an exchange for inspection (the last 1000)."""
        self.exchanges.append(Exchange(request, response))

    def set_usage(self, webspace: str, *, traffic_prevday: int | None = None, **usage: int) -> None:
        """Set what subscription ``webspace`` (its domain name) uses, by limit name (``disk_space`` in bytes,
        ``max_traffic`` = bytes this month, ``max_box`` = mailboxes, ``max_db``, ``max_site``, ...); what
        ``webspace get`` (``stat``, ``resource-usage``), ``customer get`` and ``reseller get`` then report.
        Unknown names raise ``KeyError``; an unknown domain ``LookupError``."""
        unknown = set(usage) - set(USAGE_NAMES)
        if unknown:
            raise KeyError(f"unknown usage names: {', '.join(sorted(unknown))}")
        with self.engine.lock:
            found = next((w for w in self.state.webspaces if w.name.casefold() == webspace.casefold()), None)
            if found is None:
                raise LookupError(f"no subscription {webspace}")
            for name, value in usage.items():
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{name} must be a non-negative integer")
                if name == "disk_space":
                    found.real_size = value
                else:
                    found.usage[name] = value
            if traffic_prevday is not None:
                found.traffic_prevday = traffic_prevday
            self.engine.save()

    def create_count(self, kind: str, *, external_id: str | None = None, name: str | None = None) -> int:
        """How many ``kind`` objects (``customer``, ``webspace``, ...) the API created, optionally only
        those with ``external_id`` or ``name``; deletions do not lower it."""
        with self.engine.lock:
            return sum(
                1
                for event in self.state.created
                if event.kind == kind
                and (external_id is None or event.external_id == external_id)
                and (name is None or event.name == name)
            )

    def delete_count(self, kind: str, *, external_id: str | None = None, name: str | None = None) -> int:
        """How many ``kind`` objects the API removed (with a ``del``, or with the account they belonged to),
        optionally only those with ``external_id`` or ``name``."""
        with self.engine.lock:
            return sum(
                1
                for event in self.state.deleted
                if event.kind == kind
                and (external_id is None or event.external_id == external_id)
                and (name is None or event.name == name)
            )


def seed_demo_state(engine: SandboxEngine, reseller_password: str | None) -> dict[str, str]:
    """Seed the demo data into ``engine``'s state and persist it; returns the demo logins and passwords."""
    with engine.lock:
        accounts = seed_demo(engine.state, reseller_password=reseller_password)
        engine.save()
    return accounts
