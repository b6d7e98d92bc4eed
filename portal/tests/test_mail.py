import socket

import pytest

from accounts.models import Account
from portal.mail import MailTestFailed, send_test_mail
from portal.models import PortalTemplate

pytestmark = pytest.mark.django_db


def template_for(port, **fields):
    account = Account.objects.create(number="30001", name="Mail Agentur", is_partner=True)
    values = {
        "portal_url": "https://kunden.mail-agentur.test",
        "portal_name": "Mail Agentur Kundenportal",
        "mail_host": "127.0.0.1",
        "mail_port": port,
        "mail_security": PortalTemplate.MailSecurity.NONE,
        "mail_username": "mailer",
        "mail_password": "secret",
        "mail_from": "portal@mail-agentur.test",
        "mail_from_name": "Mail Agentur",
        "mail_footer": "Mail Agentur GmbH · Musterweg 1",
        **fields,
    }
    return PortalTemplate.objects.create(account=account, **values)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_test_mail_logs_in_and_goes_out_with_the_resellers_sender_and_footer(reseller_smtp_server):
    template = template_for(reseller_smtp_server.port)
    send_test_mail(template, "chef@mail-agentur.test")
    assert reseller_smtp_server.logins == ["mailer"]
    (message,) = reseller_smtp_server.messages
    assert message.mail_from == "portal@mail-agentur.test"
    assert message.rcpt_tos == ["chef@mail-agentur.test"]
    content = message.content.decode()
    assert "From: Mail Agentur <portal@mail-agentur.test>" in content
    assert "Mail Agentur GmbH" in content


def test_a_refused_login_says_so(reseller_smtp_server):
    template = template_for(reseller_smtp_server.port, mail_password="wrong")
    with pytest.raises(MailTestFailed, match="refused the login"):
        send_test_mail(template, "chef@mail-agentur.test")
    assert reseller_smtp_server.messages == []


def test_a_host_that_does_not_answer_is_unreachable():
    template = template_for(free_port())
    with pytest.raises(MailTestFailed, match="cannot be reached"):
        send_test_mail(template, "chef@mail-agentur.test")


def test_tls_against_a_plain_server_is_a_tls_error(reseller_smtp_server):
    template = template_for(reseller_smtp_server.port, mail_security=PortalTemplate.MailSecurity.TLS)
    with pytest.raises(MailTestFailed, match="TLS"):
        send_test_mail(template, "chef@mail-agentur.test")


def test_the_providers_own_network_is_refused_in_production(settings, reseller_smtp_server):
    settings.MAIL_ALLOW_PRIVATE_HOSTS = False
    template = template_for(reseller_smtp_server.port)
    with pytest.raises(MailTestFailed, match="loopback"):
        send_test_mail(template, "chef@mail-agentur.test")
    assert reseller_smtp_server.logins == []


def test_the_stored_password_is_ciphertext():
    from django.db import connection

    template = template_for(2525)
    with connection.cursor() as cursor:
        cursor.execute("SELECT mail_password FROM portal_portaltemplate WHERE id = %s", [template.pk])
        (stored,) = cursor.fetchone()
    assert "secret" not in stored and stored.startswith("fernet:")


def test_a_backup_holds_the_password_as_ciphertext_and_restores_it():
    import json
    from io import StringIO

    from django.core import serializers
    from django.core.management import call_command

    template = template_for(2525)
    out = StringIO()
    call_command("dumpdata", "portal.portaltemplate", stdout=out)
    (row,) = json.loads(out.getvalue())
    assert "secret" not in out.getvalue()
    assert row["fields"]["mail_password"].startswith("fernet:")
    PortalTemplate.objects.all().delete()
    for obj in serializers.deserialize("json", out.getvalue()):
        obj.save()
    assert PortalTemplate.objects.get(pk=template.pk).mail_password == "secret"
