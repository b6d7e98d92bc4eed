"""The demo's white-label portal: Webagentur Beispiel on kunden.webagentur.localhost with endkunde."""

import pytest
from django.core.management import call_command
from django.test import Client

from hosting.models import ResellerHosting
from portal.models import PortalTemplate

pytestmark = pytest.mark.django_db
HOST = "kunden.webagentur.localhost:8000"


def test_the_demo_portal_serves_endkunde(monkeypatch):
    monkeypatch.setenv("PORT", "8000")
    call_command("load_demo", quiet=True)
    template = PortalTemplate.objects.get(host="kunden.webagentur.localhost")
    assert template.portal_url == f"http://{HOST}"
    assert template.account.name == "Webagentur Beispiel"
    hosting = ResellerHosting.objects.get(end_customer__number="K-1001", account=template.account)
    assert hosting.product.name == "Webhosting Start"
    client = Client(HTTP_HOST=HOST)
    assert client.post("/login/", {"username": "endkunde", "password": "demo"}).status_code == 302
    page = client.get("/products/").content.decode()
    assert "Business-Mail 50" in page
    assert "Webhosting Start" in page
    # The reseller's own login is no login here, the end customer's none on the main portal.
    assert Client(HTTP_HOST=HOST).post("/login/", {"username": "reseller", "password": "demo"}).status_code == 200
    assert Client().post("/login/", {"username": "endkunde", "password": "demo"}).status_code == 200


def test_loading_twice_changes_nothing_and_follows_the_port(monkeypatch):
    call_command("load_demo", quiet=True)
    counts = (PortalTemplate.objects.count(), ResellerHosting.objects.count())
    monkeypatch.setenv("PORT", "8123")
    call_command("load_demo", quiet=True)
    assert (PortalTemplate.objects.count(), ResellerHosting.objects.count()) == counts
    assert PortalTemplate.objects.get().portal_url == "http://kunden.webagentur.localhost:8123"
