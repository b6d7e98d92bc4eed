"""Kontenzusammenfassung anzeigen: the reseller sees an end customer's access summary (portal logins, portal URL,
hostings) exactly as it will be mailed, and sends it on demand; never a password, never a link that sets one
(issue #21)."""

import email
import re
from email import policy

import pytest
from django.test import Client
from django.utils.translation import override

from audit.models import AuditEntry
from conftest import PASSWORD, api_client, login, make_user
from core.roles import Role
from customers.models import PortalUser
from hosting.models import HostingServer, ResellerHosting
from portal.models import MailDelivery
from portal.tests.helpers import HOST_A, make_portals, portal_login
from portal.tests.template_fixtures import make_template
from products.models import ResellerProduct

pytestmark = pytest.mark.django_db

PLESK = "https://plesk7.provider.test:8443"
# What a link that sets a password looks like (``users:password_reset_confirm``): uid, then token.
RESET_LINK = re.compile(r"/password/reset/[^/\s]+/[^/\s]+/")
FOOTER = "ZZ Agentur GmbH · Musterweg 1"


def page(customer):
    return f"/customers/{customer.pk}/account-summary/"


def api_page(customer):
    return f"/api/v1/customers/{customer.pk}/account-summary/"


def parsed(envelope):
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    return message, text, html


def make_hosting(tenant, server, domain, *, status=ResellerHosting.Status.ACTIVE, login="", product_name=None):
    contract = tenant.contract
    if contract.hosting_server_id is None:
        contract.hosting_server = server
        contract.plesk_login = f"{tenant.account.number}-reseller"
        contract.save()
    product = ResellerProduct.objects.create(
        account=tenant.account,
        kind=ResellerProduct.Kind.RESELLER_HOSTING,
        contract=contract,
        plan_name="Webhosting S",
        name=product_name or f"Paket {domain}",
        net_price="7.50",
    )
    return ResellerHosting.objects.create(
        account=tenant.account,
        end_customer=tenant.customer,
        product=product,
        contract=contract,
        domain=domain,
        status=status,
        plesk_customer_login=login,
    )


@pytest.fixture
def accesses(world):
    """R1's customer: its portal user, a deactivated second one, an active hosting and a cancelled one; R2's
    customer a hosting of its own."""
    server = HostingServer.objects.create(
        name="Plesk 7", host="plesk7.provider.test", port=8443, login="admin", password="server-admin-pw"
    )
    old = make_user("r1-alt", last_name="Login", is_active=False)
    PortalUser.objects.create(user=old, end_customer=world.r1.customer)
    active = make_hosting(world.r1, server, "r1-shop.de", login="karla-plesk", product_name="Webhosting Gold")
    make_hosting(world.r1, server, "r1-gekuendigt.de", status=ResellerHosting.Status.CANCELLED)
    make_hosting(world.r2, server, "r2-geheim.de", login="r2-plesk")
    return active


def send(client, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(page(customer), follow=True)


# The page, for each role -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.EMPLOYEE])
def test_every_member_sees_the_logins_the_portal_url_and_the_hostings(world, accesses, role):
    response = login(Client(), world.r1.user(role)).get(page(world.r1.customer))
    assert response.status_code == 200
    summary = response.context["summary"]
    assert summary.recipient == "r1-1@example.test"
    assert summary.subject == "Your access details (customer number R1-1)"
    text = summary.text
    assert "Login: http://127.0.0.1:8000/login/" in text
    assert "Username: r1-portal (R1-Portal)" in text
    assert "Username: r1-alt (R1-Alt Login) – deactivated" in text
    assert "r1-shop.de – Webhosting Gold (active)" in text
    assert "Plesk user: karla-plesk" in text
    assert f"Login: {PLESK}" in text
    # Ended hostings and other accounts' hostings are not the customer's to log in to.
    assert "r1-gekuendigt.de" not in text
    assert "r2-geheim.de" not in text and "r2-plesk" not in text
    content = response.content.decode()
    assert "r1-1@example.test" in content
    assert "Your access details (customer number R1-1)" in content
    assert "Plesk user: karla-plesk" in content
    assert 'data-testid="summary-send"' in content


def test_the_page_shows_the_text_exactly_as_it_is_sent(
    world, accesses, smtp_server, django_capture_on_commit_callbacks
):
    client = login(Client(), world.r1.employee)
    preview = client.get(page(world.r1.customer)).context["summary"]
    send(client, world.r1.customer, django_capture_on_commit_callbacks)
    (envelope,) = smtp_server.messages
    message, text, _html = parsed(envelope)
    assert message["Subject"] == preview.subject
    assert text == preview.text


def test_with_a_white_label_portal_the_login_is_on_its_host_and_the_footer_is_its(world, accesses):
    make_template(world.r1.account, "kunden.r1-agentur.test", mail_footer=FOOTER)
    response = login(Client(), world.r1.owner).get(page(world.r1.customer))
    text = response.context["summary"].text
    assert "Login: https://kunden.r1-agentur.test/login/" in text
    assert "127.0.0.1:8000" not in text
    assert text.rstrip().endswith(f"-- \n{FOOTER}")


def test_the_customers_header_offers_the_summary(world, settings):
    client = login(Client(), world.r1.employee)
    client.cookies["django_language"] = "de"
    content = client.get(f"/customers/{world.r1.customer.pk}/").content.decode()
    assert f'href="{page(world.r1.customer)}"' in content
    assert "Kontenzusammenfassung anzeigen" in content


def test_the_page_speaks_german(world, accesses):
    client = login(Client(), world.r1.owner)
    client.cookies["django_language"] = "de"
    response = client.get(page(world.r1.customer))
    content = response.content.decode()
    assert "Zusammenfassung senden" in content
    assert "Ihre Zugangsdaten (Kundennummer R1-1)" in content
    text = response.context["summary"].text
    assert "Benutzername: r1-alt (R1-Alt Login) – deaktiviert" in text
    assert "r1-shop.de – Webhosting Gold (eingesetzt)" in text
    assert "„Passwort vergessen?“" in text


# Who may not ---------------------------------------------------------------------------------------------


def test_another_accounts_member_gets_404_learns_nothing_and_sends_nothing(
    world, accesses, smtp_server, django_capture_on_commit_callbacks
):
    client = login(Client(), world.r2.owner)
    response = client.get(page(world.r1.customer))
    assert response.status_code == 404
    assert "ZZ-R1-MARKER" not in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page(world.r1.customer))
    assert response.status_code == 404
    assert smtp_server.messages == []
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.SEND_SUMMARY).exists()


