"""Fixtures for the Plesk client and sandbox tests. Nothing here needs Django or a database.

The official XSD files and the protocol reference live outside the repository (``../shared``);
tests that need them are skipped when they are absent.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from plesk import PleskClient
from plesk.sandbox import SandboxServer
from plesk.sandbox.schema import load_schema as compile_schema
from plesk.xml import parse_xml

SHARED_DIR = Path(__file__).resolve().parents[2] / ".." / "shared"
SCHEMA_DIR = SHARED_DIR / "plesk-xsd"
REFERENCE = SHARED_DIR / "plesk-xml-api.md"

ADMIN_PASSWORD = "Admin-Sandbox-Pass-1"
RESELLER_PASSWORD = "Reseller-Demo-Pass-1"
RESELLER = "reseller-demo"


def load_schema(name: str) -> etree.XMLSchema:
    """The compiled XSD ``name`` from the shared folder, or skip the test when it is absent."""
    path = SCHEMA_DIR / name
    if not path.is_file():
        pytest.skip(f"Plesk XSD files not found at {SCHEMA_DIR} (reference data outside the repository)")
    return compile_schema(str(path))


def assert_valid(schema: etree.XMLSchema, document: bytes) -> None:
    """Fail with libxml's message unless ``document`` is valid against ``schema``."""
    root = parse_xml(document)
    if not schema.validate(root):
        pytest.fail(f"{schema.error_log.last_error}\n{document.decode(errors='replace')}")


@pytest.fixture
def input_schema() -> etree.XMLSchema:
    return load_schema("agent_input.xsd")


@pytest.fixture
def output_schema() -> etree.XMLSchema:
    return load_schema("agent_output.xsd")


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    """A seeded sandbox on a free loopback port. Afterwards, every answer it gave during the test
    is checked against ``agent_output.xsd`` (when the schema files are present)."""
    schema_dir = SCHEMA_DIR if SCHEMA_DIR.is_dir() else None
    server = SandboxServer(
        admin_password=ADMIN_PASSWORD, schema_dir=schema_dir, seed_demo=True, reseller_password=RESELLER_PASSWORD
    )
    with server:
        yield server
    if (SCHEMA_DIR / "agent_output.xsd").is_file():
        schema = load_schema("agent_output.xsd")
        for exchange in server.exchanges:
            assert_valid(schema, exchange.response)


def make_client(server: SandboxServer, login: str = "admin", password: str = ADMIN_PASSWORD, **options) -> PleskClient:
    """A client for ``server`` over plain loopback HTTP with short timeouts."""
    options.setdefault("connect_timeout", 2.0)
    options.setdefault("read_timeout", 5.0)
    options.setdefault("deadline", 5.0)
    return PleskClient(server.base_url, login=login, password=password, allow_insecure_http=True, **options)


@pytest.fixture
def admin(sandbox: SandboxServer) -> Iterator[PleskClient]:
    with make_client(sandbox) as client:
        yield client


@pytest.fixture
def reseller(sandbox: SandboxServer) -> Iterator[PleskClient]:
    with make_client(sandbox, RESELLER, RESELLER_PASSWORD) as client:
        yield client


class ConnectionCounter:
    """A loopback TCP listener that only counts the connections it receives."""

    def __init__(self) -> None:
        self.connections = 0
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen()
        self._socket.settimeout(0.1)
        self.port = self._socket.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._socket.close()


@pytest.fixture
def connection_counter() -> Iterator[ConnectionCounter]:
    counter = ConnectionCounter()
    yield counter
    counter.close()
