"""Two reseller portals for the tests: R1's on HOST_A, R2's on HOST_B, and clients logged in on them."""

from __future__ import annotations

from django.test import Client

from conftest import PASSWORD, World, make_domain
from contracts.models import Domain
from hosting.models import ResellerHosting
from portal.models import PortalTemplate
from products.models import ResellerProduct
from users.models import User

HOST_A = "kunden.r1-agentur.test"
HOST_B = "kunden.r2-agentur.test"
MAIN_HOST = "testserver"


def make_portals(world: World) -> tuple[PortalTemplate, PortalTemplate]:
    a = PortalTemplate.objects.create(
        account=world.r1.account,
        portal_url=f"https://{HOST_A}",
        title="ZZ-R1-MARKER Kundencenter",
        portal_name="ZZ-R1-MARKER Portal",
        portal_name_2="Ihr Webhosting",
        color_1="#aa3300",
        contact_url="https://r1.example/kontakt",
        imprint_url="https://r1.example/impressum",
    )
    b = PortalTemplate.objects.create(account=world.r2.account, portal_url=f"https://{HOST_B}", portal_name="R2 Portal")
    return a, b


def give_products(world: World) -> dict[str, object]:
    """R1's portal customer gets a contract (branded), a domain and a hosting; R2's likewise, as others' data."""
    made: dict[str, object] = {}
    for prefix, tenant in (("r1", world.r1), ("r2", world.r2)):
        contract = tenant.contract
        contract.end_customer = tenant.customer
        contract.save()
        domain: Domain = make_domain(
            tenant.account, f"d9{tenant.account.number}", f"{prefix}-kunde.de", end_customer=tenant.customer
        )
        hosting_product = ResellerProduct.objects.create(
            account=tenant.account,
            kind=ResellerProduct.Kind.RESELLER_HOSTING,
            contract=contract,
            plan_name="Webhosting S",
            name=f"{prefix.upper()} Hosting Paket",
            net_price="7.50",
        )
        hosting = ResellerHosting.objects.create(
            account=tenant.account,
            end_customer=tenant.customer,
            product=hosting_product,
            contract=contract,
            domain=f"{prefix}-shop.de",
            status=ResellerHosting.Status.ACTIVE,
        )
        made[f"{prefix}_domain"] = domain
        made[f"{prefix}_hosting"] = hosting
    return made


def portal_login(host: str, user: User, password: str = PASSWORD) -> tuple[Client, object]:
    """A client on ``host`` after posting the login form; the response is returned as well."""
    client = Client(HTTP_HOST=host)
    response = client.post("/login/", {"username": user.username, "password": password})
    return client, response
