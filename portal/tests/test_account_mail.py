"""Mail to a reseller's end customers: through the portal template's SMTP server, with its sender, footer and
portal URL, retried, and logged where the reseller sees what failed (issue #19)."""

import email
import re
import socket
from email import policy

import pytest
from django.test import Client
from django.utils.translation import override

from conftest import login
from core import mail
from customers.services import portal_password_reset_mail, send_portal_password_link
from portal.mail_log import reason
from portal.models import MailDelivery, PortalTemplate

pytestmark = pytest.mark.django_db

PORTAL = "https://kunden.mail-agentur.test"
FOOTER = "Mail Agentur GmbH · Musterweg 1\nGeschäftsführer: Max Muster"
LINK = re.compile(r"https?://[^\s<>\"]+/password/reset/[^\s<>\"]+/")


def make_template(account, port, **fields):
    values = {
        "portal_url": PORTAL,
        "portal_name": "Mail Agentur Kundenportal",
        "mail_host": "127.0.0.1",
        "mail_port": port,
        "mail_security": PortalTemplate.MailSecurity.NONE,
        "mail_username": "mailer",
        "mail_password": "secret",
        "mail_from": "portal@mail-agentur.test",
        "mail_from_name": "Mail Agentur",
        "mail_footer": FOOTER,
        **fields,
    }
    return PortalTemplate.objects.create(account=account, **values)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parsed(envelope):
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    return message, text, html


def invite(world, django_capture_on_commit_callbacks, **headers):
    """The reseller's employee creates a portal user with an invitation, as the page does."""
    client = login(Client(), world.r1.employee)
    data = {"username": "anna", "first_name": "Anna", "last_name": "A", "email": "anna@example.test"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/customers/{world.r1.plain_customer.pk}/users/add/", {**data, "access": "invite"}, **headers
        )
    assert response.status_code == 302


class TestThroughTheResellersServer:
    def test_the_invitation_has_the_resellers_sender_footer_and_portal_link_whatever_the_host_header(
        self, world, settings, reseller_smtp_server, smtp_server, django_capture_on_commit_callbacks
    ):
        settings.MAIN_HOSTS = [*settings.MAIN_HOSTS, "other-host.test"]
        make_template(world.r1.account, reseller_smtp_server.port)
        invite(world, django_capture_on_commit_callbacks, HTTP_HOST="other-host.test")
        assert smtp_server.messages == []
        assert reseller_smtp_server.logins == ["mailer"]
        (envelope,) = reseller_smtp_server.messages
        assert envelope.mail_from == "portal@mail-agentur.test"
        assert envelope.rcpt_tos == ["anna@example.test"]
        message, text, html = parsed(envelope)
        assert message["From"] == "Mail Agentur <portal@mail-agentur.test>"
        assert LINK.search(text).group(0).startswith(f"{PORTAL}/password/reset/")
        assert LINK.search(html).group(0).startswith(f"{PORTAL}/password/reset/")
        assert f"{PORTAL}/login/" in text
        assert "other-host.test" not in text + html
        assert text.rstrip().endswith(f"-- \n{FOOTER}")
        assert "Geschäftsführer: Max Muster" in html
        assert "Partnerportal" not in text + html
        delivery = MailDelivery.objects.get()
        assert (delivery.account, delivery.status, delivery.server, delivery.attempts) == (
            world.r1.account,
            MailDelivery.Status.SENT,
            MailDelivery.Server.OWN,
            1,
        )

    def test_the_account_summary_and_the_password_link_go_the_same_way(
        self, world, reseller_smtp_server, django_capture_on_commit_callbacks
    ):
        make_template(world.r1.account, reseller_smtp_server.port)
        client = login(Client(), world.r1.owner)
        data = {"first_name": "B", "last_name": "B", "access": "password", "password": "a-long-good-secret-9"}
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                f"/customers/{world.r1.plain_customer.pk}/users/add/",
                {**data, "username": "ben", "email": "ben@example.test", "send_summary": "on"},
            )
            send_portal_password_link(world.r1.actor(), world.r1.portal_user)
        summary, link = (parsed(envelope)[1] for envelope in reseller_smtp_server.messages)
        assert f"{PORTAL}/login/" in summary and "a-long-good-secret-9" not in summary
        assert LINK.search(link).group(0).startswith(f"{PORTAL}/password/reset/")
        assert FOOTER in summary and FOOTER in link

    def test_the_portals_own_password_reset_mails_a_link_to_the_portal(
        self, world, reseller_smtp_server, django_capture_on_commit_callbacks
    ):
        make_template(world.r1.account, reseller_smtp_server.port)
        with django_capture_on_commit_callbacks(execute=True):
            portal_password_reset_mail(world.r1.portal_user.user)
            portal_password_reset_mail(world.r1.owner)  # not a portal user: nothing
        (envelope,) = reseller_smtp_server.messages
        assert envelope.rcpt_tos == ["r1-portal@example.test"]
        assert LINK.search(parsed(envelope)[1]).group(0).startswith(f"{PORTAL}/password/reset/")

    def test_another_resellers_mail_is_not_touched(
        self, world, settings, reseller_smtp_server, smtp_server, django_capture_on_commit_callbacks
    ):
        settings.SITE_URL = "https://portal.provider.test"
        make_template(world.r1.account, reseller_smtp_server.port)
        with django_capture_on_commit_callbacks(execute=True):
            portal_password_reset_mail(world.r2.portal_user.user)
        assert reseller_smtp_server.messages == []
        (envelope,) = smtp_server.messages
        message, text, _html = parsed(envelope)
        assert message["From"] == settings.DEFAULT_FROM_EMAIL
        assert LINK.search(text).group(0).startswith("https://portal.provider.test/password/reset/")


