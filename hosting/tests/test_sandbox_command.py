import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from plesk.client import PleskClient

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_manage_py_plesk_sandbox_serves_the_seeded_demo(tmp_path):
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (our own manage.py with fixed arguments)
        [
            sys.executable,
            "manage.py",
            "plesk_sandbox",
            "--port",
            str(port),
            "--admin-password",
            "admin-secret",
            "--reseller-password",
            "reseller-secret",
            "--state",
            str(tmp_path / "state.json"),
            "--seed-demo",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/enterprise/control/agent.php"
        # Until the command listens: Django's start takes seconds on a busy machine, so wait up to two minutes.
        end = time.monotonic() + 120
        while True:
            try:
                httpx.post(url, content=b"", timeout=30)
                break
            except httpx.TransportError:
                assert time.monotonic() < end and process.poll() is None, "the sandbox did not start"
                time.sleep(0.1)
        client = PleskClient(url, login="reseller-demo", password="reseller-secret", allow_insecure_http=True)
        plans = client.get_service_plans(owner_login="reseller-demo")
        assert len(plans) == 3
        names = {webspace.name for webspace in client.get_webspaces()}
        assert names == {"kunde-alt.example", "shop-alt.example"}
    finally:
        process.terminate()
        process.wait(120)
    assert (tmp_path / "state.json").exists()
