"""The activity list reads like the rest of the UI: the reader's language, never raw stored values."""

import datetime
import html
import re

import pytest
from django.test import Client

from audit.models import SENTENCES, AuditEntry
from conftest import login
from customers import services as customer_services
from customers.models import Todo

pytestmark = pytest.mark.django_db

PRODUCT = {
    "kind": "branded",
    "name": "Webhosting Premium",
    "description": "",
    "net_price": "1.234,5",
    "status": "active",
    "in_app_prices": "on",
    "in_app_info": "Alles inklusive",
}


def visible_text(client, path, language):
    client.cookies["django_language"] = language
    body = client.get(path).content.decode()
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


@pytest.fixture
def client(world):
    client = login(Client(), world.r1.owner)
    client.post("/products/add/", {**PRODUCT, "shop_product": world.r1.contract.shop_product_id})
    todo = Todo(title="Rückruf", due_date=datetime.date(2026, 12, 31))
    customer_services.save_todo(world.r1.actor(), todo, world.r1.customer)
    return client


def test_changes_show_labels_yes_no_and_german_numbers_and_dates(client):
    text = visible_text(client, "/activity/", "de")
    assert "Nettopreis: – → 1.234,50" in text
    assert "In App Preise: – → ja" in text
    assert "Typ: – → Provider-Produkt" in text
    assert "Status: – → aktiv" in text
    assert "Fällig am: – → 31.12.2026" in text
    for raw in ("1234.50", "True", "branded", "active", "2026-12-31", "net_price", "due_date"):
        assert raw not in text
    assert "– → –" not in text  # an empty field that stayed empty


def test_changes_read_in_english_for_an_english_reader(client):
    text = visible_text(client, "/activity/", "en")
    assert "Net price: – → 1,234.50" in text
    assert "In-app prices: – → yes" in text
    assert "Due date: – → 12/31/2026" in text


def test_the_export_shows_the_changes_as_the_page_does(client):
    client.cookies["django_language"] = "de"
    response = client.get("/activity/", {"export": "csv"})
    exported = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Nettopreis: – → 1.234,50" in exported
    assert "In App Preise: – → ja" in exported
    assert "1234.50" not in exported and "True" not in exported


def test_a_portal_users_login_is_named_like_the_user_field(world, client):
    customer_services.create_portal_user(
        world.r1.actor(),
        world.r1.customer,
        username="kunde7",
        first_name="Karl",
        last_name="Kunde",
        email="k7@example.test",
        password="a-long-password-7",
    )
    text = visible_text(client, f"/customers/{world.r1.customer.pk}/activity/", "de")
    assert "Benutzername: – → kunde7" in text
    assert "E-Mail-Adresse: – → k7@example.test" in text


def test_a_refusal_is_named_in_the_readers_language(world):
    employee = login(Client(), world.r1.employee)
    assert employee.post(f"/customers/{world.r1.plain_customer.pk}/delete/").status_code == 403
    owner = login(Client(), world.r1.owner)
    assert "wurde abgewiesen Kunden löschen" in visible_text(owner, "/activity/", "de")
    assert "was denied Delete customers" in visible_text(owner, "/activity/", "en")


def test_every_action_reads_as_a_sentence():
    assert set(SENTENCES) == set(AuditEntry.Action)
