"""Resource usage over the API (issue #21): a hosting carries what the server check last read of its
subscription, a contract its reseller package's, in Plesk's names and units; null or empty before the first read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import api_client
from core.roles import Role
from hosting.models import HostingUsage, ResellerHosting
from hosting.tests.test_sync import sync_now
from hosting.tests.test_usage import hostings  # noqa: F401 (a fixture)
from partnerportal.api import api

pytestmark = pytest.mark.django_db

GIB = 1024**3


def test_a_hosting_carries_its_usage_once_the_server_check_read_it(world, hostings):  # noqa: F811
    _contract, full, light = hostings
    client = api_client(world.r1, Role.EMPLOYEE)
    assert client.get(f"/api/v1/hostings/{full.pk}/").json()["usage"] is None
    sync_now()
    usage = client.get(f"/api/v1/hostings/{full.pk}/").json()["usage"]
    assert usage["read_at"] is not None
    assert usage["used"]["disk_space"] == 19 * GIB // 4  # bytes, as Plesk names and counts them
    assert usage["used"]["max_traffic"] == 12 * GIB
    assert (usage["used"]["max_box"], usage["used"]["max_db"]) == (3, 1)
    assert usage["limits"]["disk_space"] == 5 * GIB
    assert usage["limits"]["max_box"] == 5
    assert usage["peak_percent"] == 95
    listed = {row["id"]: row["usage"] for row in client.get("/api/v1/hostings/").json()["items"]}
    assert listed[full.pk] == usage
    assert listed[light.pk]["peak_percent"] == 10


def test_the_contract_shows_its_package(world, hostings):  # noqa: F811
    contract, _full, _light = hostings
    client = api_client(world.r1, Role.EMPLOYEE)
    url = f"/api/v1/contracts/{contract.pk}/package-usage/"
    before = client.get(url)
    assert before.status_code == 200
    assert before.json() == {
        "contract": contract.pk,
        "read_at": None,
        "limits": {},
        "allocated": {},
        "remaining": {},
        "used": {},
    }
    sync_now()
    package = client.get(url).json()
    assert package["read_at"] is not None
    assert package["limits"]["disk_space"] == 5 * 1024 * GIB
    # The demo's two old subscriptions (S and M) and the two new ones (S): 5 + 20 + 5 + 5 GB given.
    assert package["allocated"]["disk_space"] == 35 * GIB
    assert package["remaining"]["disk_space"] == (5 * 1024 - 35) * GIB
    assert package["used"]["max_webspaces"] == 4


def test_another_accounts_hosting_and_contract_answer_404(world, hostings):  # noqa: F811
    contract, full, _light = hostings
    sync_now()
    outsider = api_client(world.r2)
    assert outsider.get(f"/api/v1/hostings/{full.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/contracts/{contract.pk}/package-usage/").status_code == 404
    assert full.pk not in {row["id"] for row in outsider.get("/api/v1/hostings/").json()["items"]}
    # A contract of the account that is bound to no server has no package either.
    assert api_client(world.r1).get(f"/api/v1/contracts/{world.r1.contract.pk}/package-usage/").status_code == 404


def test_the_list_costs_the_same_queries_for_more_hostings_with_usage(world, hostings):  # noqa: F811
    contract, full, _light = hostings
    sync_now()
    client = api_client(world.r1)
    client.get("/api/v1/hostings/")  # the token's and the caches' first reads
    with CaptureQueriesContext(connection) as first:
        assert client.get("/api/v1/hostings/").status_code == 200
    for _ in range(4):
        more = ResellerHosting.objects.create(
            account=world.r1.account,
            end_customer=world.r1.plain_customer,
            product=full.product,
            contract=contract,
            status=ResellerHosting.Status.ACTIVE,
        )
        HostingUsage.objects.create(hosting=more, read_at=timezone.now(), limits={}, used={}, peak_percent=0)
    with CaptureQueriesContext(connection) as second:
        response = client.get("/api/v1/hostings/")
    assert len(response.json()["items"]) == 6
    assert len(second) == len(first)


def test_the_schema_says_what_the_names_and_units_are():
    schemas = api.get_openapi_schema()["components"]["schemas"]
    hosting = schemas["HostingUsageOut"]["properties"]
    assert "bytes" in hosting["limits"]["description"] and "-1 is unlimited" in hosting["limits"]["description"]
    assert "disk_space" in hosting["used"]["description"]
    package = schemas["PackageUsageOut"]["properties"]
    assert "null" in package["read_at"]["description"]
    assert "sum of their limits" in package["allocated"]["description"]
