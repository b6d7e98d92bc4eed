"""MKM → MKM-Hostings: every hosting of the account, filterable by status (the dashboard's failed figure leads here)."""

import pytest
from django.test import Client
from django.urls import reverse

from conftest import api_client, login
from core.roles import Role
from hosting.models import HostingServer, ResellerHosting
from hosting.tests.helpers import reseller_setup

pytestmark = pytest.mark.django_db
Status = ResellerHosting.Status
LIST = "/hostings/"


def make_hostings(tenant, statuses, *, number):
    server, _created = HostingServer.objects.get_or_create(
        name="List", defaults={"host": "127.0.0.1", "port": 1, "use_tls": False, "login": "admin", "password": "x"}
    )
    contract, product = reseller_setup(tenant, server, number=number)
    return [
        ResellerHosting.objects.create(
            account=tenant.account,
            end_customer=tenant.plain_customer,
            product=product,
            contract=contract,
            status=status,
            subscription_name=f"{number}-{index}.example",
        )
        for index, status in enumerate(statuses)
    ]


@pytest.fixture
def hostings(world):
    return (
        make_hostings(world.r1, [Status.ACTIVE, Status.FAILED, Status.PROVISIONING], number="o-r1"),
        make_hostings(world.r2, [Status.FAILED], number="o-r2"),
    )


@pytest.mark.parametrize("role", list(Role))
def test_every_member_lists_the_accounts_hostings_and_filters_by_status(world, hostings, role):
    client = login(Client(), world.r1.user(role))
    everything = client.get(LIST)
    assert sorted(h.subscription_name for h in everything.context["table"].data) == [
        "o-r1-0.example",
        "o-r1-1.example",
        "o-r1-2.example",
    ]
    failed = client.get(LIST, {"status": "failed"})
    assert [h.subscription_name for h in failed.context["table"].data] == ["o-r1-1.example"]
    body = failed.content.decode()
    assert "o-r1" in body and reverse("hosting:resellerhosting_detail", args=[hostings[0][1].pk]) in body


def test_another_account_sees_only_its_own(world, hostings):
    body = login(Client(), world.r2.owner).get(LIST, {"status": "failed"}).content.decode()
    assert "o-r2-0.example" in body and "o-r1" not in body


def test_a_plain_customer_account_has_no_hosting_list(world, hostings):
    for role in Role:
        assert login(Client(), world.c1.user(role)).get(LIST).status_code == 404


def test_the_api_filters_the_same_way(world, hostings):
    client = api_client(world.r1, Role.EMPLOYEE)
    items = client.get("/api/v1/hostings/", {"status": "failed"}).json()["items"]
    assert [item["id"] for item in items] == [hostings[0][1].pk]
    assert client.get("/api/v1/hostings/", {"status": "nonsense"}).status_code == 422


def test_exports_hold_the_filtered_rows(world, hostings):
    client = login(Client(), world.r1.owner)
    response = client.get(LIST, {"status": "failed", "export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "o-r1-1.example" in text and "o-r1-0.example" not in text
