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
