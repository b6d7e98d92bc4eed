"""Fault injection for the sandbox: what can go wrong between the portal and a real Plesk.

A :class:`Fault` applies to the next ``times`` requests (``None``: until cleared) that contain a
matching operation (``operation="webspace add"``, ``"webspace"`` for any of its operations, or
``None`` for every request).

==========================  ==============================================================================
kind                        effect
==========================  ==============================================================================
``latency``                 wait ``delay`` seconds, then answer normally
``timeout_after_commit``    execute the packet, then hold the answer for ``delay`` seconds (past the
                            client's deadline) before sending it
``drop_after_commit``       execute the packet, then reset the connection without an answer
``drop``                    reset the connection without executing anything
``http_500``                HTTP 500; with ``xml=True`` the body mirrors the request with ``errcode`` /
                            ``errtext`` per operation, else a plain-text body
``api_error``               the matching operations answer ``errcode``/``errtext`` (HTTP 200) instead of
                            running; the packet's other operations run normally
``malformed``               a broken body (``variant``: ``truncated``, ``garbage``, ``wrong_root``,
                            ``bad_encoding``, ``no_mirror``)
``doctype``                 a hostile DOCTYPE (``variant``: ``xxe`` with ``entity_file`` and ``entity_url``,
                            ``parameter_entity``, ``billion_laughs``, ``quadratic``)
``oversized``               a ``size``-byte body, streamed (with or without ``Content-Length``)
``slow_drip``               execute, then send the answer one byte every ``interval`` seconds
==========================  ==============================================================================

``http_500``, ``malformed``, ``doctype``, ``oversized`` and ``drop`` do not execute the packet unless
``commit=True``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class FaultKind(StrEnum):
    """The kinds of fault the sandbox can inject (see the module documentation)."""

    LATENCY = "latency"
    TIMEOUT_AFTER_COMMIT = "timeout_after_commit"
    DROP_AFTER_COMMIT = "drop_after_commit"
    DROP = "drop"
    HTTP_500 = "http_500"
    API_ERROR = "api_error"
    MALFORMED = "malformed"
    DOCTYPE = "doctype"
    OVERSIZED = "oversized"
    SLOW_DRIP = "slow_drip"


_VARIANTS = {
    FaultKind.MALFORMED: ("truncated", "garbage", "wrong_root", "bad_encoding", "no_mirror"),
    FaultKind.DOCTYPE: ("xxe", "parameter_entity", "billion_laughs", "quadratic"),
}
_ALWAYS_EXECUTE = {FaultKind.TIMEOUT_AFTER_COMMIT, FaultKind.DROP_AFTER_COMMIT, FaultKind.SLOW_DRIP}


def parse_operation(operation: str | None) -> tuple[str, str | None] | None:
    """``"webspace add"``, ``"webspace/add"`` or ``"webspace"`` as ``(operator, operation or None)``."""
    if operation is None:
        return None
    parts = operation.replace("/", " ").split()
    if not 1 <= len(parts) <= 2:
        raise ValueError(f"operation must look like 'webspace add' or 'webspace', not {operation!r}")
    return parts[0], parts[1] if len(parts) == 2 else None


@dataclass
class Fault:
    """One injected fault; ``hits`` counts how often it fired."""

    kind: FaultKind
    operation: str | None = None
    times: int | None = 1
    commit: bool = False
    delay: float = 30.0
    interval: float = 1.0
    errcode: int = 1023
    errtext: str = "Operation failed"
    xml: bool = True
    size: int = 12 * 1024 * 1024
    declare_length: bool = True
    variant: str | None = None
    entity_file: str = "/etc/hostname"
    entity_url: str | None = None
    hits: int = 0

    def __post_init__(self) -> None:
        self.kind = FaultKind(self.kind)
        parse_operation(self.operation)
        allowed = _VARIANTS.get(self.kind)
        if allowed is not None:
            self.variant = self.variant or allowed[0]
            if self.variant not in allowed:
                raise ValueError(f"{self.kind} variants are {', '.join(allowed)}")
        if self.times is not None and self.times < 1:
            raise ValueError("times must be at least 1 (or None for 'until cleared')")

    @property
    def executes(self) -> bool:
        """Whether the request is executed before the fault shapes the answer."""
        return self.kind in _ALWAYS_EXECUTE or self.commit

    def matches(self, operations: list[tuple[str, str]]) -> bool:
        """Whether a request with these ``(operator, operation)`` pairs is affected."""
        target = parse_operation(self.operation)
        if target is None:
            return True
        operator, name = target
        return any(op == operator and (name is None or n == name) for op, n in operations)

    def forced_errors(self, operations: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[int, str]]:
        """For ``api_error``: the operations to answer with the error."""
        return {pair: (self.errcode, self.errtext) for pair in operations if self.matches([pair])}

    def to_json(self) -> dict[str, Any]:
        """The fault as JSON-compatible data (for the control endpoint)."""
        return asdict(self)


class FaultSet:
    """The active faults of one sandbox; thread-safe."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        """Activate ``fault`` (after the ones already active)."""
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Deactivate every fault."""
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        """The faults still active."""
        with self._lock:
            return list(self._faults)

    def take(self, operations: list[tuple[str, str]], *, kinds: set[FaultKind]) -> Fault | None:
        """Consume one use of the first active fault of ``kinds`` matching ``operations``."""
        with self._lock:
            for fault in self._faults:
                if fault.kind in kinds and fault.matches(operations):
                    fault.hits += 1
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times == 0:
                            self._faults.remove(fault)
                    return fault
        return None


