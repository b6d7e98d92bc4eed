"""The customer list's "Produkte" count and the customer's Products tab agree, and show the reseller's brand.

"Produkte" are assigned provider contracts and reseller hostings (design: customer list); domains are
assigned the same way but have their own tab, so they are not counted as products. They still keep the
customer from being deleted.
"""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from conftest import api_client, login, make_product
from contracts import services as contract_services
from core.roles import Role
from customers import services
from customers.models import EndCustomer

pytestmark = pytest.mark.django_db

LIST = "/customers/"


def listed(client, customer):
    return {row.pk: row for row in client.get(LIST, {"q": customer.number}).context["table"].data}[customer.pk]


def products_tab(customer):
    return reverse("customers:endcustomer_products", args=[customer.pk])


@pytest.mark.parametrize("role", list(Role))
def test_an_assigned_domain_is_not_a_product_but_keeps_the_customer(world, role):
    customer = world.r1.plain_customer
    contract_services.assign_domain(world.r1.actor(), world.r1.domain, customer)
    client = login(Client(), world.r1.user(role))
    row = listed(client, customer)
    assert (row.product_count, row.domain_count, row.user_count) == (0, 1, 0)
    assert 'data-testid="empty-state"' in client.get(products_tab(customer)).content.decode()
    assert "r1-domäne.de" in client.get(reverse("contracts:endcustomer_domains", args=[customer.pk])).content.decode()
    assert f"/customers/{customer.pk}/delete/" not in client.get(LIST).content.decode()
    assert "R1-2" not in client.get(LIST, {"has_products": "yes"}).content.decode()


def test_the_deletion_guard_names_the_domain(world):
    customer = world.r1.plain_customer
    contract_services.assign_domain(world.r1.actor(), world.r1.domain, customer)
    with pytest.raises(ValidationError, match="still has: 1 domain"):
        services.delete_end_customer(world.r1.actor(), customer)
    body = login(Client(), world.r1.owner).get(f"/customers/{customer.pk}/delete/").content.decode()
    assert "This customer cannot be deleted while it still has: 1 domain." in body
    assert EndCustomer.objects.filter(pk=customer.pk).exists()


@pytest.mark.parametrize("role", list(Role))
def test_the_count_counts_the_lines_of_the_products_tab(world, role):
    customer = world.r1.plain_customer
    contract_services.assign_contract(world.r1.actor(), world.r1.contract, customer)
    contract_services.assign_domain(world.r1.actor(), world.r1.domain, customer)
    client = login(Client(), world.r1.user(role))
    tab = client.get(products_tab(customer))
    assert listed(client, customer).product_count == len(tab.context["table"].data) == 1


def test_the_column_header_says_what_is_counted(world):
    body = login(Client(), world.r1.employee).get(LIST).content.decode()
    assert 'title="Assigned provider contracts and reseller hostings, as in the Products tab; not domains."' in body


@pytest.mark.parametrize("role", list(Role))
def test_the_products_tab_shows_the_resellers_brand_over_the_providers_name(world, role):
    # R1 sells the shop product "Webhosting Test" as "ZZ-R1-MARKER Produkt"; R2 brands the same shop product
    # as "R2 Produkt", which R1 must never see.
    customer = world.r1.plain_customer
    contract_services.assign_contract(world.r1.actor(), world.r1.contract, customer)
    body = login(Client(), world.r1.user(role)).get(products_tab(customer)).content.decode()
    assert '<span data-testid="product-name">ZZ-R1-MARKER Produkt</span>' in body
    assert 'data-testid="product-provider-name">Webhosting Test</div>' in body
    assert "R2 Produkt" not in body


def test_an_unbranded_contract_shows_the_providers_name_alone(world):
    world.r1.product.delete()
    customer = world.r1.plain_customer
    contract_services.assign_contract(world.r1.actor(), world.r1.contract, customer)
    body = login(Client(), world.r1.employee).get(products_tab(customer)).content.decode()
    assert '<span data-testid="product-name">Webhosting Test</span>' in body
    assert "product-provider-name" not in body


def test_an_active_brand_wins_over_an_inactive_one(world):
    world.r1.product.status = "inactive"
    world.r1.product.save()
    make_product(world.r1.account, "Aktive Marke")
    customer = world.r1.plain_customer
    contract_services.assign_contract(world.r1.actor(), world.r1.contract, customer)
    body = login(Client(), world.r1.employee).get(products_tab(customer)).content.decode()
    assert '<span data-testid="product-name">Aktive Marke</span>' in body


def test_another_account_gets_404_for_the_products_tab(world):
    customer = world.r1.plain_customer
    contract_services.assign_contract(world.r1.actor(), world.r1.contract, customer)
    response = login(Client(), world.r2.owner).get(products_tab(customer))
    assert response.status_code == 404
    assert "ZZ-R1-MARKER" not in response.content.decode()


def test_the_api_counts_like_the_list(world):
    customer = world.r1.plain_customer
    contract_services.assign_domain(world.r1.actor(), world.r1.domain, customer)
    body = api_client(world.r1, Role.EMPLOYEE).get(f"/api/v1/customers/{customer.pk}/").json()
    assert (body["product_count"], body["domain_count"]) == (0, 1)
