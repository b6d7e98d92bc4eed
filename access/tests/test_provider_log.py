"""What a customer reads about providers working in their account, in the reader's language."""

import html
import re

import pytest
from django.test import Client

from access.models import ServiceAccess
from conftest import login

pytestmark = pytest.mark.django_db

CODE = "/profile/service-access/"


def text_of(body: str, testid: str) -> str:
    start = body.index(f'data-testid="{testid}"')
    part = body[start : body.index("</table>", start)]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", part)))


@pytest.fixture
def switched(world, django_capture_on_commit_callbacks):
    """R1's employee shares, R2's owner redeems and switches in: (customer client, provider client)."""
    customer = login(Client(), world.r1.employee)
    provider = login(Client(), world.r2.owner)
    code = re.search(r'data-testid="activation-code">([0-9A-Z-]+)<', customer.get(CODE).content.decode()).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        provider.post("/service-accesses/activate/", {"code": code})
    access = ServiceAccess.objects.get()
    provider.post(f"/service-accesses/{access.pk}/login/")
    return customer, provider


def test_a_refused_action_reads_as_words_in_the_customers_language(world, switched):
    customer, provider = switched
    assert provider.post(f"/customers/{world.r1.plain_customer.pk}/delete/").status_code == 403
    customer.cookies["django_language"] = "de"
    log = text_of(customer.get(CODE).content.decode(), "access-record")
    assert "wurde abgewiesen Kunden löschen" in log
    assert ": delete" not in log
    customer.cookies["django_language"] = "en"
    log = text_of(customer.get(CODE).content.decode(), "access-record")
    assert "was denied Delete customers" in log


def dashboard_activity(client, language):
    client.cookies["django_language"] = language
    body = client.get("/").content.decode()
    start = body.index("list-group-flush")
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body[start : body.index("</ul>", start)])))


def test_switching_in_reads_as_a_sentence_on_both_sides(world, switched):
    _customer, provider = switched
    provider.post("/service-accesses/leave/")
    owner = login(Client(), world.r1.owner)
    here = dashboard_activity(owner, "de")
    assert (
        "r2-owner (Zweite Agentur (20002)) hat über einen Servicezugang begonnen, in diesem Konto zu arbeiten" in here
    )
    assert "r2-owner (Zweite Agentur (20002)) hat die Arbeit in diesem Konto über den Servicezugang beendet" in here
    assert "r2-owner hat einen Servicezugang zwischen diesem Konto und Zweite Agentur (20002) aktiviert" in here
    there = dashboard_activity(provider, "de")
    assert f"r2-owner hat über einen Servicezugang begonnen, in {world.r1.account} zu arbeiten" in there
    assert "Service-Zugriff" not in here + there
    here = dashboard_activity(owner, "en")
    assert "r2-owner (Zweite Agentur (20002)) started working in this account through a service access" in here
    there = dashboard_activity(provider, "en")
    assert f"r2-owner started working in {world.r1.account} through a service access" in there


def test_the_customer_side_names_it_servicezugang(world, switched):
    customer, _provider = switched
    customer.cookies["django_language"] = "de"
    page = html.unescape(customer.get(CODE).content.decode())
    assert "Servicezugang" in page
    assert "Service-Zugriff" not in page and "Servicezugriff" not in page