# --- hostile and broken bodies -------------------------------------------------------------------

_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def malformed_body(variant: str) -> bytes:
    """A body a client must refuse cleanly."""
    bodies = {
        "truncated": _DECLARATION + b'<packet version="1.6.9.1"><customer><add><result><status>ok</sta',
        "garbage": b"<html><body><h1>502 Bad Gateway</h1></body>",
        "wrong_root": _DECLARATION + b"<response><status>ok</status></response>",
        "bad_encoding": b'<?xml version="1.0" encoding="UTF-8"?>\n<packet version="1.6.9.1">\xff\xfe</packet>',
        "no_mirror": _DECLARATION + b'<packet version="1.6.9.1"><ip><get><result><status>ok</status>'
        b"</result></get></ip></packet>",
    }
    return bodies[variant]


def doctype_body(variant: str, *, entity_file: str, entity_url: str | None) -> bytes:
    """A response with a DOCTYPE built to exfiltrate files, reach the network or exhaust memory."""
    tail = (
        b"<server><get_protos><result><status>ok</status><protos><proto>%s</proto></protos></result>"
        b"</get_protos></server></packet>"
    )
    if variant == "xxe":
        url = entity_url or "http://127.0.0.1:9/xxe"
        head = (
            f'<!DOCTYPE packet [<!ENTITY file SYSTEM "file://{entity_file}"><!ENTITY net SYSTEM "{url}">]>'
            '<packet version="1.6.9.1">'
        ).encode()
        return _DECLARATION + head + tail % b"&file;&net;"
    if variant == "parameter_entity":
        url = entity_url or "http://127.0.0.1:9/evil.dtd"
        head = f'<!DOCTYPE packet [<!ENTITY % remote SYSTEM "{url}"> %remote;]><packet version="1.6.9.1">'.encode()
        return _DECLARATION + head + tail % b"1.6.9.1"
    if variant == "billion_laughs":
        entities = ['<!ENTITY lol0 "lol">']
        entities += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
        head = f'<!DOCTYPE packet [{"".join(entities)}]><packet version="1.6.9.1">'.encode()
        return _DECLARATION + head + tail % b"&lol9;"
    blob = "x" * 50_000
    head = f'<!DOCTYPE packet [<!ENTITY a "{blob}">]><packet version="1.6.9.1">'.encode()
    return _DECLARATION + head + tail % (b"&a;" * 50_000)


def oversized_chunks(size: int, chunk_size: int = 64 * 1024) -> Iterator[bytes]:
    """``size`` bytes of a well-formed-looking, endless ``get_protos`` answer, in chunks."""
    head = _DECLARATION + b'<packet version="1.6.9.1"><server><get_protos><result><status>ok</status><protos>'
    filler = b"<proto>1.6.9.1</proto>" * (chunk_size // 22 + 1)
    sent = 0
    yield head
    sent += len(head)
    while sent < size:
        piece = filler[: min(chunk_size, size - sent)]
        yield piece
        sent += len(piece)
