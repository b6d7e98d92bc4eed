"""Run the sandbox in the foreground until interrupted (the CLI and wrappers use this)."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import TextIO

from .server import SandboxServer


def serve(
    host: str,
    port: int,
    admin_password: str,
    state_file: str | Path | None = None,
    seed_demo: bool = False,
    schema_dir: str | Path | None = None,
    *,
    reseller_password: str | None = None,
    tls: bool = False,
    certfile: str | Path | None = None,
    keyfile: str | Path | None = None,
    out: TextIO = sys.stdout,
) -> None:
    """Serve the sandbox on ``host:port`` and block until Ctrl-C or SIGTERM.

    Writes the API URL to ``out`` (plus the certificate fingerprint for HTTPS, and the demo
    passwords that were generated because none was given).
    """
    stop = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server = SandboxServer(
        host,
        port,
        admin_password=admin_password,
        state_file=state_file,
        schema_dir=schema_dir,
        seed_demo=seed_demo,
        reseller_password=reseller_password,
        tls=tls,
        certfile=certfile,
        keyfile=keyfile,
    )
    try:
        with server:
            print(f"Plesk sandbox: {server.url}", file=out)
            if server.certificate_fingerprint:
                print(f"TLS certificate SHA-256 fingerprint: {server.certificate_fingerprint}", file=out)
            for login, password in (server.demo or {}).items():
                if login != "reseller-demo" or reseller_password is None:
                    print(f"Demo login {login}: {password}", file=out)
            out.flush()
            stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
