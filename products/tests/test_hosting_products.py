"""Reseller-hosting products: a reseller contract, its server, and a plan read live from that server."""

import pytest
from django.test import Client

from conftest import login
from contracts.models import Contract, ShopProduct
from hosting.models import HostingServer
from plesk.sandbox import SandboxServer
from products.models import ResellerProduct

pytestmark = pytest.mark.django_db

ADD = "/products/add/"


@pytest.fixture
def sandbox():
    with SandboxServer(
        "127.0.0.1", 0, admin_password="admin-pw-123", seed_demo=True, reseller_password="res-pw-123"
    ) as server:
        yield server


@pytest.fixture
def reseller_contract(world, sandbox):
    host, port = sandbox.url.split("//")[1].split("/")[0].split(":")
    server = HostingServer.objects.create(
        name="Sandbox S1",
        host=host,
        port=int(port),
        use_tls=False,
        login="admin",
        password="admin-pw-123",
        is_sandbox=True,
    )
    shop_product = ShopProduct.objects.create(
        name="Reseller 50 GB", area="Reseller Webhosting", kind=ShopProduct.Kind.RESELLER_TARIFF
    )
    return Contract.objects.create(
        account=world.r1.account,
        number="o9999",
        shop_product=shop_product,
        hosting_server=server,
        plesk_login="reseller-demo",
        plesk_password="res-pw-123",
    )


def plan_guids(response):
    return [value for value, _label in response.context["form"].fields["plan_guid"].choices if value]


def test_the_plans_come_live_from_the_contracts_server(world, reseller_contract):
    client = login(Client(), world.r1.owner)
    response = client.get(ADD, {"kind": "reseller_hosting", "contract": reseller_contract.pk})
    labels = [label for _value, label in response.context["form"].fields["plan_guid"].choices]
    assert labels[1:] == ["Webhosting L", "Webhosting M", "Webhosting S"]
    assert "Sandbox S1" in response.content.decode()


def test_a_hosting_product_is_created_with_contract_and_plan(world, reseller_contract):
    client = login(Client(), world.r1.owner)
    guid = plan_guids(client.get(ADD, {"kind": "reseller_hosting", "contract": reseller_contract.pk}))[0]
    data = {
        "kind": "reseller_hosting",
        "contract": reseller_contract.pk,
        "plan_guid": guid,
        "name": "Hosting Start",
        "net_price": "9,90",
        "status": "active",
    }
    response = client.post(ADD, data)
    assert response.status_code == 302
    product = ResellerProduct.objects.get(name="Hosting Start")
    assert (product.kind, product.contract, product.plan_guid) == ("reseller_hosting", reseller_contract, guid)
    assert product.plan_name == "Webhosting L"


def test_a_plan_that_is_not_on_the_server_is_refused(world, reseller_contract):
    client = login(Client(), world.r1.owner)
    data = {
        "kind": "reseller_hosting",
        "contract": reseller_contract.pk,
        "plan_guid": "forged-guid",
        "name": "X",
        "net_price": "1,00",
        "status": "active",
    }
    response = client.post(ADD, data)
    assert "Select a valid choice" in str(response.context["form"].errors["plan_guid"])
    assert not ResellerProduct.objects.filter(name="X").exists()


def test_another_resellers_contract_cannot_be_chosen(world, reseller_contract):
    client = login(Client(), world.r2.owner)
    response = client.get(ADD, {"kind": "reseller_hosting", "contract": reseller_contract.pk})
    assert response.context["form"].fields["contract"].queryset.count() == 0
    assert "no active reseller contract" in response.content.decode()


def test_when_the_server_is_down_the_form_says_so_and_saves_nothing(world, reseller_contract, sandbox):
    sandbox.stop()
    client = login(Client(), world.r1.owner)
    response = client.get(ADD, {"kind": "reseller_hosting", "contract": reseller_contract.pk})
    assert 'data-testid="plan-error"' in response.content.decode()
    assert "cannot be reached" in response.content.decode()
    assert 'href="/support/new/?topic=plans_not_loading"' in response.content.decode()
    data = {
        "kind": "reseller_hosting",
        "contract": reseller_contract.pk,
        "plan_guid": "x",
        "name": "Y",
        "net_price": "1,00",
        "status": "active",
    }
    client.post(ADD, data)
    assert not ResellerProduct.objects.filter(name="Y").exists()