def test_a_missing_customer_is_the_same_404(world):
    response = login(Client(), world.r1.owner).get("/customers/999999/account-summary/")
    assert response.status_code == 404


def test_an_end_customers_portal_user_cannot_reach_it(world, accesses):
    # On the main host the login is no member of any account ...
    response = login(Client(), world.r1.portal_user.user).get(page(world.r1.customer))
    assert response.status_code == 404
    # ... and the reseller's portal has no such page.
    make_portals(world)
    client, _response = portal_login(HOST_A, world.r1.portal_user.user)
    response = client.get(page(world.r1.customer))
    assert response.status_code == 404
    assert "r1-1@example.test" not in response.content.decode()


def test_anonymous_is_sent_to_the_login(world):
    response = Client().get(page(world.r1.customer))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# Sending -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.EMPLOYEE])
def test_every_member_sends_it_to_the_customer_over_smtp(
    world, accesses, role, smtp_server, django_capture_on_commit_callbacks
):
    world.r1.portal_user.user.set_password("Karlas-Geheimnis-42")
    world.r1.portal_user.user.save()
    response = send(login(Client(), world.r1.user(role)), world.r1.customer, django_capture_on_commit_callbacks)
    assert response.redirect_chain == [(page(world.r1.customer), 302)]
    assert "The account summary has been sent to r1-1@example.test." in response.content.decode()
    (envelope,) = smtp_server.messages
    assert envelope.rcpt_tos == ["r1-1@example.test"]
    message, text, html = parsed(envelope)
    assert message["Subject"] == "Your access details (customer number R1-1)"
    for part in (text, html):
        assert "r1-portal" in part
        assert "karla-plesk" in part
        assert PLESK in part
        assert "http://127.0.0.1:8000/login/" in part
        # No password, neither the customer's nor the server's, and no link that would set one.
        assert "Karlas-Geheimnis-42" not in part
        assert PASSWORD not in part
        assert "server-admin-pw" not in part
        assert not RESET_LINK.search(part)
        assert "Forgot your password?" in part
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SEND_SUMMARY)
    assert (entry.account, entry.user, entry.object_id) == (
        world.r1.account,
        world.r1.user(role),
        str(world.r1.customer.pk),
    )
    assert entry.object_repr == f"{world.r1.customer} <r1-1@example.test>"


def test_through_the_resellers_own_server_with_its_sender(
    world, accesses, smtp_server, reseller_smtp_server, django_capture_on_commit_callbacks
):
    make_template(
        world.r1.account,
        "kunden.r1-agentur.test",
        mail_port=reseller_smtp_server.port,
        mail_password="secret",
        mail_from="portal@r1-agentur.test",
        mail_from_name="R1 Agentur",
        mail_footer=FOOTER,
    )
    send(login(Client(), world.r1.owner), world.r1.customer, django_capture_on_commit_callbacks)
    assert smtp_server.messages == []
    assert reseller_smtp_server.logins == ["mailer"]
    (envelope,) = reseller_smtp_server.messages
    message, text, html = parsed(envelope)
    assert message["From"] == "R1 Agentur <portal@r1-agentur.test>"
    assert "https://kunden.r1-agentur.test/login/" in text
    assert text.rstrip().endswith(f"-- \n{FOOTER}")
    assert not RESET_LINK.search(text + html)
    delivery = MailDelivery.objects.get()
    assert (delivery.recipient, delivery.status) == ("r1-1@example.test", MailDelivery.Status.SENT)


