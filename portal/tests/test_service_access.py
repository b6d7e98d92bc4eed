"""Profil → Service-Zugriff: an end customer lets their reseller view their portal (SECURITY-TESTS B.3)."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client

from access.models import ActivationCode, ServiceAccess
from accounts.models import Membership
from audit.models import AuditEntry
from conftest import login
from core.roles import Role
from portal import service_access
from portal.tests.helpers import HOST_A, HOST_B, give_products, make_portals, portal_login

pytestmark = pytest.mark.django_db
CODE_PATTERN = re.compile(r'data-testid="activation-code">([0-9A-Z-]+)<')
ACTIVATE = "/service-accesses/activate/"
NOT_FOUND = "Der eingegebene Aktivierungscode wurde nicht gefunden."
USED = "Dieser Aktivierungscode wurde bereits verwendet."
EMPTY = "Bitte einen Aktivierungscode eingeben."
BANNER = 'data-testid="service-access-banner"'


@pytest.fixture
def portals(world):
    return make_portals(world)


@pytest.fixture
def customer(world, portals):
    """R1's end customer, logged in on R1's portal."""
    client, _response = portal_login(HOST_A, world.r1.portal_user.user)
    return client


def reveal(client) -> str:
    response = client.get("/profile/")
    assert response.status_code == 200
    return CODE_PATTERN.search(response.content.decode()).group(1)


def activate(client, code):
    return client.post(ACTIVATE, {"code": code})


def error_of(response) -> str:
    return " ".join(str(e) for e in response.context["form"].errors.get("code", []))


@pytest.fixture
def granted(world, customer):
    """R1's owner redeemed the customer's code: (customer client, reseller client, access)."""
    reseller = login(Client(), world.r1.owner)
    assert activate(reseller, reveal(customer)).status_code == 302
    return customer, reseller, ServiceAccess.objects.get()


def handoff(reseller, access) -> str:
    """The one-time link "Anmelden" leads to."""
    response = reseller.get(f"/service-accesses/{access.pk}/portal/")
    assert response.status_code == 302
    return response["Location"]


def viewing(world, access, host=HOST_A):
    """A fresh browser of R1's owner, having followed "Anmelden" onto the portal host."""
    link = urlsplit(handoff(login(Client(), world.r1.owner), access))
    client = Client(HTTP_HOST=host)
    return client, client.get(link.path)


class TestCode:
    def test_the_profile_shows_a_new_code_on_every_view(self, world, customer):
        first, second = reveal(customer), reveal(customer)
        assert first != second
        code = ActivationCode.objects.get()
        assert code.end_customer == world.r1.customer
        assert code.account == world.r1.account
        assert code.user == world.r1.portal_user.user

    def test_the_previous_code_stops_working(self, world, customer, settings):
        settings.LANGUAGE_CODE = "de"
        old = reveal(customer)
        reveal(customer)
        assert error_of(activate(login(Client(), world.r1.owner), old)) == NOT_FOUND


class TestRedeem:
    def test_the_customers_own_reseller_activates_it_and_lists_it_as_end_customer(self, world, customer, settings):
        settings.LANGUAGE_CODE = "de"
        reseller = login(Client(), world.r1.admin)
        assert activate(reseller, reveal(customer)).status_code == 302
        access = ServiceAccess.objects.get()
        assert (access.account, access.end_customer, access.shared_account) == (
            world.r1.account,
            world.r1.customer,
            None,
        )
        html = reseller.get("/service-accesses/").content.decode()
        assert "Endkunde" in html
        assert world.r1.customer.number in html
        assert world.r1.portal_user.user.username in html
        assert f"/service-accesses/{access.pk}/portal/" in html

    @pytest.mark.parametrize("who", ["r2_owner", "staff_in_r2"])
    def test_any_other_account_is_told_not_found(self, world, customer, settings, who):
        settings.LANGUAGE_CODE = "de"
        user = {"r2_owner": world.r2.owner, "staff_in_r2": world.staff}[who]
        response = activate(login(Client(), user, world.r2.account), reveal(customer))
        assert error_of(response) == NOT_FOUND
        assert not ServiceAccess.objects.exists()

    def test_a_used_code_and_an_empty_one_say_so(self, world, customer, settings):
        settings.LANGUAGE_CODE = "de"
        code = reveal(customer)
        reseller = login(Client(), world.r1.owner)
        activate(reseller, code)
        assert error_of(activate(login(Client(), world.r1.admin), code)) == USED
        assert error_of(activate(reseller, "")) == EMPTY

    def test_employees_cannot_activate(self, world, customer):
        assert activate(login(Client(), world.r1.employee), reveal(customer)).status_code == 403

    def test_a_former_portal_user_s_code_is_not_found(self, world, customer, settings):
        settings.LANGUAGE_CODE = "de"
        code = reveal(customer)
        world.r1.portal_user.user.is_active = False
        world.r1.portal_user.user.save()
        assert error_of(activate(login(Client(), world.r1.owner), code)) == NOT_FOUND

    def test_the_main_portal_switch_refuses_an_end_customer_access(self, granted):
        _customer, reseller, access = granted
        assert reseller.post(f"/service-accesses/{access.pk}/login/").status_code == 404


