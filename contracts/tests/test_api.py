import pytest
from django.test import Client

from audit.models import AuditEntry
from conftest import make_contract
from contracts.models import Contract, Domain, Status
from core.roles import Role
from users.services import create_api_token

pytestmark = pytest.mark.django_db


def api(tenant, role=Role.OWNER):
    _token, key = create_api_token(tenant.actor(role), name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_contracts_are_listed_filtered_and_read(world):
    make_contract(world.r1.account, "o9001", status=Status.INACTIVE)
    client = api(world.r1, Role.EMPLOYEE)
    items = client.get("/api/v1/contracts/").json()["items"]
    assert [item["number"] for item in items] == ["o9001", "o20001"]
    assert items[1] == {
        "id": world.r1.contract.pk,
        "number": "o20001",
        "product": "Webhosting Test",
        "product_kind": "standard",
        "area": "managed Webhosting",
        "status": "active",
        "note": "ZZ-R1-MARKER Vertrag",
        "end_customer": None,
    }
    assert [i["number"] for i in client.get("/api/v1/contracts/?status=inactive").json()["items"]] == ["o9001"]
    assert client.get("/api/v1/contracts/?assigned=yes").json()["items"] == []
    assert client.get("/api/v1/contracts/?area=Unbekannt").status_code == 422
    assert client.get(f"/api/v1/contracts/{world.r1.contract.pk}/").json()["number"] == "o20001"


def test_domains_come_in_unicode_with_their_idna_form(world):
    item = api(world.r1).get(f"/api/v1/domains/{world.r1.domain.pk}/").json()
    assert item["name"] == "r1-domäne.de" and item["name_idna"] == "xn--r1-domne-5za.de"
    assert item["registrar"] == "INWX" and item["verification"] == "pending" and item["transfer_lock"] is True
    assert [d["number"] for d in api(world.r1).get("/api/v1/domains/?q=DOMÄNE").json()["items"]] == ["d20001"]


def test_assign_and_unassign_through_the_api(world):
    client = api(world.r1, Role.EMPLOYEE)
    url = f"/api/v1/contracts/{world.r1.contract.pk}/"
    response = post(client, url + "assign/", {"end_customer": world.r1.customer.pk})
    assert response.status_code == 200
    assert response.json()["end_customer"] == {
        "id": world.r1.customer.pk,
        "number": "R1-1",
        "name": "ZZ-R1-MARKER Kundenfirma (Kunde, Karla)",
    }
    assert client.get("/api/v1/contracts/?assigned=yes").json()["count"] == 1
    response = post(client, url + "unassign/")
    assert response.status_code == 200 and response.json()["end_customer"] is None
    assert Contract.objects.filter(pk=world.r1.contract.pk, status=Status.ACTIVE).exists()
    response = post(client, f"/api/v1/domains/{world.r1.domain.pk}/assign/", {"end_customer": world.r1.customer.pk})
    assert response.json()["end_customer"]["number"] == "R1-1"
    response = post(client, f"/api/v1/domains/{world.r1.domain.pk}/assign/", {"end_customer": None})
    assert response.json()["end_customer"] is None


def test_a_foreign_customer_id_is_a_field_error_and_nothing_changes(world):
    client = api(world.r1)
    before = AuditEntry.objects.count()
    for url in (
        f"/api/v1/contracts/{world.r1.contract.pk}/assign/",
        f"/api/v1/domains/{world.r1.domain.pk}/assign/",
    ):
        response = post(client, url, {"end_customer": world.r2.customer.pk})
        assert response.status_code == 422
        assert response.json()["detail"] == [
            {"loc": ["end_customer"], "msg": "Select a valid choice. That choice is not one of the available choices."}
        ]
    assert Contract.objects.get(pk=world.r1.contract.pk).end_customer is None
    assert Domain.objects.get(pk=world.r1.domain.pk).end_customer is None
    assert AuditEntry.objects.count() == before


def test_another_resellers_contract_is_404_and_stays_unchanged(world):
    client = api(world.r2)
    for url in (f"/api/v1/contracts/{world.r1.contract.pk}/", f"/api/v1/domains/{world.r1.domain.pk}/"):
        response = client.get(url)
        assert response.status_code == 404 and "ZZ-R1-MARKER" not in response.content.decode()
        assert post(client, url + "assign/", {"end_customer": world.r2.customer.pk}).status_code == 404
        assert post(client, url + "unassign/").status_code == 404
    assert Contract.objects.get(pk=world.r1.contract.pk).end_customer is None
    assert "ZZ-R1-MARKER" not in client.get("/api/v1/contracts/").content.decode()


EXPORTS = {
    "/api/v1/contracts/export/": "o20001",
    "/api/v1/domains/export/": "r1-domäne.de",
    "/api/v1/products/export/": "ZZ-R1-MARKER Produkt",
    "/api/v1/members/export/": "r1-employee",
    "/api/v1/service-access/export/": None,
    "/api/v1/hostings/export/": None,
}


@pytest.mark.parametrize("url", EXPORTS)
def test_every_list_exports_its_own_rows_as_csv_and_excel(world, url):
    from conftest import api_client

    response = api_client(world.r1).get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = text.splitlines()
    assert ";" in header
    if EXPORTS[url]:
        assert EXPORTS[url] in text
        assert EXPORTS[url] not in b"".join(api_client(world.r2).get(url).streaming_content).decode("utf-8-sig")
    excel = api_client(world.r1).get(f"{url}?format=xlsx")
    assert excel["Content-Disposition"].endswith('.xlsx"')


def test_the_export_follows_the_lists_filters(world):
    from conftest import api_client

    text = b"".join(api_client(world.r1).get("/api/v1/contracts/export/?q=nothing-like-this").streaming_content)
    assert len(text.decode("utf-8-sig").splitlines()) == 1


@pytest.mark.parametrize("body", ['"x"', "[]", "1", "{}", '{"end_customer": false}', '{"end_customer": "1"}'])
def test_an_assignment_body_that_is_not_an_object_with_an_id_or_null_changes_nothing(world, body):
    Contract.objects.filter(pk=world.r1.contract.pk).update(end_customer=world.r1.customer)
    client = api(world.r1)
    before = AuditEntry.objects.count()
    response = client.post(f"/api/v1/contracts/{world.r1.contract.pk}/assign/", body, content_type="application/json")
    assert response.status_code == 422
    assert Contract.objects.get(pk=world.r1.contract.pk).end_customer == world.r1.customer
    assert AuditEntry.objects.count() == before


def test_customer_id_zero_is_not_an_unassignment(world):
    Contract.objects.filter(pk=world.r1.contract.pk).update(end_customer=world.r1.customer)
    response = post(api(world.r1), f"/api/v1/contracts/{world.r1.contract.pk}/assign/", {"end_customer": 0})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["end_customer"]
    assert Contract.objects.get(pk=world.r1.contract.pk).end_customer == world.r1.customer
