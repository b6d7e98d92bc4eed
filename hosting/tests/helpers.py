"""What the hosting tests, the kill drill and the provisioning benchmark share: the sandbox's
passwords, the Plesk client's bounds, a hosting server bound to a sandbox, and a reseller contract with a
hosting product on it."""

from __future__ import annotations

from urllib.parse import urlsplit

ADMIN_PW = "admin-pw-123"
RESELLER_PW = "reseller-pw-456"
RESELLER_LOGIN = "reseller-demo"

# The sandbox answers in milliseconds; on a busy machine (load 8 and more on two cores) in a few hundred.
# Tests bound the Plesk client so generously that no real answer comes near the bound ...
PATIENT_CLIENT = {"deadline": 60.0, "read_timeout": 60.0, "connect_timeout": 60.0}
# ... except where the client must give up on an answer the sandbox holds back (``HELD``): then the bound
# is still a hundred times a real answer's time on a busy machine, and the answer is held back far longer
# (the sandbox abandons it when it stops).
IMPATIENT_CLIENT = {"deadline": 5.0, "read_timeout": 5.0, "connect_timeout": 5.0}
HELD = 600.0


def bind_server(sandbox_url: str, *, admin_password: str = ADMIN_PW):
    """A hosting server for the sandbox at ``sandbox_url`` (plain HTTP on loopback, marked as sandbox)."""
    from hosting.models import HostingServer

    address = urlsplit(sandbox_url)
    return HostingServer.objects.create(
        name=f"Sandbox {address.port}",
        host=address.hostname,
        port=address.port,
        use_tls=False,
        login="admin",
        password=admin_password,
        is_sandbox=True,
    )


def reseller_setup(tenant, server, *, number: str, password: str = RESELLER_PW, plan: str = "Webhosting S"):
    """A reseller contract of ``tenant`` on ``server`` as the sandbox's demo reseller, and a product on ``plan``."""
    from contracts.models import Contract, ShopProduct
    from products.models import ResellerProduct

    shop, _created = ShopProduct.objects.get_or_create(
        name="Reseller 50 GB", defaults={"area": "Reseller Webhosting", "kind": ShopProduct.Kind.RESELLER_TARIFF}
    )
    contract = Contract.objects.create(
        account=tenant.account,
        number=number,
        shop_product=shop,
        hosting_server=server,
        plesk_login=RESELLER_LOGIN,
        plesk_password=password,
    )
    product = ResellerProduct.objects.create(
        account=tenant.account,
        kind=ResellerProduct.Kind.RESELLER_HOSTING,
        contract=contract,
        plan_name=plan,
        name=f"Hosting {plan}",
        net_price="4.90",
    )
    return contract, product
