"""Hosting-Bereich (issue #21): "+ Hosting-Bereich erstellen" on the customer's page, with or without a domain,
on the sandbox Plesk over real HTTP. Without a domain the customer's Plesk login is prepared and the subscription
is created when the domain is added ("Domain hinzufügen"); the space summary goes out once, never with a
password."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEntry
from customers.models import EndCustomer, PortalUser
from hosting.models import ResellerHosting
from hosting.services import add_hosting_domain, create_hosting
from hosting.tests.helpers import PATIENT_CLIENT, RESELLER_PW, bind_server, reseller_setup
from plesk import PleskClient
from plesk.sandbox import FaultKind

pytestmark = pytest.mark.django_db
Status = ResellerHosting.Status


@pytest.fixture(autouse=True)
def patient_client(settings):
    settings.HOSTING_PLESK_CLIENT_OPTIONS = PATIENT_CLIENT


@pytest.fixture
def setup(world, sandbox):
    contract, product = reseller_setup(world.r1, bind_server(sandbox.url), number="o2111")
    return world.r1, contract, product


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run what a call queues (the job) before returning, as a worker would right after the commit."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = function(*args, **kwargs)
        if isinstance(result, ResellerHosting):
            result.refresh_from_db()
        return result

    return run


def on_server(sandbox, hosting) -> tuple[object, list]:
    """The hosting's Plesk customer (or ``None``) and the names of its subscriptions on the server."""
    with PleskClient(sandbox.url, login="reseller-demo", password=RESELLER_PW, allow_insecure_http=True) as client:
        found = client.get_customers(external_ids=[hosting.customer_external_id])
        if not found:
            return None, []
        return found[0], sorted(w.name for w in client.get_webspaces(owner_ids=[found[0].id]))


def space_page(client, customer) -> str:
    return client.get(reverse("hosting:hosting_space_add", args=[customer.pk])).content.decode()


class TestWithoutDomain:
    def test_the_login_is_prepared_and_the_domain_added_later_creates_the_subscription(self, setup, sandbox, run):
        tenant, _contract, product = setup
        customer = tenant.plain_customer
        hosting = run(create_hosting, tenant.actor(), end_customer=customer, product=product)
        assert hosting.status == Status.PREPARED and hosting.awaits_domain
        plesk_customer, names = on_server(sandbox, hosting)
        assert plesk_customer is not None and plesk_customer.login == hosting.plesk_customer_login
        assert names == [] and hosting.subscription_id is None
        # A prepared space is the customer's product: it ties the customer.
        assert EndCustomer.objects.with_counts().get(pk=customer.pk).product_count == 1

        hosting = run(add_hosting_domain, tenant.actor(), hosting, domain="später.example")
        assert hosting.status == Status.ACTIVE, hosting.failure_reason
        assert hosting.subscription_name == "xn--spter-hra.example"
        plesk_customer_after, names = on_server(sandbox, hosting)
        assert plesk_customer_after.id == plesk_customer.id and names == ["xn--spter-hra.example"]
        assert sandbox.create_count("customer", external_id=hosting.customer_external_id) == 1
        entry = AuditEntry.objects.filter(object_id=str(hosting.pk), action=AuditEntry.Action.UPDATE).latest("pk")
        assert entry.changes == {"domain": ["", "xn--spter-hra.example"], "status": ["prepared", "provisioning"]}
        texts = [event.text for event in hosting.events.all()]
        assert (
            f"The Plesk login {hosting.plesk_customer_login} is ready; the subscription is created when a domain "
            "is added." in texts
        )
        assert "Domain später.example added: its subscription is being created." in texts

    def test_a_domain_is_added_only_to_a_space_waiting_for_one_and_must_be_valid(self, setup, run):
        tenant, _contract, product = setup
        prepared = run(create_hosting, tenant.actor(), end_customer=tenant.plain_customer, product=product)
        with pytest.raises(ValidationError) as error:
            add_hosting_domain(tenant.actor(), prepared, domain="")
        assert error.value.message_dict == {"domain": ["Enter the domain of the hosting space."]}
        with pytest.raises(ValidationError) as error:
            add_hosting_domain(tenant.actor(), prepared, domain="nodot")
        assert list(error.value.message_dict) == ["domain"]
        active = run(
            create_hosting, tenant.actor(), end_customer=tenant.customer, product=product, domain="schon.example"
        )
        with pytest.raises(ValidationError, match="Only a hosting space without a domain can be given one."):
            add_hosting_domain(tenant.actor(), active, domain="zweite.example")
        prepared.refresh_from_db()
        assert prepared.status == Status.PREPARED and prepared.domain == ""

    def test_deleting_a_prepared_space_removes_the_login_the_portal_prepared(self, setup, sandbox, run, client_for):
        tenant, _contract, product = setup
        hosting = run(create_hosting, tenant.actor(), end_customer=tenant.plain_customer, product=product)
        client = client_for(tenant.owner)
        page = client.get(hosting.get_absolute_url()).content.decode()
        assert 'data-testid="hosting-add-domain"' in page and 'data-testid="hosting-cancel"' in page
        run(client.post, reverse("hosting:resellerhosting_cancel", args=[hosting.pk]))
        hosting.refresh_from_db()
        assert hosting.status == Status.CANCELLED
        assert on_server(sandbox, hosting) == (None, [])
        customer = EndCustomer.objects.with_counts().get(pk=tenant.plain_customer.pk)
        assert customer.product_count == 0