class TestProfile:
    def test_the_customer_sees_who_has_access_since_when_and_revokes_at_once(self, world, granted, settings):
        settings.LANGUAGE_CODE = "de"
        customer, _reseller, access = granted
        html = customer.get("/profile/").content.decode()
        assert "Servicezugang ist aktiv" in html
        assert world.r1.account.name in html
        assert 'data-testid="activation-code"' not in html
        response = customer.post(f"/profile/service-access/{access.pk}/revoke/")
        assert response.status_code == 302
        access.refresh_from_db()
        assert access.revoked_at is not None
        assert CODE_PATTERN.search(customer.get("/profile/").content.decode())

    def test_another_customers_access_cannot_be_revoked(self, world, granted, portals):
        _customer, _reseller, access = granted
        other, _response = portal_login(HOST_B, world.r2.portal_user.user)
        assert other.post(f"/profile/service-access/{access.pk}/revoke/").status_code == 404
        access.refresh_from_db()
        assert access.revoked_at is None

    def test_activation_viewing_and_revocation_are_recorded_and_shown_to_the_customer(self, world, granted):
        customer, _reseller, access = granted
        viewing(world, access)
        customer.post(f"/profile/service-access/{access.pk}/revoke/")
        entries = AuditEntry.objects.filter(object_id=str(access.pk), account=world.r1.account).order_by("pk")
        assert [(e.action, e.user) for e in entries] == [
            (AuditEntry.Action.ACTIVATE, world.r1.owner),
            (AuditEntry.Action.SWITCH_IN, world.r1.owner),
            (AuditEntry.Action.REVOKE, world.r1.portal_user.user),
        ]
        assert all(e.parent_id == str(world.r1.customer.pk) for e in entries)
        history = customer.get("/profile/").content.decode()
        assert history.count(world.r1.owner.username) >= 2
        assert 'data-testid="service-access-history"' in history


class TestDeletion:
    def test_the_reseller_can_still_delete_the_portal_user_and_the_customer(self, world, granted):
        from customers.services import delete_end_customer, delete_portal_user

        _customer, _reseller, _access = granted
        actor = world.r1.actor(Role.OWNER)
        delete_portal_user(actor, world.r1.portal_user)
        assert not ServiceAccess.objects.exists()
        assert not ActivationCode.objects.exists()
        delete_end_customer(actor, world.r1.customer)

    def test_a_redeemed_code_is_not_deleted_on_its_own(self, granted):
        from django.db.models import RestrictedError

        _customer, _reseller, access = granted
        with pytest.raises(RestrictedError):
            access.code.delete()


