"""The on-demand TLS question (Caddy's ``on_demand_tls ask``): a certificate for portal hosts only."""

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import PortalTemplate

pytestmark = pytest.mark.django_db

ASK = reverse("portal_tls_ask")


@pytest.fixture
def template(world):
    return PortalTemplate.objects.create(account=world.r1.account, portal_url="https://kündenportal.example.de")


def ask(domain, method="get"):
    return getattr(Client(), method)(ASK, {"domain": domain})


@pytest.mark.parametrize(
    "domain", ["xn--kndenportal-thb.example.de", "KÜNDENPORTAL.example.de", "kündenportal.example.de."]
)
def test_a_portal_hosts_name_in_any_spelling_is_a_yes(template, domain):
    response = ask(domain)
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("domain", ["example.de", "www.kündenportal.example.de", "evil.test", "testserver.local"])
def test_any_other_host_is_a_no_that_says_nothing_more(template, domain):
    response = ask(domain)
    assert response.status_code == 404
    assert response.content == b""


def test_the_host_of_a_deactivated_account_gets_no_certificate(template):
    template.account.is_active = False
    template.account.save()
    assert ask(template.host).status_code == 404


@pytest.mark.parametrize(
    "domain", ["", "testserver", "127.0.0.1", "kunden.example.de:443", "a b.de", "x" * 300 + ".de", "[::1]"]
)
def test_what_is_not_a_host_name_is_a_400(template, domain):
    assert ask(domain).status_code == 400


def test_no_domain_at_all_is_a_400():
    assert Client().get(ASK).status_code == 400


def test_it_needs_no_login_and_at_most_one_query(template, django_assert_num_queries):
    ask(template.host)  # the list of portal hosts is cached from here on
    with django_assert_num_queries(1):
        assert ask(template.host).status_code == 200
    with django_assert_num_queries(0):
        assert ask("evil.test").status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "delete", "head"])
def test_only_get_is_answered(template, method):
    assert ask(template.host, method).status_code == 405


def test_the_proxy_may_ask_over_plain_http_on_loopback(template, settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client(HTTP_HOST="127.0.0.1:8000")
    assert client.get(ASK, {"domain": template.host}).status_code == 200
    assert client.get("/login/").status_code == 301
