"""Demo partner network data.

A partnership: ``kunde`` (Bäckerei Krume) shares one of its two contracts with ``reseller`` (Teilzugriff).
Access shares: an open share from a second customer account (Gärtnerei Grünhof, login ``kunde2``) to the
reseller ``reseller`` (Webagentur Beispiel), so its "Kunden" badge and list of access shares have something to
show. Idempotent: once the account has sent the reseller a share (whatever became of it), nothing more is made.
Other parts of the partner network add their loaders below and to ``load``."""

from django.contrib.auth import get_user_model

from access.models import AccessScopeItem
from accounts.demo import owner_actor
from accounts.models import Account, Membership
from contracts.models import Contract, ShopProduct, Status
from core.demo_loading import DEMO_PASSWORD
from core.roles import Role
from partners import managed, shares
from partners.models import PartnerShare, Partnership
from partners.services import Right, grant_partnership

# The customer's own contracts: the first is shared, the second stays the customer's alone.
CONTRACTS = [
    ("o5001", "HS0000G9", "Webhosting der Bäckerei (mit Partner geteilt)"),
    ("o5002", "Cloud-Speicher FLEX G2", "Buchhaltung (nicht geteilt)"),
]


def load_partnership() -> None:
    """``kunde`` (Bäckerei Krume) lets ``reseller`` manage one of its two contracts (Teilzugriff), so the
    customer's Partner page, the reseller's Verwaltete Kunden, ``mitarbeiter``'s Meine Kunden and the switch into a
    partial access have something to show."""
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
    partnership = grant_partnership(owner_actor(customer), partner, full=False, rights=rights, notify=False)
    # The reseller's employee ``mitarbeiter`` looks after this customer (Meine Kunden).
    employee = Membership.objects.filter(account=partner, user__username="mitarbeiter").select_related("user").first()
    if employee is not None:
        managed.assign_employees(owner_actor(partner), partnership, [employee.user])


NUMBER = "10006"
USERNAME = "kunde2"


def load() -> list[tuple[str, str]]:
    load_partnership()
    return load_shares()


def load_shares() -> list[tuple[str, str]]:
    account, _ = Account.objects.get_or_create(number=NUMBER, defaults={"name": "Gärtnerei Grünhof"})
    user, created = get_user_model().objects.get_or_create(
        username=USERNAME,
        defaults={"first_name": "Greta", "last_name": "Grün", "email": "greta@gaertnerei-gruenhof.test"},
    )
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])  # type: ignore[no-untyped-call]
    Membership.objects.get_or_create(account=account, user=user, defaults={"role": Role.OWNER})
    product = ShopProduct.objects.filter(name="CS-Flex 2").first()
    if product is not None:
        contract, _ = Contract.objects.get_or_create(
            account=account, number="o6101", defaults={"shop_product": product, "status": Status.ACTIVE}
        )
    reseller = Account.objects.filter(number="10001").first()
    if reseller is not None and not PartnerShare.objects.filter(account=reseller, customer_account=account).exists():
        rights = {("contracts.Contract", contract.pk): Right(technical=True, statistics=True)} if product else {}
        shares.share_access(
            owner_actor(account),
            reseller,
            full=not rights,
            rights=rights,
            message="Guten Tag, bitte kümmern Sie sich um unser Webhosting. Viele Grüße, Greta Grün",
        )
    return [(USERNAME, "owner, Gärtnerei Grünhof (10006, not a reseller; an open access share to reseller)")]
