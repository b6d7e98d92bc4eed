"""Kundenverwaltung → Anfragen: the list with its filters and exports, the detail, and "Kunde hinzufügen", which
turns an inquiry into a new end customer or assigns it to an existing one, for good."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from conftest import login, make_customer
from customers.models import EndCustomer
from profiles.models import Inquiry
from profiles.tests.helpers import make_inquiry

pytestmark = pytest.mark.django_db

NEW_CUSTOMER = {
    "mode": "new",
    "new-number": "K-900",
    "new-company": "Interessent GmbH",
    "new-last_name": "Interessent",
    "new-first_name": "Ina",
    "new-street": "Anfrageweg 1",
    "new-postal_code": "10115",
    "new-city": "Berlin",
    "new-country": "DE",
    "new-phone": "030 9876543",
    "new-mobile": "0170 1234567",
    "new-email": "ina@interessent.test",
    "new-website": "",
}


@pytest.fixture
def inquiry(world):
    make_inquiry(world.r2, name="Zweiter Interessent")
    return make_inquiry(world.r1, name="ZZ-R1-MARKER Ina Interessent")


@pytest.mark.parametrize("role", ["owner", "admin", "employee"])
def test_every_member_sees_the_inquiries_with_the_open_count_in_the_menu(world, inquiry, role):
    make_inquiry(world.r1, name="Erledigt", status=Inquiry.Status.DONE)
    body = login(Client(), getattr(world.r1, role)).get("/inquiries/").content.decode()
    assert "ZZ-R1-MARKER Ina Interessent" in body and "Erledigt" in body
    assert "Zweiter Interessent" not in body
    sidebar = body[body.index('<nav class="sidebar') : body.index("</nav>")]
    assert 'href="/inquiries/">' in sidebar
    assert '<span class="badge rounded-pill text-bg-light ms-1" data-testid="badge">1</span>' in sidebar


def test_another_account_and_a_plain_customer_account_see_nothing_of_them(world, inquiry):
    other = login(Client(), world.r2.owner)
    assert "ZZ-R1-MARKER" not in other.get("/inquiries/").content.decode()
    assert "ZZ-R1-MARKER" not in other.get("/inquiries/?export=csv").getvalue().decode()
    for url in (f"/inquiries/{inquiry.pk}/", f"/inquiries/{inquiry.pk}/customer/"):
        assert other.get(url).status_code == 404
    assert other.post(f"/inquiries/{inquiry.pk}/status/", {"status": "done"}).status_code == 404
    assert other.post(f"/inquiries/{inquiry.pk}/customer/", {"mode": "existing"}).status_code == 404
    assert login(Client(), world.c1.owner).get("/inquiries/").status_code == 404
    assert Client().get("/inquiries/")["Location"].startswith(reverse("users:login"))
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.OPEN


def test_the_list_filters_searches_and_exports(world, inquiry):
    make_inquiry(world.r1, name="Bernd Bauer", company="Bau AG", email="bernd@bau.test", status="done")
    client = login(Client(), world.r1.employee)
    assert "Bernd Bauer" not in client.get("/inquiries/?status=open").content.decode()
    assert "ZZ-R1-MARKER Ina" not in client.get("/inquiries/?q=bau").content.decode()
    export = client.get("/inquiries/?export=csv&q=bau").getvalue().decode("utf-8-sig")
    header, row = export.strip().splitlines()
    assert header == "Received;Name;Company;E-mail;Phone;Status;Customer;Message"
    assert "Bernd Bauer;Bau AG;bernd@bau.test" in row and "Bitte um ein Angebot." in row
    assert client.get("/inquiries/?export=xlsx").status_code == 200


def test_a_formula_in_an_inquiry_is_neutralised_in_the_export(world):
    make_inquiry(world.r1, name="=HYPERLINK(1)")
    export = login(Client(), world.r1.owner).get("/inquiries/?export=csv").getvalue().decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in export


def test_the_list_costs_the_same_queries_for_10_and_50_rows(world):
    client = login(Client(), world.r1.owner)
    client.get("/inquiries/")
    customer = world.r1.customer
    for index in range(10):
        make_inquiry(world.r1, name=f"Person {index}", end_customer=customer if index % 2 else None)
    with CaptureQueriesContext(connection) as few:
        client.get("/inquiries/?per_page=100")
    for index in range(40):
        make_inquiry(world.r1, name=f"Mehr {index}", end_customer=customer if index % 2 else None)
    with CaptureQueriesContext(connection) as many:
        body = client.get("/inquiries/?per_page=100").content.decode()
    assert body.count("/inquiries/") > 50
    assert len(few) == len(many)


def test_an_employee_turns_an_inquiry_into_a_new_customer(world, inquiry):
    client = login(Client(), world.r1.employee)
    detail = client.get(inquiry.get_absolute_url()).content.decode()
    assert 'data-testid="add-customer"' in detail
    form = client.get(f"/inquiries/{inquiry.pk}/customer/").content.decode()
    # Pre-filled from the inquiry: names, company, e-mail and phone.
    for value in (
        'value="Interessent GmbH"',
        'value="ZZ-R1-MARKER Ina"',
        'value="Interessent"',
        "ina@interessent.test",
    ):
        assert value in form
    response = client.post(f"/inquiries/{inquiry.pk}/customer/", NEW_CUSTOMER)
    customer = EndCustomer.objects.get(account=world.r1.account, number="K-900")
    assert response.status_code == 302 and response["Location"] == customer.get_absolute_url()
    inquiry.refresh_from_db()
    assert (inquiry.end_customer, inquiry.status) == (customer, Inquiry.Status.DONE)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATE, object_id=str(customer.pk)).exists()
    linked = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_id=str(inquiry.pk))
    assert linked.changes["status"] == ["open", "done"] and linked.parent_id == str(customer.pk)
    # The customer's page shows it, in a tab of its own; a customer without inquiries has no such tab.
    page = client.get(customer.get_absolute_url()).content.decode()
    tab = reverse("profiles:endcustomer_inquiries", args=[customer.pk])
    assert f'href="{tab}"' in page
    assert "ZZ-R1-MARKER Ina Interessent" in client.get(tab).content.decode()
    plain = world.r1.plain_customer
    assert (
        reverse("profiles:endcustomer_inquiries", args=[plain.pk])
        not in client.get(plain.get_absolute_url()).content.decode()
    )
    # For good: the inquiry cannot be assigned again, nor opened again.
    again = client.get(f"/inquiries/{inquiry.pk}/customer/")
    assert again.status_code == 302 and again["Location"] == inquiry.get_absolute_url()
    client.post(f"/inquiries/{inquiry.pk}/status/", {"status": "open"})
    inquiry.refresh_from_db()
    assert (inquiry.end_customer, inquiry.status) == (customer, Inquiry.Status.DONE)


def test_a_new_customer_with_a_taken_number_writes_nothing(world, inquiry):
    client = login(Client(), world.r1.owner)
    response = client.post(f"/inquiries/{inquiry.pk}/customer/", {**NEW_CUSTOMER, "new-number": "R1-1"})
    assert response.status_code == 200
    assert "You already have a customer with this customer number." in response.content.decode()
    inquiry.refresh_from_db()
    assert (inquiry.end_customer, inquiry.status) == (None, Inquiry.Status.OPEN)


def test_the_inquiry_is_assigned_to_an_existing_customer(world, inquiry):
    client = login(Client(), world.r1.employee)
    customer = world.r1.plain_customer
    response = client.post(
        f"/inquiries/{inquiry.pk}/customer/", {"mode": "existing", "existing-end_customer": customer.pk}
    )
    assert response.status_code == 302 and response["Location"] == customer.get_absolute_url()
    inquiry.refresh_from_db()
    assert (inquiry.end_customer, inquiry.status) == (customer, Inquiry.Status.DONE)
    assert (
        "ZZ-R1-MARKER Ina Interessent"
        in client.get(reverse("profiles:endcustomer_inquiries", args=[customer.pk])).content.decode()
    )


def test_another_accounts_customer_is_not_a_valid_choice(world, inquiry):
    client = login(Client(), world.r1.owner)
    page = client.get(f"/inquiries/{inquiry.pk}/customer/").content.decode()
    assert world.r2.customer.number not in page
    response = client.post(
        f"/inquiries/{inquiry.pk}/customer/", {"mode": "existing", "existing-end_customer": world.r2.customer.pk}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    inquiry.refresh_from_db()
    assert (inquiry.end_customer, inquiry.status) == (None, Inquiry.Status.OPEN)


def test_the_customers_inquiries_tab_is_for_its_account_only(world, inquiry):
    inquiry.end_customer = world.r1.customer
    inquiry.save()
    url = reverse("profiles:endcustomer_inquiries", args=[world.r1.customer.pk])
    for user in (world.r1.owner, world.r1.admin, world.r1.employee):
        assert login(Client(), user).get(url).status_code == 200
    assert login(Client(), world.r2.owner).get(url).status_code == 404


def test_an_inquiry_goes_when_its_customer_is_erased(world, inquiry):
    from customers import services as customer_services

    customer = make_customer(world.r1.account, "K-ERASE")
    inquiry.end_customer = customer
    inquiry.save()
    customer_services.erase_end_customer(world.r1.actor(), customer)
    assert not Inquiry.objects.filter(pk=inquiry.pk).exists()


def test_an_inquiry_is_marked_done_and_opened_again(world, inquiry):
    client = login(Client(), world.r1.employee)
    client.post(f"/inquiries/{inquiry.pk}/status/", {"status": "done"})
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.DONE
    assert 'data-testid="badge"' not in client.get("/inquiries/").content.decode()
    client.post(f"/inquiries/{inquiry.pk}/status/", {"status": "open"})
    inquiry.refresh_from_db()
    assert inquiry.status == Inquiry.Status.OPEN
    assert client.get(f"/inquiries/{inquiry.pk}/status/").status_code == 405
