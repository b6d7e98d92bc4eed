"""The operator area names every app and model in the reader's language, the libraries' ones too."""

import html
import re

import pytest

from contracts.tests.test_admin import staff_client

pytestmark = pytest.mark.django_db


def index_text(client, language):
    client.cookies["django_language"] = language
    body = client.get("/operator/").content.decode()
    main = body[body.index('id="content-main"') : body.index('id="content-related"')]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def test_the_libraries_apps_and_models_have_german_names(world):
    text = index_text(staff_client(world), "de")
    for name in ("Zwei-Faktor-Anmeldung", "Authenticator-Apps (TOTP)", "Hintergrundjobs", "Job-Ergebnisse"):
        assert name in text
    for name in ("Anmeldeschutz", "Fehlgeschlagene Zugriffe"):
        assert name in text
    for raw in ("Otp_Totp", "TOTP devices", "Tasks Database Backend", "Task Results", "Axes"):
        assert raw not in text


def test_and_english_ones_for_an_english_reader(world):
    text = index_text(staff_client(world), "en")
    for name in ("Two-factor login", "Authenticator apps (TOTP)", "Background jobs", "Job results", "Login protection"):
        assert name in text
    for raw in ("Otp_Totp", "Tasks Database Backend", "Task Results"):
        assert raw not in text


def test_an_apps_own_page_uses_the_same_names(world):
    client = staff_client(world)
    client.cookies["django_language"] = "de"
    body = html.unescape(client.get("/operator/django_tasks_database/").content.decode())
    assert "Hintergrundjobs" in body and "Job-Ergebnisse" in body
    assert "Task Results" not in body
