"""The demo's sandbox Plesk server (started by `make run` on 127.0.0.1:8880), and the reseller contract on it."""

import os

from contracts.models import Contract
from hosting.models import HostingServer

SANDBOX_PORT = int(os.environ.get("SANDBOX_PORT", "8880"))


def load():
    server, _created = HostingServer.objects.get_or_create(
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
    _bind_reseller_contract(server)
    return []


def _bind_reseller_contract(server: HostingServer) -> None:
    """o1441 (Reseller 50 GB, from the contracts demo) runs on the sandbox Plesk as reseller-demo, so the demo
    can provision."""
    Contract.objects.filter(number="o1441", hosting_server__isnull=True).update(
        hosting_server=server, plesk_login="reseller-demo"
    )
    contract = Contract.objects.get(number="o1441")
    if not contract.plesk_password:
        contract.plesk_password = os.environ.get("SANDBOX_RESELLER_PASSWORD", "sandbox-reseller")
        contract.save(update_fields=["plesk_password"])
