"""Operator staff maintain the catalogue, contracts and domains in the operator area."""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import login
from contracts.models import Contract, Domain, ShopProduct

pytestmark = pytest.mark.django_db


def staff_client(world):
    """Operator staff who passed the two-factor step, as the operator area requires."""
    client = login(Client(), world.staff)
    device = TOTPDevice.objects.create(user=world.staff, name="app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_staff_enter_a_contract_for_an_account(world):
    client = staff_client(world)
    product = ShopProduct.objects.create(name="CS-Flex 2", area="managed Webhosting")
    data = {"owner_account": world.r1.account.pk, "number": "o4711", "shop_product": product.pk, "status": "active"}
    response = client.post("/operator/contracts/contract/add/", {**data, "area": "", "note": ""})
    assert response.status_code == 302
    contract = Contract.objects.get(number="o4711")
    assert contract.account == world.r1.account and contract.area == "managed Webhosting"


def test_staff_enter_an_umlaut_domain_and_it_is_stored_as_idna(world):
    client = staff_client(world)
    data = {
        "owner_account": world.r1.account.pk,
        "number": "d4711",
        "name": "Bücher-Wurm.de",
        "registrar": "inwx",
        "status": "active",
        "verification": "verified",
        "zone": "active",
        "transfer_lock": "on",
        "renewal_mode": "autorenew",
        "area": "",
        "note": "",
    }
    assert client.post("/operator/contracts/domain/add/", data).status_code == 302
    domain = Domain.objects.get(number="d4711")
    assert (domain.name, domain.name_unicode, domain.registrar) == ("xn--bcher-wurm-9db.de", "bücher-wurm.de", "INWX")
    response = client.post("/operator/contracts/domain/add/", {**data, "number": "d4712", "name": "kein domain"})
    assert response.status_code == 200 and "valid domain name" in response.content.decode()


def test_the_account_stays_and_the_assignment_is_the_resellers(world):
    client = staff_client(world)
    contract = world.r1.contract
    body = client.get(f"/operator/contracts/contract/{contract.pk}/change/").content.decode()
    assert 'name="end_customer"' not in body  # read-only: resellers assign, audited
    data = {
        "owner_account": world.r2.account.pk,
        "number": contract.number,
        "shop_product": contract.shop_product_id,
        "area": contract.area,
        "status": "inactive",
        "note": "",
    }
    assert client.post(f"/operator/contracts/contract/{contract.pk}/change/", data).status_code == 302
    contract.refresh_from_db()
    assert contract.account == world.r1.account and contract.status == "inactive"


def test_resellers_never_reach_the_operator_area(world):
    response = login(Client(), world.r1.owner).get("/operator/contracts/contract/")
    assert response.status_code == 302 and response["Location"].startswith("/operator/login/")
    assert login(Client(), world.r1.owner).get(response["Location"])["Location"].startswith("/login/")
