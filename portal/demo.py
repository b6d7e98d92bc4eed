"""The demo's white-label portal: Webagentur Beispiel's template on kunden.webagentur.localhost, and its end
customer K-1001 with the portal user ``endkunde``, an assigned contract and a hosting on the sandbox Plesk.

The hosting is created like any other (``hosting.services.create_hosting``): its provisioning job waits in
the queue until ``make run`` has started the sandbox, then creates the customer's own Plesk login, which
"Plesk öffnen" in the portal signs in to.
"""

from __future__ import annotations

import os
from decimal import Decimal

from accounts.demo import owner_actor
from accounts.models import Account
from contracts.models import Contract
from core.demo_loading import DEMO_PASSWORD
from customers.models import EndCustomer, PortalUser
from hosting.models import ResellerHosting
from hosting.services import create_hosting
from portal.models import PortalTemplate
from products.models import ResellerProduct
from users.models import User

DEMO_HOST = "kunden.webagentur.localhost"
TEMPLATE = {
    "title": "Webagentur Beispiel · Kundencenter",
    "portal_name": "Webagentur Beispiel",
    "portal_name_2": "Kundencenter",
    "home_url": "https://webagentur-beispiel.example/",
    "contact_url": "https://webagentur-beispiel.example/kontakt",
    "imprint_url": "https://webagentur-beispiel.example/impressum",
    "privacy_url": "https://webagentur-beispiel.example/datenschutz",
    "terms_url": "https://webagentur-beispiel.example/agb",
    "color_1": "#0f766e",
    "color_2": "#64748b",
    "color_3": "#134e4a",
    "color_4": "#f0fdfa",
    "mail_from_name": "Webagentur Beispiel",
}
HOSTING_PRODUCT = "Webhosting Start"
UPGRADE_PRODUCT = "Webhosting Plus"
HOSTING_DOMAIN = "blumen-sonnenschein.example"


def portal_url() -> str:
    """The demo portal's address on the port ``make run`` serves (``PORT``), so mail links lead to it."""
    return f"http://{DEMO_HOST}:{os.environ.get('PORT', '8000')}"


def load() -> list[tuple[str, str]]:
    account = Account.objects.get(number="10001")
    template = PortalTemplate.objects.filter(host=DEMO_HOST).first()
    if template is None:
        template = PortalTemplate(account=account, portal_url=portal_url(), **TEMPLATE)
        template.full_clean(exclude=["account"])
        template.save()
    elif template.portal_url != portal_url():
        template.portal_url = portal_url()
        template.save()

    customer = EndCustomer.objects.get(account=account, number="K-1001")
    if not User.objects.filter(username="endkunde").exists():
        user = User(
            username="endkunde", first_name="Lena", last_name="Sommer", email="endkunde@blumen-sonnenschein.test"
        )
        user.set_password(DEMO_PASSWORD)
        user.save()  # type: ignore[no-untyped-call]
        PortalUser.objects.create(user=user, end_customer=customer)

    contract = Contract.objects.get(number="o1441")
    product = ResellerProduct.objects.filter(account=account, name=HOSTING_PRODUCT).first()
    if product is None:
        product = ResellerProduct(
            account=account,
            kind=ResellerProduct.Kind.RESELLER_HOSTING,
            contract=contract,
            plan_name="Webhosting S",
            name=HOSTING_PRODUCT,
            description="Webspace mit 5 GB, SSL-Zertifikat und 5 Postfächern, betreut von Ihrer Webagentur.",
            net_price=Decimal("6.90"),
        )
        product.full_clean(exclude=["account"])
        product.save()
    # A bigger plan on the same contract, so Tarif wechseln has somewhere to go.
    if not ResellerProduct.objects.filter(account=account, name=UPGRADE_PRODUCT).exists():
        upgrade = ResellerProduct(
            account=account,
            kind=ResellerProduct.Kind.RESELLER_HOSTING,
            contract=contract,
            plan_name="Webhosting M",
            name=UPGRADE_PRODUCT,
            description="Mehr Platz und Postfächer für wachsende Websites.",
            net_price=Decimal("9.90"),
        )
        upgrade.full_clean(exclude=["account"])
        upgrade.save()
    if not ResellerHosting.objects.filter(end_customer=customer, product=product).exists():
        create_hosting(owner_actor(account), end_customer=customer, product=product, domain=HOSTING_DOMAIN)
    return [("endkunde", f"portal user of end customer K-1001 on the white-label portal {portal_url()}/")]
