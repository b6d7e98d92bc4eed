"""The data migrations of hosting map what the rows already hold (run on today's models; they only read and
write fields these migrations know)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from hosting.models import ProvisioningEvent, ResellerHosting
from hosting.tests.helpers import reseller_setup

pytestmark = pytest.mark.django_db


def migration(name: str):
    return importlib.import_module(f"hosting.migrations.{name}")


def hosting_with(tenant, product, *messages: str) -> ResellerHosting:
    hosting = ResellerHosting.objects.create(
        account=tenant.account,
        end_customer=tenant.plain_customer,
        product=product,
        contract=product.contract,
        status=ResellerHosting.Status.FAILED,
    )
    for message in messages:
        ProvisioningEvent.objects.create(hosting=hosting, kind="call", message=message)
    return hosting


def test_hostings_whose_job_created_the_plesk_customer_are_marked(world):
    from hosting.models import HostingServer

    server = HostingServer.objects.create(name="M", host="127.0.0.1", login="admin", password="x", is_sandbox=True)
    _contract, product = reseller_setup(world.r1, server, number="o-m1")
    english = hosting_with(world.r1, product, "customer get, webspace get: done.", "customer add: done.")
    german = hosting_with(world.r1, product, "customer get, webspace get: erledigt.", "customer add: erledigt.")
    found = hosting_with(world.r1, product, "customer get, webspace get: done.", "webspace add: already exists.")
    adopted = hosting_with(
        world.r1, product, "customer add: outcome unknown.", "Adopted the existing Plesk customer x."
    )
    migration("0004_cancel").record_created_customers(apps, None)
    marked = dict(ResellerHosting.objects.values_list("pk", "created_plesk_customer"))
    assert marked == {english.pk: True, german.pk: True, found.pk: False, adopted.pk: False}


LEGACY = [
    # (kind, text as written, what it says now in English, in German)
    ("queued", "In die Warteschlange gestellt.", "Queued.", "In die Warteschlange gestellt."),
    ("started", "Attempt 2 started.", "Attempt 2 started.", "Versuch 2 gestartet."),
    (
        "call",
        "customer get, webspace get: erledigt.",
        "Looked for the Plesk customer and the subscription on the server.",
        "Plesk-Kunde und Abonnement auf dem Server gesucht.",
    ),
    ("call", "customer add: done.", "Plesk customer created.", "Plesk-Kunde angelegt."),
    (
        "call",
        "webspace add: Plesk-Fehler 1023: Operation failed",
        "Creating the subscription: Plesk refused it (error 1023): Operation failed",
        "Anlegen des Abonnements: Plesk hat abgelehnt (Fehler 1023): Operation failed",
    ),
    (
        "retry_scheduled",
        "Der Plesk-Server ist nicht erreichbar. Nächster Versuch: 10:15:00.",
        "The Plesk server could not be reached. Next attempt at 10:15:00.",
        "Der Plesk-Server ist nicht erreichbar. Nächster Versuch: 10:15:00.",
    ),
    (
        "succeeded",
        "The subscription (no domain yet) is active.",
        "The subscription (no domain yet) is active.",
        "Das Abonnement (noch keine Domain) ist aktiv.",
    ),
    (
        "server_check",
        "Auf dem Server wieder aktiv. Auf dem Server umbenannt in neu.example.",
        "Active on the server again. Renamed on the server to neu.example.",
        "Auf dem Server wieder aktiv. Auf dem Server umbenannt in neu.example.",
    ),
    ("call", "Something nobody wrote.", "Something nobody wrote.", "Something nobody wrote."),
]


@pytest.mark.django_db(transaction=True)
def test_texts_written_before_become_codes_that_read_in_either_language(world):
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import translation

    from hosting.models import HostingServer

    server = HostingServer.objects.create(name="M", host="127.0.0.1", login="admin", password="x", is_sandbox=True)
    _contract, product = reseller_setup(world.r1, server, number="o-m2")
    call_command("migrate", "hosting", "0004_cancel", verbosity=0)
    try:
        old = MigrationExecutor(connection).loader.project_state(("hosting", "0004_cancel")).apps
        hosting = old.get_model("hosting", "ResellerHosting").objects.create(
            account_id=world.r1.account.pk,
            end_customer_id=world.r1.plain_customer.pk,
            product_id=product.pk,
            contract_id=product.contract_id,
            status="failed",
            failure_reason="Schritt 2 von 2: Die Domain kunde-alt.example ist auf dem Server bereits vorhanden. "
            "Nach 3 Versuchen aufgegeben.",
            drift="Suspended on the server. Uses the service plan Webhosting M on the server instead of Webhosting S.",
        )
        events = old.get_model("hosting", "ProvisioningEvent")
        for kind, text, _english, _german in LEGACY:
            events.objects.create(hosting_id=hosting.pk, kind=kind, message=text)
    finally:
        call_command("migrate", "hosting", verbosity=0)
    migrated = ResellerHosting.objects.get(pk=hosting.pk)
    texts = list(migrated.events.order_by("pk"))
    assert texts[-1].code == ""  # not mapped: its text stays
    for language, column in (("en", 2), ("de", 3)):
        with translation.override(language):
            assert [event.text for event in texts] == [row[column] for row in LEGACY]
    with translation.override("en"):
        assert migrated.failure_reason == (
            "Step 2 of 2: the domain kunde-alt.example already exists on the server. Gave up after 3 attempts."
        )
        assert migrated.drift == (
            "Suspended on the server. Uses the service plan Webhosting M on the server instead of Webhosting S."
        )
    with translation.override("de"):
        assert migrated.drift.startswith("Auf dem Server gesperrt. Nutzt auf dem Server den Serviceplan Webhosting M")
    assert migrated.failure["code"] == "gave_up" and migrated.failure["params"]["n"] == 3
