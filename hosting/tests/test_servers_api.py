"""Hosting servers in the API: for operator staff who passed two-factor login, and for nobody else."""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership
from audit.models import AuditEntry
from conftest import api_client, login, make_contract
from core.actor import Actor
from core.roles import Role
from hosting.models import HostingServer
from hosting.tests.conftest import ADMIN_PW
from users.services import create_api_token

pytestmark = pytest.mark.django_db

BODY = {"name": "Plesk 1", "host": "plesk1.example.test", "login": "admin", "password": "a-secret-1"}


def operator(world, *, verified=True):
    client = login(Client(), world.staff)
    if verified:
        device = TOTPDevice.objects.create(user=world.staff, name="app", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def test_staff_add_read_change_and_delete_a_server_without_ever_reading_a_secret(world):
    client = operator(world)
    created = client.post("/api/v1/servers/", BODY, content_type="application/json")
    assert created.status_code == 201, created.content
    server = created.json()
    assert (server["port"], server["use_tls"], server["has_password"]) == (8443, True, True)
    assert "a-secret-1" not in created.content.decode()
    url = f"/api/v1/servers/{server['id']}/"
    assert [s["name"] for s in client.get("/api/v1/servers/").json()["items"]] == ["Plesk 1"]
    changed = client.patch(url, {"port": 8444}, content_type="application/json").json()
    assert changed["port"] == 8444 and changed["has_password"] is True
    stored = HostingServer.objects.get(pk=server["id"])
    assert stored.password == "a-secret-1"  # left out: kept
    assert client.patch(url, {"use_tls": False}, content_type="application/json").json()["detail"][0]["loc"] == [
        "use_tls"
    ]
    actions = AuditEntry.objects.filter(user=world.staff).values_list("action", flat=True)
    assert sorted(actions) == ["create", "update"]
    assert client.delete(url).status_code == 204
    assert not HostingServer.objects.filter(pk=server["id"]).exists()


def test_a_server_with_contracts_is_not_deleted(world):
    server = HostingServer.objects.create(name="S", host="s.example.test", login="admin", password="pw-123456")
    make_contract(world.r1.account, "o-bound", hosting_server=server)
    response = operator(world).delete(f"/api/v1/servers/{server.pk}/")
    assert response.status_code == 422
    assert "Contracts are bound to this server" in response.json()["detail"][0]["msg"]
    assert HostingServer.objects.filter(pk=server.pk).exists()


def test_the_connection_test_says_what_the_server_answered(world, sandbox):
    host, port = sandbox.url.split("//")[1].split("/")[0].split(":")
    server = HostingServer.objects.create(
        name="Sandbox", host=host, port=int(port), use_tls=False, is_sandbox=True, login="admin", password=ADMIN_PW
    )
    result = operator(world).post(f"/api/v1/servers/{server.pk}/test/").json()
    assert result["ok"] is True and "Connected" in result["message"]


def test_no_one_else_learns_that_servers_exist(world):
    server = HostingServer.objects.create(name="S", host="s.example.test", login="admin", password="pw-123456")
    clients = {
        "staff without two-factor": operator(world, verified=False),
        "owner": login(Client(), world.r1.owner),
        "owner's token": api_client(world.r1, Role.OWNER),
    }
    for who, client in clients.items():
        assert client.get("/api/v1/servers/").status_code == 404, who
        assert client.get(f"/api/v1/servers/{server.pk}/").status_code == 404, who
        assert client.post("/api/v1/servers/", BODY, content_type="application/json").status_code == 404, who
    assert Client().get("/api/v1/servers/").status_code == 401
    assert HostingServer.objects.count() == 1


def test_a_staff_token_works_only_once_two_factor_login_is_set_up(world):
    Membership.objects.create(user=world.staff, account=world.r1.account, role=Role.OWNER)
    _token, key = create_api_token(Actor(user=world.staff, account=world.r1.account, role=Role.OWNER), name="ops")
    staff_token = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert staff_token.get("/api/v1/servers/").status_code == 404
    TOTPDevice.objects.create(user=world.staff, name="app", confirmed=True)
    assert staff_token.get("/api/v1/servers/").status_code == 200