class TestWithoutTheResellersServer:
    def test_a_template_without_smtp_settings_sends_through_the_provider_with_the_resellers_name(
        self, world, settings, reseller_smtp_server, smtp_server, django_capture_on_commit_callbacks
    ):
        settings.DEFAULT_FROM_EMAIL = "Provider <noreply@provider.test>"
        make_template(world.r1.account, reseller_smtp_server.port, mail_host="")
        invite(world, django_capture_on_commit_callbacks)
        assert reseller_smtp_server.messages == []
        (envelope,) = smtp_server.messages
        assert envelope.mail_from == "noreply@provider.test"
        message, text, _html = parsed(envelope)
        assert message["From"] == "Mail Agentur <noreply@provider.test>"
        assert message["Reply-To"] == "portal@mail-agentur.test"
        assert LINK.search(text).group(0).startswith(f"{PORTAL}/password/reset/")
        assert FOOTER in text
        delivery = MailDelivery.objects.get()
        assert (delivery.status, delivery.server, delivery.error_code) == ("sent", "provider", "")

    def test_without_a_template_the_main_portal_and_the_provider_send_as_before(
        self, world, settings, smtp_server, django_capture_on_commit_callbacks
    ):
        settings.SITE_URL = "https://portal.provider.test"
        invite(world, django_capture_on_commit_callbacks)
        (envelope,) = smtp_server.messages
        message, text, html = parsed(envelope)
        assert message["From"] == settings.DEFAULT_FROM_EMAIL
        assert LINK.search(text).group(0).startswith("https://portal.provider.test/password/reset/")
        assert "Partnerportal · https://portal.provider.test" in html
        assert MailDelivery.objects.get().status == MailDelivery.Status.SENT


