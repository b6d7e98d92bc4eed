"""The demo's sandbox Plesk server (started by `make run` on 127.0.0.1:8880)."""

import os

from hosting.models import HostingServer

SANDBOX_PORT = int(os.environ.get("SANDBOX_PORT", "8880"))


def load():
    HostingServer.objects.get_or_create(
        name="Sandbox",
        defaults={
            "host": "127.0.0.1",
            "port": SANDBOX_PORT,
            "use_tls": False,
            "login": "admin",
            "password": os.environ.get("SANDBOX_ADMIN_PASSWORD", "sandbox-admin"),
            "is_sandbox": True,
        },
    )
    return []
