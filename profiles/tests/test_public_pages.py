"""The public directory and profile page: anyone finds a partner and sends an inquiry; the partner gets a mail.
Spam is kept out by a honeypot and per-IP and per-partner limits, never by a third-party CAPTCHA (IV-08)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from audit.models import AuditEntry
from conftest import login
from profiles import services
from profiles.models import Inquiry
from profiles.tests.helpers import INQUIRY_POST, make_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def profiles(world):
    return (
        make_profile(world.r1, "r1-agentur", display_name="ZZ-R1-MARKER Webdesign Berlin"),
        make_profile(
            world.r2,
            "zweite-agentur",
            display_name="Zweite Agentur",
            services="seo",
            postal_code="04109",
            city="Leipzig",
        ),
    )


def cards(body: str) -> int:
    return body.count('data-testid="partner-card"')


def test_the_directory_lists_public_profiles_to_anyone(world, profiles):
    body = Client().get("/partner/").content.decode()
    assert cards(body) == 2
    assert "ZZ-R1-MARKER Webdesign Berlin" in body and "Zweite Agentur" in body
    assert "Log in" not in body or "sidebar" not in body
    assert "r1-agentur@partner.test" not in body  # the contact address is not published


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("?q=webdesign", ["ZZ-R1-MARKER Webdesign Berlin"]),
        ("?service=seo", ["Zweite Agentur"]),
        ("?service=hosting", ["ZZ-R1-MARKER Webdesign Berlin"]),
        ("?city=leipzig", ["Zweite Agentur"]),
        ("?city=101", ["ZZ-R1-MARKER Webdesign Berlin"]),
        ("?service=email", []),
    ],
)
def test_the_directory_searches_by_name_service_and_city(world, profiles, query, found):
    body = Client().get(f"/partner/{query}").content.decode()
    assert cards(body) == len(found)
    for name in found:
        assert name in body


def test_unpublished_profiles_and_profiles_of_former_partners_are_not_listed(world, profiles):
    r1, r2 = profiles
    r1.is_public = False
    r1.save()
    Account.objects.filter(pk=world.r2.account.pk).update(is_partner=False)
    body = Client().get("/partner/").content.decode()
    assert cards(body) == 0
    for profile in profiles:
        assert Client().get(profile.get_absolute_url()).status_code == 404
    assert Client().get("/partner/no-such-partner/").status_code == 404


def test_the_directory_pages_and_costs_the_same_queries_for_more_profiles(world):
    from conftest import make_tenant

    make_profile(world.r1, "r1")
    client = Client()
    client.get("/partner/")
    with CaptureQueriesContext(connection) as few:
        client.get("/partner/")
    for index in range(14):
        tenant = make_tenant(f"3{index:04d}", f"Agentur {index}", f"bulk{index}")
        make_profile(tenant, f"agentur-{index}")
    with CaptureQueriesContext(connection) as many:
        body = client.get("/partner/").content.decode()
    assert cards(body) == 12 and "Page 1 of 2" in body
    assert len(many) == len(few)
    assert cards(client.get("/partner/?page=2").content.decode()) == 3


def test_the_public_profile_shows_the_profile_and_the_form_to_anyone(world, profiles):
    body = Client().get("/partner/r1-agentur/").content.decode()
    assert "ZZ-R1-MARKER Webdesign Berlin" in body and "Web design" in body and "Hosting" in body
    assert 'data-testid="inquiry-form"' in body and 'name="homepage"' in body
    assert "r1-agentur@partner.test" not in body
    logged_in = login(Client(), world.c1.owner).get("/partner/r1-agentur/")
    assert logged_in.status_code == 200 and "sidebar" in logged_in.content.decode()


def test_an_inquiry_is_stored_thanked_for_and_mailed_to_the_contact_address(
    world, profiles, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/partner/r1-agentur/", INQUIRY_POST)
    assert response.status_code == 302 and response["Location"] == "/partner/r1-agentur/sent/"
    thanks = Client().get(response["Location"]).content.decode()
    assert "Thank you for your inquiry" in thanks
    inquiry = Inquiry.objects.get()
    assert (inquiry.account, inquiry.name, inquiry.status, inquiry.end_customer) == (
        world.r1.account,
        "Paula Prospekt",
        Inquiry.Status.OPEN,
        None,
    )
    assert inquiry.message == "Wir brauchen einen Online-Shop.\nWann können wir sprechen?"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATE, object_id=str(inquiry.pk))
    assert entry.account == world.r1.account and entry.user is None
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["r1-agentur@partner.test"]
    text = mail.content.decode()
    assert "Paula Prospekt" in text and f"/inquiries/{inquiry.pk}/" in text


def test_without_a_contact_address_the_owners_get_the_mail(
    world, profiles, smtp_server, django_capture_on_commit_callbacks
):
    r1, _r2 = profiles
    r1.contact_email = ""
    r1.save()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post("/partner/r1-agentur/", INQUIRY_POST)
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == [world.r1.owner.email]


def test_a_filled_honeypot_is_dropped_without_a_word(world, profiles, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = Client().post("/partner/r1-agentur/", {**INQUIRY_POST, "homepage": "https://spam.test"})
    assert callbacks == []
    assert response.status_code == 302 and response["Location"] == "/partner/r1-agentur/sent/"
    assert not Inquiry.objects.exists()
    assert smtp_server.messages == []
    assert not AuditEntry.objects.filter(object_repr__contains="Paula").exists()


def test_the_form_is_throttled_per_ip_with_a_friendly_message(world, profiles):
    client = Client(REMOTE_ADDR="203.0.113.7")
    for index in range(services.INQUIRIES_PER_IP):
        assert client.post("/partner/r1-agentur/", {**INQUIRY_POST, "name": f"Person {index}"}).status_code == 302
    response = client.post("/partner/zweite-agentur/", INQUIRY_POST)
    assert response.status_code == 429
    assert "several inquiries within a short time" in response.content.decode()
    assert Inquiry.objects.count() == services.INQUIRIES_PER_IP
    # Another address is not affected.
    assert Client(REMOTE_ADDR="203.0.113.8").post("/partner/zweite-agentur/", INQUIRY_POST).status_code == 302


def test_the_form_is_throttled_per_partner(world, profiles, monkeypatch):
    monkeypatch.setattr(services, "INQUIRIES_PER_PARTNER", 3)
    for index in range(3):
        client = Client(REMOTE_ADDR=f"198.51.100.{index}")
        assert client.post("/partner/r1-agentur/", INQUIRY_POST).status_code == 302
    assert Client(REMOTE_ADDR="198.51.100.99").post("/partner/r1-agentur/", INQUIRY_POST).status_code == 429
    assert Client(REMOTE_ADDR="198.51.100.99").post("/partner/zweite-agentur/", INQUIRY_POST).status_code == 302


def test_csrf_is_enforced_and_an_anonymous_token_works(world, profiles):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/partner/r1-agentur/", INQUIRY_POST).status_code == 403
    client.get("/partner/r1-agentur/")
    token = client.cookies["csrftoken"].value
    response = client.post("/partner/r1-agentur/", {**INQUIRY_POST, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Inquiry.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("email", "keine-adresse", "Enter a valid email address."),
        ("name", "", "This field is required."),
        ("message", "x" * 5001, "at most 5000 characters"),
        ("name", "Paula\r\nBcc: x@evil.test", "Control characters"),
    ],
)
def test_what_the_form_refuses(world, profiles, field, value, message):
    response = Client().post("/partner/r1-agentur/", {**INQUIRY_POST, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Inquiry.objects.exists()


def test_a_json_body_is_not_an_inquiry(world, profiles):
    response = Client().post("/partner/r1-agentur/", INQUIRY_POST, content_type="application/json")
    assert response.status_code == 200
    assert not Inquiry.objects.exists()


def test_markup_in_an_inquiry_is_shown_as_text(world, profiles):
    Client().post("/partner/r1-agentur/", {**INQUIRY_POST, "message": "<img src=x onerror=alert(1)> {{ 7*7 }}"})
    inquiry = Inquiry.objects.get()
    body = login(Client(), world.r1.owner).get(inquiry.get_absolute_url()).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt; {{ 7*7 }}" in body
    assert "<img src=x" not in body


def test_registered_actions_show_on_the_public_profile(world, profiles):
    from core.tabs import Action
    from profiles.views import PROFILE_ACTIONS

    action = Action("profiles:logo", "Zugriff freigeben", "key", lambda actor, profile: actor.is_authenticated)
    PROFILE_ACTIONS.register(action)
    try:
        assert 'data-testid="profile-actions"' not in Client().get("/partner/r1-agentur/").content.decode()
        body = login(Client(), world.c1.owner).get("/partner/r1-agentur/").content.decode()
        assert 'data-testid="profile-actions"' in body and "Zugriff freigeben" in body
    finally:
        PROFILE_ACTIONS.actions.remove(action)