def test_without_an_e_mail_address_sending_is_refused(world, accesses, smtp_server, django_capture_on_commit_callbacks):
    customer = world.r1.customer
    customer.email = ""
    customer.save()
    client = login(Client(), world.r1.owner)
    content = client.get(page(customer)).content.decode()
    assert "no e-mail address" in content
    assert 'data-testid="summary-send"' not in content
    response = send(client, customer, django_capture_on_commit_callbacks)
    assert "This customer has no e-mail address. Add one under Edit, then send again." in response.content.decode()
    assert smtp_server.messages == []
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.SEND_SUMMARY).exists()


def test_with_nothing_to_log_in_with_sending_is_refused(world, smtp_server, django_capture_on_commit_callbacks):
    customer = world.r1.plain_customer
    client = login(Client(), world.r1.owner)
    content = client.get(page(customer)).content.decode()
    assert 'data-testid="summary-send"' not in content
    response = send(client, customer, django_capture_on_commit_callbacks)
    assert "There is nothing to send yet" in response.content.decode()
    assert smtp_server.messages == []


def test_the_customers_activity_says_who_sent_it_to_whom(world, accesses, django_capture_on_commit_callbacks):
    client = login(Client(), world.r1.employee)
    send(client, world.r1.customer, django_capture_on_commit_callbacks)
    client.cookies["django_language"] = "de"
    content = client.get(f"/customers/{world.r1.customer.pk}/activity/").content.decode()
    assert "<td >hat die Kontenzusammenfassung gesendet</td>" in content
    assert "<td >R1-1 – ZZ-R1-MARKER Kundenfirma (Kunde, Karla) &lt;r1-1@example.test&gt;</td>" in content
    entry = AuditEntry.objects.get(action=AuditEntry.Action.SEND_SUMMARY)
    with override("de"):
        assert entry.sentence == (
            "r1-employee hat die Kontenzusammenfassung an "
            "R1-1 – ZZ-R1-MARKER Kundenfirma (Kunde, Karla) <r1-1@example.test> gesendet"
        )


# API -----------------------------------------------------------------------------------------------------


def test_the_api_returns_the_summary_as_it_would_be_sent(world, accesses):
    response = api_client(world.r1, Role.EMPLOYEE).get(api_page(world.r1.customer))
    assert response.status_code == 200
    data = response.json()
    assert data["recipient"] == "r1-1@example.test"
    assert data["subject"] == "Your access details (customer number R1-1)"
    assert "Plesk user: karla-plesk" in data["text"]
    assert data["login_url"] == "http://127.0.0.1:8000/login/"
    assert data["logins"] == [
        {"username": "r1-alt", "name": "R1-Alt Login", "active": False},
        {"username": "r1-portal", "name": "R1-Portal", "active": True},
    ]
    assert data["hostings"] == [
        {
            "domain": "r1-shop.de",
            "product": "Webhosting Gold",
            "status": "active",
            "plesk_login": "karla-plesk",
            "plesk_url": PLESK,
        }
    ]
    assert not RESET_LINK.search(response.content.decode())


def test_the_api_sends_it(world, accesses, smtp_server, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(world.r1, Role.EMPLOYEE).post(f"{api_page(world.r1.customer)}send/")
    assert response.status_code == 202
    assert response.json() == {"sent_to": "r1-1@example.test"}
    (envelope,) = smtp_server.messages
    assert envelope.rcpt_tos == ["r1-1@example.test"]
    assert AuditEntry.objects.filter(action=AuditEntry.Action.SEND_SUMMARY, user=world.r1.employee).count() == 1


def test_the_api_refuses_a_customer_without_an_address_with_a_422(world, accesses, smtp_server):
    world.r1.customer.email = ""
    world.r1.customer.save()
    response = api_client(world.r1).post(f"{api_page(world.r1.customer)}send/")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": [], "msg": "This customer has no e-mail address. Add one under Edit, then send again."}]
    }
    assert smtp_server.messages == []


def test_the_api_answers_another_accounts_customer_with_404(
    world, accesses, smtp_server, django_capture_on_commit_callbacks
):
    client = api_client(world.r2)
    response = client.get(api_page(world.r1.customer))
    assert response.status_code == 404
    assert "r1-1@example.test" not in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{api_page(world.r1.customer)}send/")
    assert response.status_code == 404
    assert smtp_server.messages == []
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.SEND_SUMMARY).exists()
