"""The partner profile and the inquiries in the API: the same rules as the pages, strict bodies, and the public
directory without a login."""

import pytest
from django.test import Client

from conftest import api_client
from core.roles import Role
from customers.models import EndCustomer
from profiles.models import Inquiry, PartnerProfile
from profiles.tests.helpers import make_inquiry, make_profile

pytestmark = pytest.mark.django_db

PROFILE = {
    "is_public": True,
    "display_name": "API Agentur",
    "description": "Per API gepflegt.",
    "services": ["hosting", "email"],
    "postal_code": "50667",
    "city": "Köln",
    "website": "api-agentur.test",
    "contact_email": "kontakt@api-agentur.test",
}
CUSTOMER = {
    "number": "API-77",
    "street": "Schnittstelle 1",
    "postal_code": "10115",
    "city": "Berlin",
    "mobile": "0170 1234567",
}


def put(client, body):
    return client.put("/api/v1/partner-profile/", body, content_type="application/json")


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN])
def test_owners_and_administrators_put_the_profile(world, role):
    client = api_client(world.r1, role)
    assert client.get("/api/v1/partner-profile/").status_code == 404
    response = put(client, PROFILE)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["slug"] == "api-agentur" and data["services"] == ["hosting", "email"]
    assert data["website"] == "https://api-agentur.test" and data["public_url"] == "/partner/api-agentur/"
    assert put(client, {**PROFILE, "city": "Bonn"}).json()["city"] == "Bonn"
    assert PartnerProfile.objects.filter(account=world.r1.account).count() == 1
    assert client.get("/api/v1/partner-profile/").json()["city"] == "Bonn"


def test_an_employee_reads_the_profile_and_may_not_put_it(world):
    make_profile(world.r1, "r1-agentur")
    client = api_client(world.r1, Role.EMPLOYEE)
    assert client.get("/api/v1/partner-profile/").json()["slug"] == "r1-agentur"
    assert put(client, PROFILE).status_code == 403
    assert PartnerProfile.objects.get(account=world.r1.account).display_name != "API Agentur"


@pytest.mark.parametrize(
    "body",
    [
        {**PROFILE, "services": ["mining"]},
        {**PROFILE, "is_public": "yes"},
        {**PROFILE, "logo": "x.png"},
        {**PROFILE, "account": 1},
        {key: value for key, value in PROFILE.items() if key != "display_name"},
    ],
)
def test_the_profile_body_is_strict(world, body):
    assert put(api_client(world.r1), body).status_code == 422
    assert not PartnerProfile.objects.exists()


def test_the_directory_is_public_and_hides_the_contact_address(world):
    make_profile(world.r1, "r1-agentur", display_name="Eins")
    make_profile(world.r2, "zweite", display_name="Zwei", services="seo", is_public=False)
    response = Client().get("/api/v1/partners/")
    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["slug"] == "r1-agentur" and "contact_email" not in item
    assert Client().get("/api/v1/partners/?service=seo").json()["items"] == []
    assert Client().get("/api/v1/partners/?service=mining").status_code == 422


def test_inquiries_are_listed_filtered_and_read_by_every_member(world):
    inquiry = make_inquiry(world.r1, name="ZZ-R1-MARKER Ina")
    make_inquiry(world.r1, name="Erledigt", status="done")
    for role in Role:
        client = api_client(world.r1, role)
        assert [item["name"] for item in client.get("/api/v1/inquiries/?status=open").json()["items"]] == [
            "ZZ-R1-MARKER Ina"
        ]
        assert client.get(f"/api/v1/inquiries/{inquiry.pk}/").json()["end_customer"] is None
    other = api_client(world.r2)
    assert other.get("/api/v1/inquiries/").json()["items"] == []
    assert other.get(f"/api/v1/inquiries/{inquiry.pk}/").status_code == 404
    assert post(other, f"/api/v1/inquiries/{inquiry.pk}/status/", {"status": "done"}).status_code == 404
    assert "ZZ-R1-MARKER" not in other.get("/api/v1/inquiries/export/").getvalue().decode()
    export = api_client(world.r1).get("/api/v1/inquiries/export/?format=csv&status=open").getvalue().decode()
    assert "ZZ-R1-MARKER Ina" in export and "Erledigt" not in export


def test_the_api_assigns_an_inquiry_to_an_existing_customer_of_the_account_only(world):
    inquiry = make_inquiry(world.r1)
    client = api_client(world.r1, Role.EMPLOYEE)
    url = f"/api/v1/inquiries/{inquiry.pk}/assign/"
    assert post(client, url, {"end_customer": world.r2.customer.pk}).status_code == 422
    assert post(client, url, {"end_customer": "1"}).status_code == 422
    response = post(client, url, {"end_customer": world.r1.customer.pk})
    assert response.status_code == 200
    assert response.json()["end_customer"] == world.r1.customer.pk and response.json()["status"] == "done"
    assert post(client, url, {"end_customer": world.r1.plain_customer.pk}).status_code == 422
    inquiry.refresh_from_db()
    assert inquiry.end_customer == world.r1.customer


def test_the_api_creates_a_customer_from_an_inquiry(world):
    inquiry = make_inquiry(world.r1, name="Ina Interessent")
    client = api_client(world.r1, Role.EMPLOYEE)
    response = post(client, f"/api/v1/inquiries/{inquiry.pk}/create-customer/", CUSTOMER)
    assert response.status_code == 201, response.content
    inquiry.refresh_from_db()
    customer = inquiry.end_customer
    assert response.json()["end_customer"] == customer.pk
    assert (customer.number, customer.first_name, customer.last_name, customer.company, customer.email) == (
        "API-77",
        "Ina",
        "Interessent",
        "Interessent GmbH",
        "ina@interessent.test",
    )
    again = post(client, f"/api/v1/inquiries/{inquiry.pk}/create-customer/", {**CUSTOMER, "number": "API-78"})
    assert again.status_code == 422
    assert not EndCustomer.objects.filter(number="API-78").exists()


def test_a_failed_customer_creation_leaves_the_inquiry_open(world):
    inquiry = make_inquiry(world.r1)
    response = post(
        api_client(world.r1), f"/api/v1/inquiries/{inquiry.pk}/create-customer/", {**CUSTOMER, "number": "R1-1"}
    )
    assert response.status_code == 422
    inquiry.refresh_from_db()
    assert (inquiry.end_customer, inquiry.status) == (None, Inquiry.Status.OPEN)


def test_a_plain_customer_account_has_no_profile_and_no_inquiries(world):
    client = api_client(world.c1)
    assert client.get("/api/v1/partner-profile/").status_code == 404
    assert put(client, PROFILE).status_code == 404
    assert client.get("/api/v1/inquiries/").status_code == 404
