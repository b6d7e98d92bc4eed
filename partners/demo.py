"""Demo partnership: ``kunde`` (Bäckerei Krume) lets ``reseller`` (Webagentur Beispiel) manage one of its two
contracts (Teilzugriff), so the customer's Partner page, the reseller's Verwaltete Kunden and the switch into a
partial access all have something to show."""

from access.models import AccessScopeItem
from accounts.demo import owner_actor
from accounts.models import Account
from contracts.models import Contract, ShopProduct, Status
from partners.models import Partnership
from partners.services import Right, grant_partnership

# The customer's own contracts: the first is shared, the second stays the customer's alone.
CONTRACTS = [
    ("o5001", "HS0000G9", "Webhosting der Bäckerei (mit Partner geteilt)"),
    ("o5002", "Cloud-Speicher FLEX G2", "Buchhaltung (nicht geteilt)"),
]


def load() -> None:
    customer = Account.objects.filter(number="10002").first()
    partner = Account.objects.filter(number="10001").first()
    if customer is None or partner is None:
        return
    contracts = []
    for number, product, note in CONTRACTS:
        shop = ShopProduct.objects.filter(name=product).first()
        if shop is None:
            return
        contract, _created = Contract.objects.get_or_create(
            number=number, defaults={"account": customer, "shop_product": shop, "status": Status.ACTIVE, "note": note}
        )
        contracts.append(contract)
    # unrestricted: the demo loader looks for its own partnership
    if Partnership.objects.filter(account=partner, customer_account=customer).exists():
        return
    rights = {(str(AccessScopeItem.Product.CONTRACT), contracts[0].pk): Right(technical=True, statistics=True)}
    grant_partnership(owner_actor(customer), partner, full=False, rights=rights)
