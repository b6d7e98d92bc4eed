"""Domain names as people read them (issue #17, item 9): Unicode first with the punycode as secondary text, and
"no domain yet" instead of the technical name a subscription without a domain has on the server, on the
hosting's page, in the contract's list of hostings, in the account summary mail and in the customer's data."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from customers.services import personal_data
from hosting.models import ResellerHosting
from hosting.services import create_hosting
from hosting.tests.helpers import PATIENT_CLIENT, bind_server, reseller_setup

pytestmark = pytest.mark.django_db
Status = ResellerHosting.Status

IDN = "café-zuckerhut-neu.de"
PUNYCODE = "xn--caf-zuckerhut-neu-dtb.de"
TECHNICAL = "hosting.invalid"


@pytest.fixture(autouse=True)
def patient_client(settings):
    settings.HOSTING_PLESK_CLIENT_OPTIONS = PATIENT_CLIENT


@pytest.fixture
def setup(world, sandbox):
    contract, product = reseller_setup(world.r1, bind_server(sandbox.url), number="o1441")
    return world.r1, contract, product


def provisioned(tenant, product, capture, *, domain="", send_summary=False, status=Status.ACTIVE) -> ResellerHosting:
    with capture(execute=True):
        hosting = create_hosting(
            tenant.actor(),
            end_customer=tenant.plain_customer,
            product=product,
            domain=domain,
            send_summary=send_summary,
        )
    hosting.refresh_from_db()
    assert hosting.status == status, hosting.failure_reason
    return hosting


def pages(client, hosting) -> dict[str, str]:
    """The hosting's page, the contract's list of hostings and its server's subscriptions, as the reseller reads
    them."""
    return {
        "page": client.get(reverse("hosting:resellerhosting_detail", args=[hosting.pk])).content.decode(),
        "list": client.get(reverse("hosting:contract_hostings", args=[hosting.contract_id])).content.decode(),
        "subscriptions": client.get(
            reverse("hosting:contract_subscriptions", args=[hosting.contract_id])
        ).content.decode(),
    }


class TestInternationalisedDomain:
    def test_page_and_list_show_unicode_with_the_punycode_beneath(
        self, setup, client_for, django_capture_on_commit_callbacks
    ):
        tenant, _contract, product = setup
        hosting = provisioned(tenant, product, django_capture_on_commit_callbacks, domain=IDN)
        assert (hosting.domain, hosting.subscription_name) == (PUNYCODE, PUNYCODE)
        for name, html in pages(client_for(tenant.owner), hosting).items():
            assert f'<span data-testid="domain-name">{IDN}</span>' in html, name
            assert f'data-testid="domain-punycode">{PUNYCODE}</div>' in html, name
            # The punycode is only ever the secondary line.
            assert html.count(PUNYCODE) == html.count('data-testid="domain-punycode"'), name
        page = pages(client_for(tenant.owner), hosting)["page"]
        assert f"<h1>{IDN} " in page and f"The subscription {IDN} is active." in page

    def test_the_summary_mail_names_it_in_unicode(self, setup, django_capture_on_commit_callbacks):
        tenant, _contract, product = setup
        provisioned(tenant, product, django_capture_on_commit_callbacks, domain=IDN, send_summary=True)
        (message,) = mail.outbox
        html = message.alternatives[0][0]
        assert message.subject == f"Your hosting space {IDN} is ready"
        assert f"Domain: {IDN} ({PUNYCODE})" in message.body
        assert f"Domain: {IDN} <small>({PUNYCODE})</small>" in html


class TestWithoutDomain:
    def test_page_and_list_say_no_domain_yet(self, setup, client_for, django_capture_on_commit_callbacks):
        tenant, _contract, product = setup
        hosting = provisioned(tenant, product, django_capture_on_commit_callbacks, status=Status.PREPARED)
        assert (hosting.subscription_id, hosting.subscription_name) == (None, "")
        client = client_for(tenant.owner)
        html = pages(client, hosting)
        for name in ("page", "list"):
            assert '<span class="text-body-secondary" data-testid="no-domain">no domain yet</span>' in html[name], name
        login = hosting.plesk_customer_login
        assert f"The Plesk login {login} is ready; the subscription is created when a domain is added." in html["page"]
        client.cookies["django_language"] = "de"
        for name, text in pages(client, hosting).items():
            if name != "subscriptions":
                assert 'data-testid="no-domain">noch keine Domain</span>' in text, name

    def test_a_subscription_with_the_technical_name_of_earlier_versions_says_no_domain_yet(
        self, setup, sandbox, client_for, django_capture_on_commit_callbacks
    ):
        """Before hosting spaces waited for their domain, a space without one got a subscription with a
        technical name; those stay readable."""
        tenant, contract, product = setup
        hosting = provisioned(tenant, product, django_capture_on_commit_callbacks, domain="umbenennen.example")
        technical = f"pp-hosting-{hosting.pk}.{TECHNICAL}"
        with contract.plesk_client() as plesk:
            plesk.set_webspace(id=hosting.subscription_id, new_name=technical)
        ResellerHosting.objects.filter(pk=hosting.pk).update(domain="", subscription_name=technical)
        client = client_for(tenant.owner)
        for name, html in pages(client, hosting).items():
            assert TECHNICAL not in html, name
            assert '<span class="text-body-secondary" data-testid="no-domain">no domain yet</span>' in html, name

    def test_the_summary_mail_and_the_customers_data_leave_it_out(self, setup, django_capture_on_commit_callbacks):
        tenant, _contract, product = setup
        hosting = provisioned(
            tenant, product, django_capture_on_commit_callbacks, send_summary=True, status=Status.PREPARED
        )
        (message,) = mail.outbox
        assert message.subject == "Your hosting space is ready"
        assert "Domain: none yet; it is added later" in message.body
        assert f"Plesk login name: {hosting.plesk_customer_login}" in message.body
        data = personal_data(tenant.actor(), tenant.plain_customer)
        assert {"type": "hosting.ResellerHosting", "object": f"Hosting #{hosting.pk}"} in data["assignments"]
