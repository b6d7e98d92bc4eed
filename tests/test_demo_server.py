"""What `make run` starts, started the way it starts it (scripts/run.sh), on ports of its own.

The demo runs as users meet it: the portal's own error pages instead of Django's debug page with the
URL list, and links in mails that lead back to the port the demo actually serves.
"""

import os
import re
import signal
import subprocess
import sys
import time
from email import message_from_bytes
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller
from django.conf import settings

from conftest import _Collector, _free_port

ROOT = Path(settings.BASE_DIR)
DEADLINE = 120


def wait_for(condition, what):
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"waited {DEADLINE} s for {what}")


def answers(url):
    try:
        return httpx.get(url, timeout=5)
    except httpx.TransportError:
        return None


@pytest.fixture
def smtp():
    handler = _Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port, handler
    controller.stop()


@pytest.fixture
def demo(tmp_path, smtp):
    smtp_port, mailbox = smtp
    port = _free_port()
    # A clean environment, as in a new shell: nothing of the test settings' (TASKS_BACKEND, ...) leaks in.
    env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "TMPDIR"}}
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "PORT": str(port),
        "SANDBOX_PORT": str(_free_port()),
        "SANDBOX_STATE": str(tmp_path / "sandbox.json"),
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
    }
    python = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
    for command in (["migrate", "--noinput", "-v0"], ["createcachetable"], ["load_demo"]):
        subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
            [python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    server = subprocess.Popen(
        ["/bin/bash", "scripts/run.sh"],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "server.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: answers(f"{base}/login/"), "the demo server")
        yield base, mailbox
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def test_the_demo_shows_the_portals_own_pages_and_mails_links_to_its_own_port(demo):
    base, mailbox = demo
    missing = httpx.get(f"{base}/no-such-page/")
    assert missing.status_code == 404
    assert "Seite nicht gefunden" in missing.text
    assert "URLconf" not in missing.text
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', missing.text).group(1)
    assert httpx.get(base + stylesheet).status_code == 200

    with httpx.Client(base_url=base) as browser:
        form = browser.get("/password/reset/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        sent = browser.post(
            "/password/reset/",
            data={"csrfmiddlewaretoken": token, "email": "rolf@medienhaus-muster.test"},
            headers={"Referer": f"{base}/password/reset/"},
        )
        assert sent.status_code == 302
    envelope = wait_for(lambda: mailbox.messages and mailbox.messages[0], "the password mail")
    body = message_from_bytes(envelope.original_content).get_payload(decode=False)
    text = body if isinstance(body, str) else body[0].get_payload(decode=True).decode()
    assert f"{base}/password/reset/" in text
    assert "127.0.0.1:8000" not in text


def test_the_demo_serves_the_resellers_portal_with_a_hosting_on_the_sandbox(demo):
    base, mailbox = demo
    port = base.rsplit(":", 1)[1]
    portal = f"http://kunden.webagentur.localhost:{port}"
    # httpx resolves *.localhost through the system resolver, which need not know it: the Host header says it.
    headers = {"Host": f"kunden.webagentur.localhost:{port}"}
    with httpx.Client(base_url=base, headers=headers) as browser:
        page = browser.get("/login/")
        assert "Webagentur Beispiel" in page.text
        assert "Partnerportal" not in page.text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = browser.post(
            "/login/",
            data={"csrfmiddlewaretoken": token, "username": "endkunde", "password": "demo"},
            headers={"Referer": f"{portal}/login/"},
        )
        assert answer.status_code == 302
        # The hosting's provisioning ran against the sandbox once the worker started.
        wait_for(lambda: 'data-status="active"' in browser.get("/").text, "the demo hosting to be set up")

    with httpx.Client(base_url=base, headers=headers) as browser:
        form = browser.get("/password/reset/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        browser.post(
            "/password/reset/",
            data={"csrfmiddlewaretoken": token, "email": "endkunde@blumen-sonnenschein.test"},
            headers={"Referer": f"{portal}/password/reset/"},
        )
    envelope = wait_for(lambda: mailbox.messages and mailbox.messages[-1], "the portal's password mail")
    body = message_from_bytes(envelope.original_content).get_payload(decode=False)
    text = body if isinstance(body, str) else body[0].get_payload(decode=True).decode()
    assert f"{portal}/password/reset/" in text
