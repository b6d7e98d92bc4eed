"""The sandbox itself: HTTP surface, request checks, schema fallback, SSO landing page, seeding and the CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from plesk.sandbox import SandboxServer, SandboxState, seed_demo
from plesk.sandbox.schema import SchemaValidator, StructuralValidator
from plesk.xml import parse_xml

from .conftest import ADMIN_PASSWORD, RESELLER, SCHEMA_DIR, make_client

ADMIN_HEADERS = {"HTTP_AUTH_LOGIN": "admin", "HTTP_AUTH_PASSWD": ADMIN_PASSWORD, "Content-Type": "text/xml"}
REPOSITORY = Path(__file__).resolve().parents[2]


def post(server: SandboxServer, body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(server.url, content=body, headers=headers or ADMIN_HEADERS, trust_env=False)


def system_error(response: httpx.Response) -> tuple[str | None, str | None]:
    root = parse_xml(response.content)
    return root.findtext("system/errcode"), root.findtext("system/errtext")


def test_underscore_headers_are_read_raw_and_errors_come_with_http_200(sandbox):
    ok = post(sandbox, b"<packet><server><get_protos/></server></packet>")
    assert ok.status_code == 200
    assert ok.headers["content-type"] == "text/xml; charset=UTF-8"
    assert parse_xml(ok.content).findtext("server/get_protos/result/status") == "ok"
    # Hyphenated names are different headers: Plesk (and the sandbox) do not accept them.
    hyphenated = {"HTTP-AUTH-LOGIN": "admin", "HTTP-AUTH-PASSWD": ADMIN_PASSWORD}
    refused = post(sandbox, b"<packet><server><get_protos/></server></packet>", hyphenated)
    assert refused.status_code == 200
    assert system_error(refused) == ("1001", "Authentication failed")


def test_http_surface(sandbox):
    assert httpx.get(sandbox.url, trust_env=False).status_code == 405
    assert httpx.post(f"{sandbox.base_url}/elsewhere", content=b"x", trust_env=False).status_code == 404
    assert httpx.put(sandbox.url, content=b"x", trust_env=False).status_code == 405
    chunked = httpx.post(sandbox.url, content=iter([b"<packet/>"]), trust_env=False)
    assert chunked.status_code == 411


def test_checks_run_in_plesk_order(sandbox):
    # Not well-formed beats bad credentials; a bad version beats bad credentials too.
    assert system_error(post(sandbox, b"<packet><server>", {"HTTP_AUTH_LOGIN": "x"}))[0] == "1014"
    version = post(sandbox, b'<packet version="100.0.0"><server><get_protos/></server></packet>', {})
    assert system_error(version) == ("1005", "Unsupported protocol version 100.0.0")
    # Bad credentials beat a schema violation.
    invalid = b"<packet><customer><get><filter/><dataset><stat/><gen_info/></dataset></get></customer></packet>"
    assert system_error(post(sandbox, invalid, {"HTTP_AUTH_LOGIN": "admin", "HTTP_AUTH_PASSWD": "x"}))[0] == "1001"
    for short in ("1.6", "1.6.5", "1.6.9.1"):
        body = f'<packet version="{short}"><server><get_protos/></server></packet>'.encode()
        response = post(sandbox, body)
        assert system_error(response) == (None, None)
        assert parse_xml(response.content).get("version") == short


def test_schema_violation_gives_libxml_message(sandbox):
    if not isinstance(sandbox.engine.validator, SchemaValidator):
        pytest.skip(f"Plesk XSD files not found at {SCHEMA_DIR}")
    body = b"<packet>\n<customer><get><filter/><dataset><stat/><gen_info/></dataset></get></customer></packet>"
    assert system_error(post(sandbox, body)) == (
        "1014",
        "Parser error: Request is invalid. Error in line 2: Element 'gen_info': This element is not expected.",
    )


def test_structural_fallback_without_schema_files(tmp_path, caplog):
    with SandboxServer(admin_password=ADMIN_PASSWORD, schema_dir=tmp_path) as server:
        assert isinstance(server.engine.validator, StructuralValidator)
        assert "checks request structure only" in caplog.text
        mixed = (
            b"<packet><customer><get><filter><id>1</id><login>x</login></filter><dataset/></get></customer></packet>"
        )
        assert system_error(post(server, mixed)) == (
            "1014",
            "Parser error: Request is invalid. Error in line 1: Element 'login': This element is not expected. "
            "Expected is ( id ).",
        )
        unknown = post(server, b"<packet><nonsense><get/></nonsense></packet>")
        assert system_error(unknown)[0] == "1014"
        # What only the schema would refuse (no dataset) still gets an answer, not a dropped connection.
        incomplete = post(server, b"<packet><customer><get><filter/></get></customer></packet>")
        assert parse_xml(incomplete.content).findtext("customer/get/result/errcode") == "1023"
        with make_client(server) as client:
            assert client.get_customers() == []


def test_sso_tokens_expire_and_accept_form_posts():
    with SandboxServer(admin_password=ADMIN_PASSWORD, seed_demo=True) as server:
        with make_client(server) as client:
            late = client.create_session(RESELLER, "192.0.2.45")
            posted = client.create_session(RESELLER, "192.0.2.45")
        with httpx.Client(base_url=server.base_url, trust_env=False) as browser:
            form = browser.post("/enterprise/rsession_init.php", data={"PLESKSESSID": posted.id})
            assert form.status_code == 302
            assert browser.get(form.headers["location"]).text.count(f"logged in as {RESELLER}") == 1
            # Time passes beyond every token's life, without waiting for it (and however slow the machine is).
            server.engine.sso_token_ttl = -1
            assert browser.get(late.login_url).status_code == 403
        forged = httpx.get(f"{server.base_url}/sandbox/home", headers={"Cookie": "plesk_sandbox_session=forged"})
        assert forged.status_code == 403


def test_seeding_is_idempotent():
    state = SandboxState.initial(ADMIN_PASSWORD)
    passwords = seed_demo(state, reseller_password="Given-Pass-123")
    assert passwords[RESELLER] == "Given-Pass-123" and set(passwords) == {RESELLER, "kunde-alt", "shop-alt"}
    assert seed_demo(state) == {}
    assert [w.name for w in state.webspaces] == ["kunde-alt.example", "shop-alt.example"]
    assert sorted(p.name for p in state.plans if p.owner_id != state.admin.id) == [
        "Webhosting L",
        "Webhosting M",
        "Webhosting S",
    ]


def test_command_line_serves_until_terminated(tmp_path):
    environment = {**os.environ, "PLESK_SANDBOX_ADMIN_PASSWORD": ADMIN_PASSWORD, "PYTHONPATH": str(REPOSITORY)}
    command = [sys.executable, "-m", "plesk.sandbox", "--port", "0", "--seed-demo", "--state", str(tmp_path / "s.json")]
    process = subprocess.Popen(command, cwd=REPOSITORY, env=environment, stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        first = process.stdout.readline().strip()
        assert first.startswith("Plesk sandbox: http://127.0.0.1:")
        url = first.removeprefix("Plesk sandbox: ")
        demo_line = process.stdout.readline()
        assert demo_line.startswith(f"Demo login {RESELLER}: ")
        with make_client(_Address(url)) as client:
            assert {c.login for c in client.get_customers()} == {"kunde-alt", "shop-alt"}
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    assert (tmp_path / "s.json").is_file()


class _Address:
    """Just enough of a SandboxServer for :func:`make_client`: its base URL."""

    def __init__(self, url: str) -> None:
        self.base_url = url.removesuffix("/enterprise/control/agent.php")
