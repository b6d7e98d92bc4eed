"""Hosting servers: secrets at rest (SEC), the connection test, and host validation (PX-06)."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client

from hosting.models import HostingServer, validate_plesk_host
from hosting.services import test_connection as run_connection_test
from plesk.sandbox import SandboxServer

pytestmark = pytest.mark.django_db

MARKER = "ZZ-SECRET-MARKER-4711"


@pytest.fixture
def sandbox():
    with SandboxServer("127.0.0.1", 0, admin_password="admin-pw-123", seed_demo=True) as server:
        yield server


def server_for(sandbox, **extra):
    host, port = sandbox.url.split("//")[1].split("/")[0].split(":")
    values = {
        "name": "S1",
        "host": host,
        "port": int(port),
        "use_tls": False,
        "login": "admin",
        "password": "admin-pw-123",
    }
    return HostingServer.objects.create(is_sandbox=True, **{**values, **extra})


def raw_column(column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM hosting_hostingserver")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


class TestSecretsAtRest:
    def test_passwords_and_keys_are_never_stored_in_plain_text(self, world):
        HostingServer.objects.create(name="X", host="127.0.0.1", login="a", password=MARKER, secret_key=MARKER + "K")
        assert all(MARKER not in value for value in raw_column("password") + raw_column("secret_key"))
        out = io.StringIO()
        call_command("dumpdata", "hosting", stdout=out)
        assert MARKER not in out.getvalue()
        assert HostingServer.objects.get().password == MARKER
        # A backup restores to the same secret.
        HostingServer.objects.all().delete()
        fixture = io.StringIO(out.getvalue())
        from django.core import serializers

        for restored in serializers.deserialize("json", fixture):
            restored.save()
        assert HostingServer.objects.get().password == MARKER

    def test_keys_rotate(self, world, settings):
        HostingServer.objects.create(name="X", host="127.0.0.1", login="a", password=MARKER)
        before = raw_column("password")[0]
        settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.ENCRYPTION_KEYS]
        call_command("rotate_secrets", stdout=io.StringIO())
        assert raw_column("password")[0] != before
        settings.ENCRYPTION_KEYS = settings.ENCRYPTION_KEYS[:1]  # the old key is gone
        assert HostingServer.objects.get().password == MARKER

    def test_the_admin_never_shows_a_secret_and_keeps_it_when_left_empty(self, world):
        from conftest import login
        from tests.test_view_matrix import verified

        server = HostingServer.objects.create(name="X", host="127.0.0.1", login="a", password=MARKER)
        client = verified(login(Client(), world.staff), world.staff)
        url = f"/operator/hosting/hostingserver/{server.pk}/change/"
        assert MARKER not in client.get(url).content.decode()
        data = {
            "name": "X2",
            "host": "127.0.0.1",
            "port": 8443,
            "use_tls": "on",
            "login": "a",
            "password": "",
            "secret_key": "",
        }
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        server.refresh_from_db()
        assert (server.name, server.password) == ("X2", MARKER)


class TestConnection:
    def test_a_working_server_reports_its_version(self, world, sandbox):
        result = run_connection_test(server_for(sandbox))
        assert result.ok and "Plesk" in result.message

    def test_a_wrong_password_says_so(self, world, sandbox):
        result = run_connection_test(server_for(sandbox, password="wrong-password"))
        assert not result.ok and "refused the login" in result.message

    def test_a_server_that_is_down_says_so(self, world, sandbox):
        server = server_for(sandbox)
        sandbox.stop()
        result = run_connection_test(server)
        assert not result.ok and "cannot be reached" in result.message

    def test_garbage_instead_of_plesk_says_so(self, world, sandbox):
        sandbox.inject("malformed", operation=None)
        result = run_connection_test(server_for(sandbox))
        assert not result.ok and "could not be read" in result.message


class TestHostValidation:
    @pytest.mark.parametrize(
        "host",
        [
            "127.0.0.1",
            "127.1",
            "2130706433",
            "0x7f000001",
            "[::1]",
            "::ffff:127.0.0.1",
            "169.254.169.254",
            "10.0.0.1",
            "localhost.",
        ],
    )
    def test_internal_addresses_are_refused_in_production(self, settings, host):
        settings.PLESK_ALLOW_PRIVATE_HOSTS = False
        with pytest.raises(ValidationError):
            validate_plesk_host(host)

    def test_a_public_address_is_accepted(self, settings):
        settings.PLESK_ALLOW_PRIVATE_HOSTS = False
        validate_plesk_host("8.8.8.8")

    def test_the_check_runs_again_before_connecting(self, world, settings, sandbox):
        server = server_for(sandbox)
        settings.PLESK_ALLOW_PRIVATE_HOSTS = False
        result = run_connection_test(server)
        assert not result.ok and "not reachable for the portal" in result.message
        assert len(sandbox.exchanges) == 0