class TestSummary:
    def test_sent_once_when_the_space_is_prepared_with_a_link_to_set_the_portal_password_and_no_password(
        self, setup, run
    ):
        tenant, _contract, product = setup
        customer = tenant.customer  # has a portal login; give it the customer's address
        portal_user = PortalUser.objects.select_related("user").get(end_customer=customer)
        portal_user.user.email = customer.email
        portal_user.user.save()
        hosting = run(create_hosting, tenant.actor(), end_customer=customer, product=product, send_summary=True)
        (message,) = mail.outbox
        assert message.to == [customer.email]
        assert message.subject == "Your hosting space is ready"
        body = message.body
        assert "Domain: none yet; it is added later" in body
        assert "Hosting plan: Hosting Webhosting S" in body
        assert f"Plesk login name: {hosting.plesk_customer_login}" in body
        assert f"Username: {portal_user.user.username}" in body
        assert re.search(r"Set your password here \(the link works once\): http\S+/password/reset/\S+/\S+/", body)
        assert "password:" not in body.lower().replace("set your password here (the link works once):", "")
        hosting.refresh_from_db()
        assert hosting.summary_sent_at is not None
        # The domain added later sends nothing more.
        hosting = run(add_hosting_domain, tenant.actor(), hosting, domain="einmal.example")
        assert hosting.status == Status.ACTIVE and len(mail.outbox) == 1

    def test_without_a_portal_login_it_points_at_plesk_and_its_forgot_password_and_names_the_portal_plans_limits(
        self, setup, sandbox, run, client_for
    ):
        tenant, contract, product = setup
        client = client_for(tenant.owner)
        response = client.post(
            reverse("hosting:hostingplan_add"),
            {
                "contract": contract.pk,
                "name": "Bereich M",
                "disk_space_gb": "5",
                "traffic_gb": "",
                "domains": "3",
                "subdomains": "",
                "domain_aliases": "",
                "mailboxes": "10",
                "mailbox_size_mb": "",
                "databases": "2",
                "ftp_users": "",
            },
        )
        assert response.status_code == 302, response.content.decode()
        product.plan_name, product.plan_guid = "Bereich M", ""
        product.save()
        run(
            create_hosting,
            tenant.actor(),
            end_customer=tenant.plain_customer,
            product=product,
            domain="bereich.example",
            send_summary=True,
        )
        (message,) = mail.outbox
        assert message.subject == "Your hosting space bereich.example is ready"
        body = message.body
        assert "  Disk space: 5 GB\n" in body and "  Traffic: unlimited\n" in body and "  Mailboxes: 10\n" in body
        assert f"Log in to Plesk: {contract.hosting_server.origin}" in body
        assert "Forgot your password?" in body and "/password/reset/" not in body

    def test_it_arrives_at_a_real_smtp_server_without_a_password(self, setup, run, smtp_server):
        import email
        from email import policy

        tenant, contract, product = setup
        hosting = run(
            create_hosting,
            tenant.actor(),
            end_customer=tenant.plain_customer,
            product=product,
            domain="smtp-bereich.example",
            send_summary=True,
        )
        (envelope,) = smtp_server.messages
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        assert message["Subject"] == "Your hosting space smtp-bereich.example is ready"
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert f"Plesk login name: {hosting.plesk_customer_login}" in text
        for part in (text, html):
            assert "contains no password" in part
            assert "Passwort:" not in part and "Password:" not in part and "/password/reset/" not in part

    def test_not_sent_unless_asked(self, setup, run):
        tenant, _contract, product = setup
        hosting = run(create_hosting, tenant.actor(), end_customer=tenant.plain_customer, product=product)
        assert hosting.status == Status.PREPARED and mail.outbox == [] and hosting.summary_sent_at is None


