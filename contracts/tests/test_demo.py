import pytest
from django.core.management import call_command

from contracts.models import Contract, Domain
from products.models import ResellerProduct

pytestmark = pytest.mark.django_db

PORTAL_CONTRACTS = {
    "o2411": "Webhosting - Mail Gateway eingehend",
    "o2375": "Mailgateway IN incl.",
    "o2374": "MMS 50 G12",
    "o1763": "Cloud-Speicher FLEX G2",
    "o1604": "MSAVE 1.0",
    "o1552": "HS0000G9",
    "o1441": "Reseller 50 GB",
}


def test_the_reseller_has_exactly_the_contracts_of_the_providers_portal():
    call_command("load_demo", quiet=True)
    contracts = Contract.objects.filter(account__number="10001").select_related("shop_product")
    assert {c.number: c.shop_product.name for c in contracts} == PORTAL_CONTRACTS
    assert Contract.objects.get(number="o1441").is_reseller_contract
    assert {c.end_customer.number for c in contracts if c.end_customer} == {"K-1001", "K-1003"}
    domains = {d.name_unicode: d for d in Domain.objects.filter(account__number="10001")}
    assert "müller-bäckerei.de" in domains
    assert domains["müller-bäckerei.de"].name == "xn--mller-bckerei-hfb76a.de"
    assert {d.verification for d in domains.values()} == {"verified", "pending", "failed"}
    assert Contract.objects.filter(account__number="10003").count() == 2
    assert ResellerProduct.objects.filter(account__number="10001", kind=ResellerProduct.Kind.BRANDED).count() == 3


def test_loading_twice_changes_nothing():
    call_command("load_demo", quiet=True)
    counts = (Contract.objects.count(), Domain.objects.count(), ResellerProduct.objects.count())
    call_command("load_demo", quiet=True)
    assert (Contract.objects.count(), Domain.objects.count(), ResellerProduct.objects.count()) == counts
