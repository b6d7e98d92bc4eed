import pytest
from django.test import Client

from customers.models import EndCustomer, PortalUser, Todo
from users.services import create_api_token

pytestmark = pytest.mark.django_db

BODY = {
    "number": "API-7",
    "last_name": "Neu",
    "first_name": "Nina",
    "street": "Weg 1",
    "postal_code": "10115",
    "city": "Berlin",
    "phone": "030 1234567",
    "mobile": "0170 1234567",
    "email": "nina@example.test",
}


def api(tenant, role=None):
    from core.roles import Role

    _token, key = create_api_token(tenant.actor(role or Role.OWNER), name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_list_search_and_filter_like_the_ui(world):
    client = api(world.r1)
    items = client.get("/api/v1/customers/").json()["items"]
    assert {item["number"] for item in items} == {"R1-1", "R1-2"}
    assert [i["number"] for i in client.get("/api/v1/customers/?q=Zweit").json()["items"]] == ["R1-2"]
    assert items[0]["user_count"] + items[1]["user_count"] == 1


def test_create_read_update_delete(world):
    client = api(world.r1)
    response = client.post("/api/v1/customers/", BODY, content_type="application/json")
    assert response.status_code == 201
    created = response.json()
    assert created["phone"] == "+49301234567" and created["product_count"] == 0
    url = f"/api/v1/customers/{created['id']}/"
    assert client.get(url).json()["number"] == "API-7"
    response = client.patch(url, {"city": "Bonn", "postal_code": "53111"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["city"] == "Bonn"
    assert client.delete(url).status_code == 204
    assert not EndCustomer.objects.filter(pk=created["id"]).exists()


def test_validation_errors_name_the_field_with_the_ui_message(world):
    client = api(world.r1)
    response = client.post(
        "/api/v1/customers/", {**BODY, "number": "R1-1", "postal_code": "1"}, content_type="application/json"
    )
    assert response.status_code == 422
    detail = {tuple(item["loc"]): item["msg"] for item in response.json()["detail"]}
    assert detail[("postal_code",)] == "A postal code in this country has 5 digits."
    response = client.post("/api/v1/customers/", {**BODY, "number": "R1-1"}, content_type="application/json")
    assert response.json()["detail"] == [
        {"loc": ["number"], "msg": "You already have a customer with this customer number."}
    ]


def test_the_deletion_guard_holds_in_the_api(world):
    response = api(world.r1).delete(f"/api/v1/customers/{world.r1.customer.pk}/")
    assert response.status_code == 422
    assert "1 user" in response.json()["detail"][0]["msg"]


def test_immutable_and_foreign_fields_are_ignored(world):
    client = api(world.r1)
    url = f"/api/v1/customers/{world.r1.plain_customer.pk}/"
    client.patch(
        url, {"account": world.r2.account.pk, "id": 999, "created_at": "2000-01-01"}, content_type="application/json"
    )
    customer = EndCustomer.objects.get(pk=world.r1.plain_customer.pk)
    assert customer.account == world.r1.account


def test_another_reseller_gets_404_on_every_nested_route(world):
    client = api(world.r2)
    pk = world.r1.customer.pk
    for url in (f"/api/v1/customers/{pk}/", f"/api/v1/customers/{pk}/users/", f"/api/v1/customers/{pk}/todos/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "ZZ-R1-MARKER" not in response.content.decode()
    response = client.post(f"/api/v1/customers/{pk}/todos/", {"title": "x"}, content_type="application/json")
    assert response.status_code == 404
    assert not Todo.objects.filter(title="x").exists()


def test_users_and_todos_are_created_through_the_api(world):
    client = api(world.r1)
    pk = world.r1.plain_customer.pk
    body = {
        "username": "api-user",
        "first_name": "A",
        "last_name": "B",
        "email": "a@example.test",
        "password": "a-long-secret-99",
    }
    response = client.post(f"/api/v1/customers/{pk}/users/", body, content_type="application/json")
    assert response.status_code == 201 and response.json()["active"] is True
    assert PortalUser.objects.get(user__username="api-user").user.check_password("a-long-secret-99")
    response = client.post(f"/api/v1/customers/{pk}/users/", body, content_type="application/json")
    assert response.json()["detail"] == [{"loc": ["username"], "msg": "This username is already taken."}]
    response = client.post(
        f"/api/v1/customers/{pk}/todos/", {"title": "T", "assignee": world.r2.owner.pk}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["assignee"]


def test_an_employee_token_cannot_delete(world):
    from core.roles import Role

    response = api(world.r1, Role.EMPLOYEE).delete(f"/api/v1/customers/{world.r1.plain_customer.pk}/")
    assert response.status_code == 403
    assert EndCustomer.objects.filter(pk=world.r1.plain_customer.pk).exists()