class TestPage:
    def test_the_customer_page_offers_the_space_to_members_who_may_add_hostings(self, setup, world, client_for):
        tenant, _contract, _product = setup
        customer = tenant.plain_customer
        url = reverse("hosting:hosting_space_add", args=[customer.pk])
        for user in (tenant.owner, tenant.admin, tenant.employee):
            page = client_for(user).get(customer.get_absolute_url()).content.decode()
            assert f'href="{url}"' in page and "Create hosting space" in page, user
        # Another account's members learn nothing: 404 on the page, no button on their own customers' pages.
        other = client_for(world.r2.owner)
        assert other.get(url).status_code == 404
        assert other.post(url, {"product": _product.pk}).status_code == 404
        assert not ResellerHosting.objects.exists()

    def test_the_form_creates_the_space_with_a_plan_from_the_dropdown_in_german(self, setup, sandbox, run, client_for):
        tenant, contract, product = setup
        client = client_for(tenant.owner)
        client.cookies["django_language"] = "de"
        customer = tenant.plain_customer
        page = space_page(client, customer)
        assert "Hosting-Bereich erstellen" in page and "Bereichszusammenfassung versenden" in page
        assert f">Webhosting S · Hosting Webhosting S · {contract.number}</option>" in page
        assert 'name="send_summary"' in page and 'name="send_summary" checked' not in page
        url = reverse("hosting:hosting_space_add", args=[customer.pk])
        response = run(client.post, url, {"product": product.pk, "domain": "nodot"})
        assert response.status_code == 200 and not ResellerHosting.objects.exists()
        assert 'id="id_domain" aria-invalid="true"' in response.content.decode() or "is-invalid" in (
            response.content.decode()
        )
        response = run(client.post, url, {"product": product.pk, "domain": ""})
        hosting = ResellerHosting.objects.get()
        assert response.status_code == 302 and response["Location"] == hosting.get_absolute_url()
        page = client.get(hosting.get_absolute_url()).content.decode()
        assert "vorbereitet, noch ohne Domain" in page and "Domain hinzufügen" in page
        form = client.get(reverse("hosting:resellerhosting_add_domain", args=[hosting.pk])).content.decode()
        assert "Domain hinzufügen" in form
        response = run(
            client.post, reverse("hosting:resellerhosting_add_domain", args=[hosting.pk]), {"domain": "neu.example"}
        )
        assert response.status_code == 302
        hosting.refresh_from_db()
        assert hosting.status == Status.ACTIVE and hosting.subscription_name == "neu.example"

    def test_without_a_product_the_page_says_what_to_create_first(self, world, client_for):
        page = space_page(client_for(world.r1.owner), world.r1.plain_customer)
        assert 'data-testid="no-plans"' in page

    def test_the_api_adds_the_domain(self, setup, sandbox, run, client_for):
        tenant, _contract, product = setup
        hosting = run(create_hosting, tenant.actor(), end_customer=tenant.plain_customer, product=product)
        client = client_for(tenant.owner)
        url = f"/api/v1/hostings/{hosting.pk}/add-domain/"
        response = client.post(url, {"domain": "nodot"}, content_type="application/json")
        assert response.status_code == 422 and "domain" in response.content.decode()
        response = run(client.post, url, {"domain": "api-bereich.example"}, content_type="application/json")
        assert response.status_code == 202 and response.json()["status"] == "provisioning"
        hosting.refresh_from_db()
        assert hosting.status == Status.ACTIVE and hosting.subscription_name == "api-bereich.example"
        assert client_for(tenant.owner).get(f"/api/v1/hostings/{hosting.pk}/").json()["summary_sent_at"] is None