class TestViewing:
    def test_anmelden_opens_the_customers_portal_with_the_banner(self, world, granted):
        _customer, _reseller, access = granted
        client, response = viewing(world, access)
        assert response.status_code == 302
        assert response["Location"] == "/"
        html = client.get("/").content.decode()
        assert BANNER in html
        assert world.r1.customer.display_name in html
        assert client.session[service_access.SESSION_VIEWER_KEY] == world.r1.owner.pk

    def test_the_link_goes_to_the_templates_host(self, world, granted):
        _customer, reseller, access = granted
        link = urlsplit(handoff(reseller, access))
        assert (link.scheme, link.netloc) == ("https", HOST_A)

    def test_the_link_works_once(self, world, granted):
        _customer, reseller, access = granted
        path = urlsplit(handoff(reseller, access)).path
        assert Client(HTTP_HOST=HOST_A).get(path).status_code == 302
        again = Client(HTTP_HOST=HOST_A)
        assert again.get(path).status_code == 404
        assert again.get("/").status_code == 302

    def test_the_link_is_refused_on_another_portal_host_and_the_main_host(self, world, granted):
        _customer, reseller, access = granted
        path = urlsplit(handoff(reseller, access)).path
        assert Client(HTTP_HOST=HOST_B).get(path).status_code == 404
        assert Client().get(path).status_code in (302, 404)
        # Still unused: the refusals did not spend it.
        assert Client(HTTP_HOST=HOST_A).get(path).status_code == 302

    def test_a_forged_or_expired_link_is_refused(self, world, granted, portals):
        _customer, reseller, access = granted
        path = urlsplit(handoff(reseller, access)).path
        token = path.split("/")[2]
        forged = signing.dumps({**signing.loads(token, salt=service_access.HANDOFF_SALT), "user": world.r2.owner.pk})
        assert Client(HTTP_HOST=HOST_A).get(f"/service-access/{forged}/").status_code == 404
        assert Client(HTTP_HOST=HOST_A).get(f"/service-access/{token[:-2]}xx/").status_code == 404

    def test_a_newer_link_makes_the_older_one_worthless(self, world, granted):
        _customer, reseller, access = granted
        old = urlsplit(handoff(reseller, access)).path
        handoff(reseller, access)
        assert Client(HTTP_HOST=HOST_A).get(old).status_code == 404

    def test_other_resellers_and_employees_get_no_link(self, world, granted):
        _customer, _reseller, access = granted
        for user in (world.r2.owner, world.r1.employee):
            assert login(Client(), user).get(f"/service-accesses/{access.pk}/portal/").status_code in (403, 404)

    def test_revocation_ends_the_viewing_session_at_the_next_request(self, world, granted):
        customer, _reseller, access = granted
        client, _response = viewing(world, access)
        assert client.get("/").status_code == 200
        customer.post(f"/profile/service-access/{access.pk}/revoke/")
        response = client.get("/products/")
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
        assert client.get("/").status_code == 302

    def test_the_reseller_user_losing_their_role_ends_it_too(self, world, granted):
        _customer, _reseller, access = granted
        client, _response = viewing(world, access)
        Membership.objects.filter(account=world.r1.account, user=world.r1.owner).update(role=Role.EMPLOYEE)
        assert client.get("/").status_code == 302

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("get", "/profile/password/"),
            ("get", "/profile/two-factor/"),
            ("get", "/profile/two-factor/off/"),
            ("post", "/hostings/{hosting}/plesk/"),
            ("post", "/profile/service-access/{access}/revoke/"),
        ],
    )
    def test_the_customers_settings_and_plesk_are_read_only(self, world, granted, settings, method, path):
        settings.LANGUAGE_CODE = "de"
        _customer, _reseller, access = granted
        hosting = give_products(world)["r1_hosting"]
        client, _response = viewing(world, access)
        response = getattr(client, method)(path.format(hosting=hosting.pk, access=access.pk))
        assert response.status_code == 403
        assert "Servicezugang" in response.content.decode()
        access.refresh_from_db()
        assert access.revoked_at is None

    def test_the_viewer_sees_the_state_but_no_code_and_no_revoke_button(self, world, granted):
        _customer, _reseller, access = granted
        client, _response = viewing(world, access)
        html = client.get("/profile/").content.decode()
        assert 'data-testid="service-access-active"' in html
        assert 'data-testid="service-access-revoke"' not in html
        assert ActivationCode.objects.filter(used_at__isnull=True).count() == 0

    def test_beenden_ends_the_session_and_leads_back_to_the_main_portal(self, world, granted, settings):
        _customer, _reseller, access = granted
        client, _response = viewing(world, access)
        response = client.post("/service-access/end/")
        assert response.status_code == 302
        assert response["Location"] == f"{settings.SITE_URL}/service-accesses/"
        assert client.get("/").status_code == 302

    def test_logging_out_while_viewing_is_not_recorded_as_the_customer(self, world, granted):
        _customer, _reseller, access = granted
        client, _response = viewing(world, access)
        assert client.post("/logout/").status_code == 302
        assert not AuditEntry.objects.filter(action=AuditEntry.Action.LOGOUT).exists()
        assert client.get("/").status_code == 302

    def test_the_customers_own_session_has_no_banner_and_cannot_end_a_viewing(self, world, granted):
        customer, _reseller, _access = granted
        assert BANNER not in customer.get("/").content.decode()
        assert customer.post("/service-access/end/").status_code == 404
