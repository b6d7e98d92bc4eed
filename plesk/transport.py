"""HTTP transport for the Plesk client: TLS verification or certificate pinning, and an overall deadline.

How certificate pinning works
    With a pinned SHA-256 fingerprint the TLS context does not validate the chain or the host name
    (Plesk panels usually present self-signed certificates). Instead its socket class,
    :class:`PinnedSSLSocket`, hashes the DER certificate the server presented right after the TLS
    handshake and closes the connection unless it equals the pin. This happens inside the handshake,
    before a single byte of HTTP (and therefore before the ``HTTP_AUTH_PASSWD`` header) is written.
    A replaced certificate is refused until someone pins the new fingerprint.

How the overall deadline works
    httpx only has per-phase timeouts: a server that drips one byte every few seconds never trips a
    5-second read timeout. The transport therefore uses its own httpcore network backend whose
    streams bound every connect, handshake, write and read by the time left until the call's
    deadline (held in a context variable set by the client). When the deadline passes, the next
    socket operation times out, whatever phase the exchange is in, headers included.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
import socket
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import certifi
import httpcore
import httpx

__all__ = [
    "CertificatePinMismatch",
    "DeadlineTransport",
    "PinnedSSLSocket",
    "build_ssl_context",
    "certificate_fingerprint",
    "deadline_scope",
    "format_fingerprint",
    "normalize_fingerprint",
    "peer_certificate_fingerprint",
    "shared_transport",
]

_DEADLINE: ContextVar[float | None] = ContextVar("plesk_deadline", default=None)


@contextlib.contextmanager
def deadline_scope(seconds: float) -> Iterator[float]:
    """Make every socket operation of :class:`DeadlineTransport` in this block end ``seconds`` from now.

    Yields the absolute deadline on the ``time.monotonic()`` clock.
    """
    deadline = time.monotonic() + seconds
    token = _DEADLINE.set(deadline)
    try:
        yield deadline
    finally:
        _DEADLINE.reset(token)


def _bounded(timeout: float | None, exc_class: type[Exception]) -> float | None:
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise exc_class("the overall deadline of the call has passed")
    return remaining if timeout is None else min(timeout, remaining)


# --- fingerprints and TLS contexts -----------------------------------------------------------------

_HEX64 = re.compile(r"[0-9a-f]{64}")


def normalize_fingerprint(fingerprint: str) -> bytes:
    """Parse a SHA-256 fingerprint written as hex, with or without colons/spaces, any case."""
    cleaned = re.sub(r"[\s:]", "", fingerprint).lower()
    cleaned = cleaned.removeprefix("sha256")
    if not _HEX64.fullmatch(cleaned):
        raise ValueError("a SHA-256 fingerprint has 64 hex digits")
    return bytes.fromhex(cleaned)


def format_fingerprint(digest: bytes) -> str:
    """Colon-separated upper-case hex, as browsers and ``openssl x509 -fingerprint`` show it."""
    return ":".join(f"{byte:02X}" for byte in digest)


def certificate_fingerprint(der: bytes) -> str:
    """SHA-256 fingerprint of a DER-encoded certificate, formatted by :func:`format_fingerprint`."""
    return format_fingerprint(hashlib.sha256(der).digest())


class CertificatePinMismatch(ssl.SSLCertVerificationError):
    """The server presented a certificate other than the pinned one. ``fingerprint`` is the presented one."""

    def __init__(self, fingerprint: str | None) -> None:
        super().__init__(f"the certificate (fingerprint {fingerprint or 'unknown'}) does not match the pinned one")
        self.fingerprint = fingerprint


class PinnedSSLSocket(ssl.SSLSocket):
    """SSL socket that, after the handshake, accepts only a certificate whose SHA-256 equals ``pinned_sha256``.

    Used through :func:`build_ssl_context`, which sets ``pinned_sha256`` on a per-pin subclass.
    """

    pinned_sha256: bytes = b""

    def do_handshake(self, block: bool = False) -> None:
        super().do_handshake(block)
        der = self.getpeercert(binary_form=True)
        if not der or not self.pinned_sha256 or hashlib.sha256(der).digest() != self.pinned_sha256:
            raise CertificatePinMismatch(certificate_fingerprint(der) if der else None)


def build_ssl_context(*, ca_bundle: str | None = None, pinned_sha256: str | None = None) -> ssl.SSLContext:
    """The client TLS context: a pinned certificate, or chain and host-name verification against
    ``ca_bundle`` (PEM text or a file path) or the certifi bundle. Verification cannot be switched off.

    Contexts for the certifi bundle, PEM text and pins are shared (loading the certifi bundle costs
    about 15 ms, on every client otherwise); a bundle given as a file path is read every time, so a
    renewed file takes effect at once.
    """
    if pinned_sha256 is not None and ca_bundle is not None:
        raise ValueError("give either a CA bundle or a pinned fingerprint, not both")
    if ca_bundle is not None and "-----BEGIN CERTIFICATE-----" not in ca_bundle:
        return _new_ssl_context(ca_bundle, None)
    return _shared_ssl_context(ca_bundle, None if pinned_sha256 is None else normalize_fingerprint(pinned_sha256))


def _new_ssl_context(ca_bundle: str | None, pin: bytes | None) -> ssl.SSLContext:
    if pin is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        # The pin replaces chain and name validation; PinnedSSLSocket enforces it after the handshake.
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.sslsocket_class = type("PinnedSSLSocketForPin", (PinnedSSLSocket,), {"pinned_sha256": pin})
    elif ca_bundle is not None and "-----BEGIN CERTIFICATE-----" in ca_bundle:
        context = ssl.create_default_context(cadata=ca_bundle)
    else:
        context = ssl.create_default_context(cafile=ca_bundle or certifi.where())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


_shared_ssl_context = functools.lru_cache(maxsize=64)(_new_ssl_context)


def peer_certificate_fingerprint(host: str, port: int, *, timeout: float = 5.0) -> str | None:
    """SHA-256 fingerprint of the certificate ``host:port`` presents, read without trusting it.

    Only a TLS handshake takes place; nothing is sent. Used to tell staff which certificate was
    refused, so they can compare it out of band and pin it. ``None`` when it cannot be read.
    """
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as sock,
            context.wrap_socket(sock, server_hostname=host) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
    except OSError:
        return None
    return certificate_fingerprint(der) if der else None


# --- deadline-aware httpcore backend -------------------------------------------------------------


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout))
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        bounded = _bounded(timeout, httpcore.ConnectTimeout)
        # Headers and body go out as separate writes; without TCP_NODELAY, Nagle's algorithm and the
        # peer's delayed ACK stall every request by ~40 ms.
        options = [*(socket_options or ()), (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
        return _DeadlineStream(self._inner.connect_tcp(host, port, bounded, local_address, options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


# Most specific first: the first match wins.
_EXCEPTIONS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.TimeoutException, httpx.TimeoutException),
)


@contextlib.contextmanager
def _httpx_exceptions() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for source, target in _EXCEPTIONS:
            if isinstance(exc, source):
                raise target(str(exc)) from exc
        raise


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_exceptions():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class DeadlineTransport(httpx.BaseTransport):
    """httpx transport over httpcore with the deadline-aware backend and the given TLS context.

    Raises the usual httpx exceptions. No proxies, no retries, HTTP/1.1 only.
    """

    def __init__(self, ssl_context: ssl.SSLContext, *, max_connections: int = 4, max_keepalive: int = 2) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            network_backend=_DeadlineBackend(),
            max_connections=max_connections,
            max_keepalive_connections=max_keepalive,
            keepalive_expiry=15.0,
            retries=0,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_exceptions():
            response = self._pool.handle_request(core_request)
        # The type allows an async pool's stream too; a sync pool always answers with a sync one.
        assert isinstance(response.stream, Iterable)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response.stream),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self._pool.close()


class _SharedTransport(DeadlineTransport):
    """A pool that lives as long as the process: closing one client that uses it leaves it open."""

    def close(self) -> None:
        pass

    def close_pool(self) -> None:
        super().close()


# Pools by TLS settings, least recently used first; beyond MAX_SHARED_POOLS the oldest is closed.
MAX_SHARED_POOLS = 64
_shared_transports: OrderedDict[tuple[str | None, bytes | None], _SharedTransport] = OrderedDict()
_shared_lock = threading.Lock()


def shared_transport(*, ca_bundle: str | None = None, pinned_sha256: str | None = None) -> DeadlineTransport | None:
    """The process's connection pool for these TLS settings, or ``None`` where they cannot share one.

    A connection is only ever reused under the TLS settings it was verified with, and Plesk reads the
    credentials from each request's headers, so clients of different logins may share one. A CA bundle
    given as a file path gets no shared pool: the file is read for every client, so a renewed one takes
    effect at once (see :func:`build_ssl_context`). The pools are thread-safe; idle connections are
    closed after 15 seconds.
    """
    if ca_bundle is not None and "-----BEGIN CERTIFICATE-----" not in ca_bundle:
        return None
    key = (ca_bundle, None if pinned_sha256 is None else normalize_fingerprint(pinned_sha256))
    with _shared_lock:
        transport = _shared_transports.get(key)
        if transport is not None:
            _shared_transports.move_to_end(key)
            return transport
        context = build_ssl_context(ca_bundle=ca_bundle, pinned_sha256=pinned_sha256)
        transport = _shared_transports[key] = _SharedTransport(context, max_connections=32, max_keepalive=8)
        while len(_shared_transports) > MAX_SHARED_POOLS:
            _key, oldest = _shared_transports.popitem(last=False)
            oldest.close_pool()
        return transport
