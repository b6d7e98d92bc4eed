"""What the hosting tests, the kill drill and the provisioning benchmark share: the sandbox's
passwords, a hosting server bound to a sandbox, and a reseller contract with a hosting product on it."""

from __future__ import annotations

from urllib.parse import urlsplit

ADMIN_PW = "admin-pw-123"
RESELLER_PW = "reseller-pw-456"
RESELLER_LOGIN = "reseller-demo"


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
