"""Demo provider data: the shop catalogue, the contracts of the provider's portal, domains, a few assignments
(made by the reseller's owner through the service, so they show in the activity)."""

import datetime

from accounts.demo import owner_actor
from accounts.models import Account
from contracts import services
from contracts.models import Contract, Domain, ShopProduct, Status
from customers.models import EndCustomer

SHOP = "https://shop.provider.test/produkte/"
Kind = ShopProduct.Kind

# name, area, kind, shop page slug
SHOP_PRODUCTS = [
    ("Webhosting - Mail Gateway eingehend", "managed Webhosting", Kind.STANDARD, "mail-gateway-eingehend"),
    ("Mailgateway IN incl.", "E-Mail", Kind.STANDARD, "mailgateway-in"),
    ("MMS 50 G12", "E-Mail", Kind.STANDARD, "managed-mailserver-50"),
    ("Cloud-Speicher FLEX G2", "Cloud", Kind.STANDARD, "cloud-speicher-flex"),
    ("MSAVE 1.0", "Backup", Kind.STANDARD, "msave"),
    ("HS0000G9", "managed Webhosting", Kind.STANDARD, "hosting-hs0000"),
    ("Reseller 50 GB", "Reseller Webhosting", Kind.RESELLER_TARIFF, "reseller-50"),
    ("CS-Flex 2", "managed Webhosting", Kind.STANDARD, "cs-flex-2"),
    ("Managed Server M", "managed Server", Kind.MANAGED_SERVER, "managed-server-m"),
    ("Domain .de", "Domains", Kind.DOMAIN, "domain-de"),
]

# account, contract number, shop product, status, note, end customer number
CONTRACTS = [
    ("10001", "o2411", "Webhosting - Mail Gateway eingehend", Status.ACTIVE, "", None),
    ("10001", "o2375", "Mailgateway IN incl.", Status.ACTIVE, "", None),
    ("10001", "o2374", "MMS 50 G12", Status.ACTIVE, "Hinweis: 123456", "K-1001"),
    ("10001", "o1763", "Cloud-Speicher FLEX G2", Status.ACTIVE, "", "K-1003"),
    ("10001", "o1604", "MSAVE 1.0", Status.INACTIVE, "gekündigt zum Laufzeitende", None),
    ("10001", "o1552", "HS0000G9", Status.ACTIVE, "", None),
    ("10001", "o1441", "Reseller 50 GB", Status.ACTIVE, "", None),
    ("10003", "o3101", "CS-Flex 2", Status.ACTIVE, "", "M-1"),
    ("10003", "o3102", "Reseller 50 GB", Status.ACTIVE, "", None),
]

V, Z, R = Domain.Verification, Domain.Zone, Domain.Renewal
# account, contract number, name (as people type it), registrar, status, verification, zone, lock, renewal, customer
DOMAINS = [
    ("10001", "d7001", "webagentur-beispiel.de", "INWX", Status.ACTIVE, V.VERIFIED, Z.ACTIVE, True, R.AUTORENEW, None),
    ("10001", "d7002", "müller-bäckerei.de", "INWX", Status.ACTIVE, V.PENDING, Z.ACTIVE, True, R.AUTORENEW, "K-1002"),
    (
        "10001",
        "d7003",
        "blumen-sonnenschein.de",
        "INWX",
        Status.ACTIVE,
        V.VERIFIED,
        Z.ACTIVE,
        True,
        R.AUTORENEW,
        "K-1001",
    ),
    ("10001", "d7004", "café-zuckerhut.de", "RRPPROXY", Status.ACTIVE, V.FAILED, Z.EXTERNAL, False, R.AUTODELETE, None),
    (
        "10001",
        "d7005",
        "holzwurm-tischlerei.com",
        "INWX",
        Status.INACTIVE,
        V.VERIFIED,
        Z.NONE,
        False,
        R.AUTOEXPIRE,
        None,
    ),
    ("10001", "d7006", "praxis-weiß.de", "DENIC", Status.ACTIVE, V.VERIFIED, Z.ACTIVE, True, R.AUTOEXPIRE, None),
    ("10003", "d7101", "medienhaus-muster.de", "INWX", Status.ACTIVE, V.VERIFIED, Z.ACTIVE, True, R.AUTORENEW, None),
]


def _customer(account, number):
    return EndCustomer.objects.get(account=account, number=number)


def load():
    catalogue = {}
    for name, area, kind, slug in SHOP_PRODUCTS:
        product, _created = ShopProduct.objects.get_or_create(
            name=name, defaults={"area": area, "kind": kind, "shop_url": SHOP + slug}
        )
        catalogue[name] = product
    accounts = {account.number: account for account in Account.objects.filter(number__in=["10001", "10003"])}
    for number, contract_number, product, status, note, customer in CONTRACTS:
        account = accounts[number]
        if Contract.objects.filter(number=contract_number).exists():
            continue
        contract = Contract.objects.create(
            account=account, number=contract_number, shop_product=catalogue[product], status=status, note=note
        )
        if customer:
            services.assign_contract(owner_actor(account), contract, _customer(account, customer))
    paid_until = datetime.date.today().replace(month=12, day=31)
    for number, contract_number, name, registrar, status, verification, zone, lock, renewal, customer in DOMAINS:
        account = accounts[number]
        if Domain.objects.filter(number=contract_number).exists():
            continue
        domain = Domain(
            account=account,
            number=contract_number,
            name=name,
            registrar=registrar,
            status=status,
            verification=verification,
            zone=zone,
            transfer_lock=lock,
            renewal_mode=renewal,
            expires_on=paid_until,
        )
        domain.full_clean(exclude=["account"])
        domain.save()
        if customer:
            services.assign_domain(owner_actor(account), domain, _customer(account, customer))
    return []
