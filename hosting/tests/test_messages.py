"""The timeline, failure reasons and server-check notes speak the reader's language in human words (issue #17,
item 8): they are stored as codes with parameters, never as the text of whoever wrote them, and never name
Plesk operations."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from hosting import sync
from hosting.models import ResellerHosting
from hosting.services import cancel_hosting, create_hosting
from hosting.tests.helpers import PATIENT_CLIENT, RESELLER_PW, bind_server, reseller_setup
from plesk import PleskClient

pytestmark = pytest.mark.django_db
Status = ResellerHosting.Status

PLESK_OPERATIONS = re.compile(r"\b(customer|webspace|service-plan) (get|add|del|set)\b")


@pytest.fixture(autouse=True)
def patient_client(settings):
    settings.HOSTING_PLESK_CLIENT_OPTIONS = PATIENT_CLIENT
    settings.HOSTING_MAX_ATTEMPTS = 3


@pytest.fixture
def hostings(world, sandbox, django_capture_on_commit_callbacks):
    """An active hosting whose subscription was renamed in Plesk, and a cancelled one that had failed."""
    tenant = world.r1
    contract, product = reseller_setup(tenant, bind_server(sandbox.url), number="o1441")
    with django_capture_on_commit_callbacks(execute=True):
        active = create_hosting(tenant.actor(), end_customer=tenant.customer, product=product, domain="neu.example")
        failed = create_hosting(
            tenant.actor(), end_customer=tenant.plain_customer, product=product, domain="kunde-alt.example"
        )
    with django_capture_on_commit_callbacks(execute=True):
        cancel_hosting(tenant.actor(), failed)
    active.refresh_from_db()
    with PleskClient(sandbox.url, login="reseller-demo", password=RESELLER_PW, allow_insecure_http=True) as plesk:
        plesk.set_webspace(id=active.subscription_id, new_name="umbenannt.example")
    sync.check_contract(contract.pk)
    active.refresh_from_db()
    failed.refresh_from_db()
    assert (active.status, failed.status) == (Status.ACTIVE, Status.CANCELLED)
    return tenant, active, failed


def timeline(client, hosting, language: str) -> str:
    client.cookies["django_language"] = language
    page = client.get(reverse("hosting:resellerhosting_detail", args=[hosting.pk])).content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


ENGLISH = {
    "active": [
        "Queued.",
        "Attempt 1 started.",
        "Looked for the Plesk customer and the subscription on the server.",
        "Plesk customer created.",
        "Subscription created.",
        "The subscription neu.example is active.",
        "Renamed on the server to umbenannt.example.",
    ],
    "failed": [
        "Creating the subscription: it exists already.",
        "Step 2 of 2: the domain kunde-alt.example already exists on the server.",
        "Cancellation queued: what the portal created for it on the server is removed.",
        "Cancellation, attempt 1 started.",
        "Plesk customer removed.",
        "The hosting is cancelled.",
    ],
}
GERMAN = {
    "active": [
        "In die Warteschlange gestellt.",
        "Versuch 1 gestartet.",
        "Plesk-Kunde und Abonnement auf dem Server gesucht.",
        "Plesk-Kunde angelegt.",
        "Abonnement angelegt.",
        "Das Abonnement neu.example ist aktiv.",
        "Auf dem Server umbenannt in umbenannt.example.",
    ],
    "failed": [
        "Anlegen des Abonnements: Es existiert bereits.",
        "Schritt 2 von 2: Die Domain kunde-alt.example ist auf dem Server bereits vorhanden.",
        "Stornierung in die Warteschlange gestellt: Was das Portal dafür auf dem Server angelegt hat, wird entfernt.",
        "Stornierung, Versuch 1 gestartet.",
        "Plesk-Kunde entfernt.",
        "Das Hosting ist storniert.",
    ],
}


def test_the_timeline_and_the_notes_speak_english_to_english_readers_and_german_to_german_ones(hostings, client_for):
    tenant, active, failed = hostings
    client = client_for(tenant.owner)
    for language, expected in (("en", ENGLISH), ("de", GERMAN)):
        for hosting, texts in ((active, expected["active"]), (failed, expected["failed"])):
            page = timeline(client, hosting, language)
            for text in texts:
                assert text in page, (language, text)
            assert not PLESK_OPERATIONS.search(page), (language, PLESK_OPERATIONS.search(page))
    english, german = timeline(client, active, "en"), timeline(client, active, "de")
    assert "On the server Renamed on the server to umbenannt.example." in english
    assert "Auf dem Server Auf dem Server umbenannt in umbenannt.example." in german
    assert "Plesk customer" not in german and "Abonnement" not in english


def test_the_api_words_the_timeline_in_the_callers_language(hostings, client_for):
    tenant, active, _failed = hostings
    client = client_for(tenant.owner)
    url = reverse("api:get_hosting", kwargs={"hosting_id": active.pk})
    english = client.get(url).json()
    client.cookies["django_language"] = "de"
    german = client.get(url).json()
    assert english["timeline"][3] == {**english["timeline"][3], "code": "call", "message": "Plesk customer created."}
    assert german["timeline"][3]["message"] == "Plesk-Kunde angelegt."
    assert (english["drift"], german["drift"]) == (
        "Renamed on the server to umbenannt.example.",
        "Auf dem Server umbenannt in umbenannt.example.",
    )
