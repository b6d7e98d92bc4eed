"""Demo branded products of the reseller 10001."""

from decimal import Decimal

from accounts.models import Account
from contracts.models import ShopProduct, Status
from products.models import ResellerProduct

# name, shop product, description, net price, status, in-app prices, in-app info
PRODUCTS = [
    (
        "Business-Mail 50",
        "MMS 50 G12",
        "Ihr Mailserver mit 50 Postfächern, Virenschutz und Spamfilter.",
        Decimal("4.90"),
        Status.ACTIVE,
        False,
        "",
    ),
    (
        "Kunden-Cloud FLEX",
        "Cloud-Speicher FLEX G2",
        "Sicherer Cloud-Speicher in deutschen Rechenzentren, flexibel erweiterbar.",
        Decimal("12.50"),
        Status.ACTIVE,
        True,
        "Zusätzlicher Speicher wird monatlich abgerechnet.",
    ),
    (
        "Mail-Schutz Basic",
        "Mailgateway IN incl.",
        "Eingehende E-Mails werden auf Viren und Spam geprüft.",
        Decimal("2.99"),
        Status.INACTIVE,
        False,
        "",
    ),
]


def load():
    account = Account.objects.get(number="10001")
    for name, shop_product, description, price, status, in_app, info in PRODUCTS:
        if ResellerProduct.objects.filter(account=account, name=name).exists():
            continue
        product = ResellerProduct(
            account=account,
            kind=ResellerProduct.Kind.BRANDED,
            shop_product=ShopProduct.objects.get(name=shop_product),
            name=name,
            description=description,
            net_price=price,
            status=status,
            in_app_prices=in_app,
            in_app_info=info,
        )
        product.full_clean(exclude=["account"])
        product.save()
    return []