class TestFailures:
    def test_a_refused_login_is_retried_then_sent_by_the_provider_and_shown_to_the_reseller(
        self, world, settings, reseller_smtp_server, smtp_server, django_capture_on_commit_callbacks
    ):
        make_template(world.r1.account, reseller_smtp_server.port, mail_password="wrong-password-77")
        invite(world, django_capture_on_commit_callbacks)
        assert reseller_smtp_server.messages == [] and reseller_smtp_server.logins == []
        (envelope,) = smtp_server.messages
        message, text, _html = parsed(envelope)
        assert message["From"] == f"Mail Agentur <{settings.DEFAULT_FROM_EMAIL.split('<')[1].rstrip('>')}>"
        assert FOOTER in text
        delivery = MailDelivery.objects.get()
        assert delivery.status == MailDelivery.Status.SENT
        assert delivery.server == MailDelivery.Server.PROVIDER
        assert delivery.attempts == mail.ATTEMPTS + 1
        assert delivery.error_code == "login_refused"
        stored = " ".join(str(value) for value in MailDelivery.objects.values().get().values())
        token = LINK.search(text).group(0).rstrip("/").rsplit("/", 1)[1]
        assert "wrong-password-77" not in stored and token not in stored and "/password/reset/" not in stored
        for language, words in (
            ("en", "The mail server refused the login."),
            ("de", "Der Mailserver hat die Anmeldung abgelehnt."),
        ):
            client = login(Client(), world.r1.admin)
            client.cookies["django_language"] = language
            body = client.get("/portal-templates/mails/?status=sent").content.decode()
            assert "anna@example.test" in body and words in body

    def test_when_the_provider_fails_too_the_mail_is_shown_as_failed(
        self, world, settings, reseller_smtp_server, django_capture_on_commit_callbacks
    ):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
        make_template(world.r1.account, reseller_smtp_server.port, mail_password="wrong")
        invite(world, django_capture_on_commit_callbacks)
        delivery = MailDelivery.objects.get()
        assert (delivery.status, delivery.error_code) == (MailDelivery.Status.FAILED, "login_refused")
        client = login(Client(), world.r1.owner)
        dashboard = client.get("/").content.decode()
        assert 'class="display-6 text-decoration-none link-danger" href="/portal-templates/mails/?status=failed"' in (
            dashboard
        )
        body = client.get("/portal-templates/mails/?status=failed").content.decode()
        assert "Invitation to the customer portal" in body
        assert "Your mail server: The mail server refused the login." in body
        assert "The provider&#x27;s mail server could not send it either." in body

    def test_an_unreachable_server_without_fallback_fails_with_its_reason(
        self, world, settings, django_capture_on_commit_callbacks
    ):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
        make_template(world.r1.account, free_port(), mail_host="")
        invite(world, django_capture_on_commit_callbacks)
        delivery = MailDelivery.objects.get()
        assert (delivery.status, delivery.server, delivery.attempts) == ("failed", "provider", mail.ATTEMPTS)
        with override("de"):
            assert reason(delivery) == "Der Mailserver ist nicht erreichbar. Bitte Mail Host und Port prüfen."

    def test_with_a_queue_that_can_wait_the_next_attempt_is_scheduled_later(
        self, world, settings, reseller_smtp_server
    ):
        from django_tasks_db.models import DBTaskResult

        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
        make_template(world.r1.account, reseller_smtp_server.port, mail_password="wrong")
        delivery = MailDelivery.objects.create(account=world.r1.account, kind="k", recipient="a@example.test")
        mail.send_email.call(
            subject="S",
            text="t",
            html="<p>h</p>",
            to=["a@example.test"],
            account_id=world.r1.account.pk,
            log_id=delivery.pk,
        )
        (queued,) = DBTaskResult.objects.all()
        assert queued.run_after > queued.enqueued_at
        assert queued.args_kwargs["kwargs"]["attempt"] == 2
        assert "wrong" not in str(queued.args_kwargs)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.error_code) == ("queued", 1, "login_refused")


def test_a_mail_host_inside_the_providers_network_is_refused_and_the_reason_shown_in_the_readers_language(
    world, settings, reseller_smtp_server, smtp_server, django_capture_on_commit_callbacks
):
    settings.MAIL_ALLOW_PRIVATE_HOSTS = False
    make_template(world.r1.account, reseller_smtp_server.port)
    invite(world, django_capture_on_commit_callbacks)
    assert reseller_smtp_server.logins == []
    assert len(smtp_server.messages) == 1
    delivery = MailDelivery.objects.get()
    assert (delivery.error_code, delivery.status) == ("host", MailDelivery.Status.SENT)
    with override("de"):
        assert "Diese Adresse ist für das Portal nicht erreichbar" in reason(delivery)
    with override("en"):
        assert "This address is not reachable for the portal" in reason(delivery)
