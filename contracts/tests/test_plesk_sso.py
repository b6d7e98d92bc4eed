"""Plesk öffnen: single sign-on into the reseller's Plesk through create_session."""

import httpx
import pytest
from django.test import Client

from audit.models import AuditEntry
from conftest import login
from hosting.models import HostingServer
from plesk.sandbox import SandboxServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def bound_contract(world):
    with SandboxServer(
        "127.0.0.1", 0, admin_password="admin-pw-123", seed_demo=True, reseller_password="res-pw-123"
    ) as sandbox:
        host, port = sandbox.url.split("//")[1].split("/")[0].split(":")
        server = HostingServer.objects.create(
            name="S1", host=host, port=int(port), use_tls=False, login="admin", password="admin-pw-123", is_sandbox=True
        )
        contract = world.r1.contract
        contract.hosting_server, contract.plesk_login, contract.plesk_password = server, "reseller-demo", "res-pw-123"
        contract.save()
        yield contract, sandbox


def test_an_admin_opens_plesk_as_the_reseller(world, bound_contract):
    contract, _sandbox = bound_contract
    response = login(Client(), world.r1.admin).post(f"/contracts/{contract.pk}/plesk/")
    assert response.status_code == 302
    landing = httpx.get(response["Location"], follow_redirects=True)
    assert "logged in as reseller-demo" in landing.text
    assert AuditEntry.objects.filter(user=world.r1.admin, object_repr__startswith="Plesk reseller-demo").exists()


def test_employees_and_other_resellers_cannot(world, bound_contract):
    contract, _sandbox = bound_contract
    assert login(Client(), world.r1.employee).post(f"/contracts/{contract.pk}/plesk/").status_code == 403
    assert login(Client(), world.r2.owner).post(f"/contracts/{contract.pk}/plesk/").status_code == 404


def test_a_server_that_is_down_gives_a_clear_message(world, bound_contract):
    contract, sandbox = bound_contract
    sandbox.stop()
    response = login(Client(), world.r1.owner).post(f"/contracts/{contract.pk}/plesk/", follow=True)
    assert "cannot be reached" in response.content.decode()


def test_the_contract_page_lets_its_plesk_form_lead_to_exactly_that_server(world, bound_contract):
    contract, _sandbox = bound_contract
    response = login(Client(), world.r1.admin).get(f"/contracts/{contract.pk}/")
    assert _form_action(response) == ["'self'", contract.hosting_server.origin]
    # Where there is no Plesk to open, forms stay on the portal.
    for page in ("/contracts/", f"/contracts/{world.r1.contract.pk}/"):
        assert _form_action(login(Client(), world.r1.employee).get(page)) == ["'self'"]


def _form_action(response):
    """The sources of the policy's form-action directive (directive order is not fixed)."""
    directives = (part.split() for part in response["Content-Security-Policy"].split(";") if part.strip())
    return next(sources for name, *sources in directives if name == "form-action")


def test_the_api_gives_a_one_time_login_url(world, bound_contract):
    from conftest import api_client
    from core.roles import Role

    contract, sandbox = bound_contract
    response = api_client(world.r1).post(f"/api/v1/contracts/{contract.pk}/plesk-login/")
    assert response.status_code == 200
    assert "logged in as reseller-demo" in httpx.get(response.json()["url"], follow_redirects=True).text
    assert api_client(world.r1, Role.EMPLOYEE).post(f"/api/v1/contracts/{contract.pk}/plesk-login/").status_code == 403
    assert api_client(world.r2).post(f"/api/v1/contracts/{contract.pk}/plesk-login/").status_code == 404
    sandbox.stop()
    down = api_client(world.r1).post(f"/api/v1/contracts/{contract.pk}/plesk-login/")
    assert down.status_code == 503 and "cannot be reached" in down.json()["detail"]
