"""Lists cost the same number of queries for 10 rows and 100 rows, pinned per list. A page with the sidebar
reads the open inquiries once for the badge next to "Anfragen" (issue #20).

When a list legitimately changes its queries, update ``query_counts.json`` in
the same commit and say why.
"""

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account, Membership
from audit.models import AuditEntry
from conftest import login, make_contract, make_customer, make_domain, make_product, make_user
from contracts.models import ShopProduct
from core.roles import Role
from customers.models import PortalUser, Todo
from hosting.models import HostingServer, HostingUsage, ResellerHosting
from hosting.tests.helpers import reseller_setup
from products.models import ResellerProduct
from profiles.models import Inquiry, PartnerProfile
from support.models import SupportRequest
from users.services import create_api_token

PINNED = json.loads((Path(__file__).parent / "query_counts.json").read_text())


def hosting_basis(world):
    """R1's reseller contract and hosting product, the first time it is asked for."""
    server, _created = HostingServer.objects.get_or_create(
        name="Counts", defaults={"host": "127.0.0.1", "port": 1, "use_tls": False, "login": "admin", "password": "x"}
    )
    product = ResellerProduct.objects.filter(
        account=world.r1.account, kind=ResellerProduct.Kind.RESELLER_HOSTING
    ).first()
    if product is None:
        return reseller_setup(world.r1, server, number="o-counts")
    return product.contract, product


def grow(world, n):
    """Give R1 ``n`` more members, activity entries, customers (with a portal user and a hosting each), to-dos and
    support requests of its owner."""
    contract, hosting_product = hosting_basis(world)
    start = Membership.objects.filter(account=world.r1.account).count()
    for index in range(start, start + n):
        user = make_user(f"bulk{index}")
        Membership.objects.create(account=world.r1.account, user=user, role=Role.EMPLOYEE)
        AuditEntry.objects.create(account=world.r1.account, user=user, user_repr=user.username, action="login")
        customer = make_customer(world.r1.account, f"BULK-{index}")
        PortalUser.objects.create(user=make_user(f"bulk-portal{index}"), end_customer=customer)
        Todo.objects.create(end_customer=customer, title=f"todo {index}", assignee=world.r1.owner)
        # A contract and a domain assigned to that customer, and a branded product used by it.
        shop_product = ShopProduct.objects.create(name=f"Bulk {index}", area=f"Bereich {index % 3}")
        make_contract(world.r1.account, f"oB{index}", shop_product=shop_product, end_customer=customer)
        make_domain(world.r1.account, f"dB{index}", f"bulk-{index}.de", end_customer=customer)
        make_product(world.r1.account, f"Produkt {index}", shop_product=shop_product)
        hosting = ResellerHosting.objects.create(
            account=world.r1.account, end_customer=customer, product=hosting_product, contract=contract
        )
        # Its usage as the server check read it: every other one near a limit, marked in the list.
        HostingUsage.objects.create(hosting=hosting, read_at=timezone.now(), peak_percent=index % 2 * 95)
        SupportRequest.objects.create(
            account=world.r1.account, sender=world.r1.owner, topic="other", message=f"Frage {index}"
        )
        # An inquiry, every other one turned into that customer; and a public profile of another partner.
        Inquiry.objects.create(
            account=world.r1.account,
            name=f"Interessent {index}",
            email=f"i{index}@example.test",
            message="Angebot?",
            end_customer=customer if index % 2 else None,
        )
        partner = Account.objects.create(number=f"P{index}", name=f"Partner {index}", is_partner=True)
        PartnerProfile.objects.create(
            account=partner, slug=f"partner-{index}", display_name=f"Partner {index}", is_public=True
        )


LISTS = {
    "accounts:membership_list": "/account/members/?per_page=100",
    "audit:auditentry_list": "/activity/?per_page=100",
    "api:list_members": "/api/v1/members/?limit=100",
    "customers:endcustomer_list": "/customers/?per_page=100",
    "customers:todo_list": "/customers/todos/?per_page=100",
    "api:list_customers": "/api/v1/customers/?limit=100",
    "contracts:contract_list": "/contracts/?per_page=100",
    "contracts:domain_list": "/contracts/domains/?per_page=100",
    "products:resellerproduct_list": "/products/?per_page=100",
    "hosting:resellerhosting_list": "/hostings/?per_page=100",
    "api:list_hostings": "/api/v1/hostings/?limit=100",
    "api:list_contracts": "/api/v1/contracts/?limit=100",
    "api:list_domains": "/api/v1/domains/?limit=100",
    "api:list_products": "/api/v1/products/?limit=100",
    "support:request_list": "/support/?per_page=100",
    "api:list_support_requests": "/api/v1/support-requests/?limit=100",
    "profiles:inquiry_list": "/inquiries/?per_page=100",
    "api:list_inquiries": "/api/v1/inquiries/?limit=100",
    "profiles:directory": "/partner/",
    "api:list_partners": "/api/v1/partners/?limit=100",
}


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(LISTS))
def test_list_query_count_does_not_grow_with_rows(world, name):
    url = LISTS[name]
    if name.startswith("api:"):
        _token, key = create_api_token(world.r1.actor(), name="count")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    else:
        client = login(Client(), world.r1.owner)
    client.get(url)  # warm: session and content types
    grow(world, 10)
    small = count_queries(client, url)
    grow(world, 90)
    large = count_queries(client, url)
    assert small == large, f"{name}: {small} queries for ~10 rows, {large} for ~100"
    assert large == PINNED[name], f"{name}: pinned {PINNED[name]}, now {large}"
