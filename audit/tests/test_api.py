"""The activity list in the API: the account's own entries, the page's filters, and its export."""

import pytest
from django.test import Client

from audit.models import AuditEntry
from conftest import api_client
from core.roles import Role

pytestmark = pytest.mark.django_db


def test_the_activity_list_holds_the_accounts_own_entries_with_the_pages_filters(world):
    client = api_client(world.r1)
    client.patch(f"/api/v1/customers/{world.r1.customer.pk}/", {"city": "Bonn"}, content_type="application/json")
    api_client(world.r2).patch(
        f"/api/v1/customers/{world.r2.customer.pk}/", {"city": "Köln"}, content_type="application/json"
    )
    items = client.get("/api/v1/activity/?action=update").json()["items"]
    assert [(item["action"], item["object_type"], item["object_id"]) for item in items] == [
        ("update", "endcustomer", str(world.r1.customer.pk))
    ]
    assert items[0]["changes"]["city"][1] == "Bonn"
    assert items[0]["user"] == "r1-owner" and items[0]["via_service_access"] is False
    assert client.get("/api/v1/activity/?created_after=yesterday").status_code == 422


def test_the_activity_export_is_the_pages_csv(world):
    api_client(world.r1).patch(
        f"/api/v1/customers/{world.r1.customer.pk}/", {"city": "Bonn"}, content_type="application/json"
    )
    response = api_client(world.r1, Role.EMPLOYEE).get("/api/v1/activity/export/?action=update")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].split(";")[:3] == ["Time", "User", "Action"]
    assert len(lines) == 2 and "Bonn" in lines[1]
    assert b"Bonn" not in b"".join(api_client(world.r2).get("/api/v1/activity/export/").streaming_content)


def test_no_account_no_activity(world):
    from conftest import login

    assert login(Client(), world.loner).get("/api/v1/activity/").status_code == 404
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DENIED).count() == 0