def with_technical_name(sandbox, contract, hosting) -> ResellerHosting:
    """What an earlier version made of a hosting space without a domain: a subscription with a technical name."""
    technical = f"pp-hosting-{hosting.pk}.hosting.invalid"
    with contract.plesk_client() as plesk:
        plesk.set_webspace(id=hosting.subscription_id, new_name=technical)
    ResellerHosting.objects.filter(pk=hosting.pk).update(domain="", subscription_name=technical)
    hosting.refresh_from_db()
    return hosting


class TestEarlierTechnicalName:
    @pytest.fixture
    def legacy(self, setup, sandbox, run):
        tenant, contract, product = setup
        hosting = run(
            create_hosting, tenant.actor(), end_customer=tenant.plain_customer, product=product, domain="alt.example"
        )
        return tenant, with_technical_name(sandbox, contract, hosting)

    def test_adding_the_domain_renames_the_subscription_and_creates_nothing(self, legacy, sandbox, run, client_for):
        tenant, hosting = legacy
        assert hosting.awaits_domain
        page = client_for(tenant.owner).get(hosting.get_absolute_url()).content.decode()
        assert 'data-testid="hosting-add-domain"' in page
        hosting = run(add_hosting_domain, tenant.actor(), hosting, domain="endlich.example")
        assert hosting.status == Status.ACTIVE, hosting.failure_reason
        assert (hosting.domain, hosting.subscription_name) == ("endlich.example", "endlich.example")
        assert on_server(sandbox, hosting)[1] == ["endlich.example"]
        assert sandbox.create_count("webspace", external_id=hosting.external_id) == 1
        texts = [event.text for event in hosting.events.all()]
        assert texts[-1] == "The subscription has its domain now."
        assert not hosting.awaits_domain

    def test_a_lost_answer_is_read_back_and_not_sent_again(self, legacy, sandbox, run):
        tenant, hosting = legacy
        sandbox.inject(FaultKind.DROP_AFTER_COMMIT, operation="webspace set")
        hosting = run(add_hosting_domain, tenant.actor(), hosting, domain="verloren.example")
        assert hosting.status == Status.ACTIVE, hosting.failure_reason
        assert on_server(sandbox, hosting)[1] == ["verloren.example"]
        assert "Giving the subscription its domain: no usable answer, so the outcome is unknown." in [
            event.text for event in hosting.events.all()
        ]

    def test_a_domain_taken_on_the_server_leaves_it_as_it_was_with_the_reason(self, legacy, sandbox, run):
        tenant, hosting = legacy
        technical = hosting.subscription_name
        hosting = run(add_hosting_domain, tenant.actor(), hosting, domain="kunde-alt.example")
        assert hosting.status == Status.ACTIVE and hosting.domain == "" and hosting.subscription_name == technical
        assert hosting.failure_reason == (
            "Adding the domain failed: The domain kunde-alt.example already exists on the server."
        )
        assert on_server(sandbox, hosting)[1] == [technical]
        assert hosting.awaits_domain
