"""Service access by activation code, SECURITY-TESTS B.3 (SA-01 … SA-15).

C1 (a plain provider customer) shares; R2 (a reseller) is the provider that
redeems and works in C1; R1 plays a third provider. SA-14 (partial grants)
belongs to invitations and shares, which grant chosen products; a code always
grants the sharer's full rights, so there is nothing partial to test here yet.
"""

import json
import re
import threading
import time
from importlib import import_module

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.test import Client

from access import services
from access.models import ActivationCode, ServiceAccess
from accounts.models import Account, Membership
from audit.models import AuditEntry
from conftest import PASSWORD, login
from core.roles import Role
from users.services import create_api_token

pytestmark = pytest.mark.django_db

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

CODE = "/profile/service-access/"
LIST = "/service-accesses/"
ACTIVATE = "/service-accesses/activate/"
LEAVE = "/service-accesses/leave/"
CODE_PATTERN = re.compile(r'data-testid="activation-code">([0-9A-Z-]+)<')


def reveal(client) -> str:
    response = client.get(CODE)
    assert response.status_code == 200
    return CODE_PATTERN.search(response.content.decode()).group(1)


def activate(client, code, **extra):
    return client.post(ACTIVATE, {"code": code}, **extra)


def error_of(response) -> str:
    return " ".join(str(e) for e in response.context["form"].errors.get("code", []))


@pytest.fixture
def shared(world, django_capture_on_commit_callbacks):
    """C1's admin shares, R2's owner redeems: returns (customer client, provider client, access)."""
    customer = login(Client(), world.c1.admin)
    provider = login(Client(), world.r2.owner)
    code = reveal(customer)
    with django_capture_on_commit_callbacks(execute=True):
        response = activate(provider, code)
    assert response.status_code == 302, error_of(response)
    return customer, provider, ServiceAccess.objects.get(), code


def switch_in(provider, access):
    return provider.post(f"/service-accesses/{access.pk}/login/")


class TestCodes:
    """SA-01: properties of the activation code."""

    def test_each_view_shows_a_new_code_and_retires_the_previous_one(self, world):
        client = login(Client(), world.c1.admin)
        codes = {reveal(client) for _ in range(200)}
        assert len(codes) == 200
        assert all(
            re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]", c)
            for c in codes
        )
        assert ActivationCode.objects.filter(user=world.c1.admin, used_at__isnull=True).count() == 1

    def test_a_code_has_65_bits_and_is_stored_only_as_a_hash(self, world):
        client = login(Client(), world.c1.admin)
        code = reveal(client)
        assert len(code.replace("-", "")) * 5 == 65
        dump = json.dumps(list(ActivationCode.objects.values()), default=str)
        assert code not in dump and code.replace("-", "") not in dump

    def test_the_page_is_never_cached(self, world):
        response = login(Client(), world.c1.admin).get(CODE)
        assert "no-store" in response["Cache-Control"]

    def test_a_previous_code_no_longer_works(self, world):
        customer, provider = login(Client(), world.c1.admin), login(Client(), world.r2.owner)
        old = reveal(customer)
        reveal(customer)
        assert "was not found" in error_of(activate(provider, old))

    def test_a_code_expires_after_ten_minutes(self, world):
        customer, provider = login(Client(), world.c1.admin), login(Client(), world.r2.owner)
        code = reveal(customer)
        with time_machine.travel(time.time() + 11 * 60):
            assert "was not found" in error_of(activate(provider, code))


class TestRedemption:
    """SA-02, SA-13, SA-15."""

    @pytest.mark.parametrize(
        ("entered", "german"),
        [
            ("", "Bitte einen Aktivierungscode eingeben."),
            ("   ", "Bitte einen Aktivierungscode eingeben."),
            ("ABCD-EFGH-JKMN-P", "Der eingegebene Aktivierungscode wurde nicht gefunden."),
            ("kaputt", "Der eingegebene Aktivierungscode wurde nicht gefunden."),
        ],
    )
    def test_the_errors_are_exactly_the_provider_texts(self, world, settings, entered, german):
        settings.LANGUAGE_CODE = "de"
        response = activate(login(Client(), world.r2.owner), entered)
        assert error_of(response) == german
        assert "Kundenfirma" not in response.content.decode()
        assert not ServiceAccess.objects.exists()

    def test_a_used_code_says_so_in_german(self, world, settings, shared):
        settings.LANGUAGE_CODE = "de"
        _customer, _provider, _access, code = shared
        other = login(Client(), world.r1.owner)
        # The same code again, typed differently: lower case, no dashes, spaces around.
        response = activate(other, f"  {code.lower().replace('-', '')}  ")
        assert error_of(response) == "Dieser Aktivierungscode wurde bereits verwendet."

    def test_input_is_trimmed_case_insensitive_and_tolerates_missing_dashes(self, world):
        customer, provider = login(Client(), world.c1.admin), login(Client(), world.r2.owner)
        code = reveal(customer)
        assert activate(provider, f"  {code.lower().replace('-', '')} ").status_code == 302
        assert ServiceAccess.objects.filter(account=world.r2.account, shared_account=world.c1.account).exists()

    def test_redemption_notifies_the_customers_owners_and_shows_the_badge(self, world, shared, mailoutbox):
        customer, _provider, access, _code = shared
        assert [m.to for m in mailoutbox] == [[world.c1.owner.email]]
        assert world.r2.account.name in mailoutbox[0].body
        body = customer.get("/").content.decode()
        assert 'data-testid="access-badge"' in body
        page = customer.get(CODE).content.decode()
        assert 'data-testid="access-active"' in page and world.r2.account.name in page
        assert 'data-testid="activation-code"' not in page

    def test_the_badge_shows_while_an_access_is_active_and_goes_with_it(self, world, shared):
        customer, _provider, access, _code = shared
        assert 'data-testid="access-badge"' in customer.get("/").content.decode()
        assert customer.post(f"/profile/service-access/{access.pk}/revoke/").status_code == 302
        assert 'data-testid="access-badge"' not in customer.get("/").content.decode()
        # No badge for a member of an account that shared nothing.
        assert 'data-testid="access-badge"' not in login(Client(), world.r1.owner).get("/").content.decode()

    def test_a_replayed_code_is_refused_and_reported(
        self, world, shared, mailoutbox, django_capture_on_commit_callbacks
    ):
        _customer, _provider, access, code = shared
        mailoutbox.clear()
        third = login(Client(), world.r1.owner)
        with django_capture_on_commit_callbacks(execute=True):
            response = activate(third, code)
        assert "already been used" in error_of(response)
        assert [m.subject for m in mailoutbox] == ["A used activation code of your account was entered again"]
        assert AuditEntry.objects.filter(account=world.c1.account, action=AuditEntry.Action.DENIED).exists()
        assert ServiceAccess.objects.get() == access

    def test_guessing_is_throttled_per_account_in_the_ui_and_the_api_alike(self, world):
        client = login(Client(), world.r2.owner)
        for _ in range(services.ATTEMPTS_PER_ACCOUNT):
            assert "was not found" in error_of(activate(client, "ABCD-EFGH-JKMN-P"))
        assert "Too many attempts" in error_of(activate(client, "ABCD-EFGH-JKMN-P"))
        _token, key = create_api_token(world.r2.actor(Role.ADMIN), name="t")
        response = Client().post(
            "/api/v1/service-access/",
            {"code": "ABCD"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        assert response.status_code == 429
        assert response["Retry-After"] == str(services.ATTEMPT_WINDOW_SECONDS)
        assert response.json() == {"detail": "Too many attempts. Please wait a few minutes and try again."}

    def test_guessing_is_throttled_per_ip_across_accounts(self, world, monkeypatch):
        monkeypatch.setattr(services, "ATTEMPTS_PER_IP", 3)
        for tenant in (world.r1, world.r2, world.r1):
            activate(login(Client(REMOTE_ADDR="10.9.9.9"), tenant.owner), "ABCD-EFGH-JKMN-P")
        response = activate(login(Client(REMOTE_ADDR="10.9.9.9"), world.r2.admin), "ABCD-EFGH-JKMN-P")
        assert "Too many attempts" in error_of(response)

    def test_employees_cannot_activate(self, world):
        assert activate(login(Client(), world.r2.employee), "ABCD").status_code == 403

    def test_the_api_activates_with_the_same_rules(self, world):
        customer = login(Client(), world.c1.admin)
        _token, key = create_api_token(world.r2.actor(), name="t")
        api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        response = api.post("/api/v1/service-access/", {"code": reveal(customer)}, content_type="application/json")
        assert response.status_code == 201
        assert response.json()["customer_number"] == world.c1.account.number
        assert response.json()["type"] == "Administrator"
        assert [a["customer_number"] for a in api.get("/api/v1/service-access/").json()["items"]] == [
            world.c1.account.number
        ]


class TestSwitching:
    """SA-04, SA-05, SA-09, SA-11."""

    def test_switching_in_needs_post_and_csrf(self, world, shared):
        _customer, _provider, access, _code = shared
        provider = login(Client(enforce_csrf_checks=True), world.r2.owner)
        assert provider.get(f"/service-accesses/{access.pk}/login/").status_code == 405
        assert switch_in(provider, access).status_code == 403
        assert "service-access-banner" not in provider.get("/").content.decode()

    def test_the_key_rotates_and_the_lifetime_is_not_extended(self, world, shared):
        _customer, _provider, access, _code = shared
        provider = Client()
        provider.post("/login/", {"username": world.r2.owner.username, "password": PASSWORD})
        before_key = provider.cookies["sessionid"].value
        before_expiry = provider.session.get_expiry_date()
        switch_in(provider, access)
        assert provider.cookies["sessionid"].value != before_key
        assert provider.session.get_expiry_date() <= before_expiry
        inside_key = provider.cookies["sessionid"].value
        provider.post(LEAVE)
        assert provider.cookies["sessionid"].value != inside_key
        assert "service-access-banner" not in provider.get("/").content.decode()
        assert world.r2.account.name in provider.get("/").content.decode()

    def test_the_banner_shows_on_every_kind_of_page(self, world, shared):
        _customer, provider, access, _code = shared
        switch_in(provider, access)
        for url in ("/", "/account/members/", "/activity/?export=print", "/no-such-page/", "/profile/"):
            body = provider.get(url).content.decode()
            assert 'data-testid="service-access-banner"' in body, url
            assert world.c1.account.number in body and world.c1.admin.display_name in body
        pdf = provider.get("/account/members/?export=pdf").content
        from io import BytesIO

        from pypdf import PdfReader

        text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
        assert "through service access" in text and world.r2.owner.display_name in text

    def test_an_employees_code_gives_employee_rights_only(self, world, django_capture_on_commit_callbacks):
        customer, provider = login(Client(), world.c1.employee), login(Client(), world.r2.owner)
        activate(provider, reveal(customer))
        switch_in(provider, ServiceAccess.objects.get())
        assert provider.get("/account/members/").status_code == 200
        target = Membership.objects.get(user=world.c1.admin)
        assert provider.get(f"/account/members/{target.pk}/edit/").status_code == 403
        assert provider.get("/account/settings/").status_code == 403

    def test_an_admins_code_gives_admin_rights_but_member_changes_are_refused(self, world, shared):
        _customer, provider, access, _code = shared
        switch_in(provider, access)
        target = Membership.objects.get(user=world.c1.employee)
        assert provider.get(f"/account/members/{target.pk}/edit/").status_code == 200
        response = provider.post(f"/account/members/{target.pk}/edit/", {"role": "admin"})
        assert response.status_code == 403
        assert "not available while you work in another account" in response.content.decode()
        target.refresh_from_db()
        assert target.role == Role.EMPLOYEE

    def test_two_factor_rules_bind_members_not_a_switched_in_provider(self, world, shared):
        _customer, provider, access, _code = shared
        switch_in(provider, access)
        Account.objects.filter(pk__in=[world.r2.account.pk, world.c1.account.pk]).update(require_two_factor=True)
        assert provider.get("/account/members/").status_code == 200
        provider.post(LEAVE)
        assert provider.get("/account/members/")["Location"] == "/profile/two-factor/"

    @pytest.mark.parametrize("case", ["foreign", "revoked", "missing", "employee"])
    def test_the_switch_endpoint_refuses_what_is_not_yours(self, world, shared, case):
        _customer, _provider, access, _code = shared
        client = login(Client(), world.r2.owner)
        pk = access.pk
        if case == "foreign":
            client = login(Client(), world.r1.owner)
        elif case == "revoked":
            ServiceAccess.objects.filter(pk=pk).update(revoked_at="2026-01-01T00:00:00Z")
        elif case == "missing":
            pk = 999999
        else:
            client = login(Client(), world.r2.employee)
        key = client.cookies["sessionid"].value
        response = client.post(f"/service-accesses/{pk}/login/")
        assert response.status_code in (403, 404)
        assert client.cookies["sessionid"].value == key
        assert services.SESSION_ACCESS_KEY not in client.session


class TestRefusalsWhileSwitched:
    """SA-06: nothing nested or persistent."""

    @pytest.mark.parametrize(
        ("method", "url", "data"),
        [
            ("post", ACTIVATE, {"code": "ABCD-EFGH-JKMN-P"}),
            ("get", CODE, None),
            ("post", "/profile/tokens/add/", {"name": "x"}),
            ("post", "/profile/password/", {}),
            ("post", "/profile/", {"first_name": "X", "last_name": "Y", "email": "x@example.test"}),
            ("get", "/profile/two-factor/", None),
            ("get", "/account/members/invite/", None),
            ("get", "/account/invitation/abc/", None),
            ("get", "/operator/", None),
        ],
    )
    def test_each_is_refused_with_a_clear_message(self, world, shared, method, url, data):
        _customer, provider, access, _code = shared
        switch_in(provider, access)
        response = getattr(provider, method)(url, data or {})
        assert response.status_code == 403
        assert "not available while you work in another account" in response.content.decode()

    def test_api_member_changes_are_refused_for_a_switched_session(self, world, shared):
        _customer, provider, access, _code = shared
        switch_in(provider, access)
        target = Membership.objects.get(user=world.c1.employee)
        response = provider.delete(f"/api/v1/members/{target.pk}/")
        assert response.status_code == 403
        assert Membership.objects.filter(pk=target.pk).exists()


class TestAudit:
    """SA-10: every write while switched carries the real user, the account and the access."""

    def test_writes_are_recorded_and_the_customer_reads_them(self, world, shared):
        customer, provider, access, _code = shared
        switch_in(provider, access)
        provider.post("/profile/", {"first_name": "Mallory", "last_name": "X", "email": world.r2.owner.email})
        provider.get("/account/members/")
        entries = AuditEntry.objects.filter(account=world.c1.account, service_access=access)
        assert entries.filter(action=AuditEntry.Action.SWITCH_IN, user=world.r2.owner).exists()
        page = customer.get(CODE).content.decode()
        assert world.r2.owner.username in page
        assert "started working through service access" in page

    def test_the_switch_is_recorded_in_both_accounts(self, world, shared):
        _customer, provider, access, _code = shared
        switch_in(provider, access)
        assert AuditEntry.objects.filter(account=world.r2.account, action=AuditEntry.Action.SWITCH_IN).count() == 1
        assert AuditEntry.objects.filter(account=world.c1.account, action=AuditEntry.Action.SWITCH_IN).count() == 1

    def test_a_switch_whose_session_cannot_be_written_leaves_no_audit_entry(self, world, shared, monkeypatch):
        _customer, provider, access, _code = shared
        key = provider.cookies["sessionid"].value

        def refuse(store):
            raise DatabaseError("disk full")

        monkeypatch.setattr(SessionStore, "create", refuse)
        provider.raise_request_exception = False
        assert switch_in(provider, access).status_code == 500
        assert not AuditEntry.objects.filter(action=AuditEntry.Action.SWITCH_IN).exists()
        monkeypatch.undo()
        assert provider.cookies["sessionid"].value == key
        assert "service-access-banner" not in provider.get("/").content.decode()


class TestRevocation:
    """SA-07, SA-08, SA-12."""

    def test_only_the_sharer_or_an_owner_ends_an_access(self, world, shared):
        _customer, _provider, access, _code = shared
        response = login(Client(), world.c1.employee).post(f"/profile/service-access/{access.pk}/revoke/")
        assert response.status_code == 403
        assert "Only the person who shared, or an owner, can end this access." in response.content.decode()
        denied = AuditEntry.objects.get(action=AuditEntry.Action.DENIED, user=world.c1.employee)
        assert denied.object_display == "Revoke service accesses"
        access.refresh_from_db()
        assert access.revoked_at is None
        assert login(Client(), world.c1.owner).post(f"/profile/service-access/{access.pk}/revoke/").status_code == 302
        access.refresh_from_db()
        assert access.revoked_at is not None

    def test_revocation_ends_the_switched_session_at_its_next_request(self, world, shared):
        customer, provider, access, _code = shared
        switch_in(provider, access)
        assert "service-access-banner" in provider.get("/").content.decode()
        customer.post(f"/profile/service-access/{access.pk}/revoke/")
        response = provider.get("/account/members/", follow=True)
        body = response.content.decode()
        assert response.redirect_chain == [("/", 302)]  # the provider's own start page, not an error
        assert "service-access-banner" not in body
        assert "Your service access has ended" in body
        assert world.r2.account.name in body
        assert "r2-admin" in provider.get("/account/members/").content.decode()  # back in R2's own members
        # The customer's trail says whose work in its account ended.
        ended = AuditEntry.objects.get(account=world.c1.account, action=AuditEntry.Action.SWITCH_END)
        assert (ended.user, ended.object_repr) == (world.r2.owner, str(world.r2.account))
        assert world.c1.account.number not in provider.get(LIST).content.decode()
        assert 'data-testid="activation-code"' in customer.get(CODE).content.decode()

    def test_the_next_click_after_revocation_lands_on_the_own_start_page_not_an_error(self, world, shared):
        customer, provider, access, _code = shared
        switch_in(provider, access)
        contract_page = f"/contracts/{world.c1.contract.pk}/"
        assert provider.get(contract_page).status_code == 200
        customer.post(f"/profile/service-access/{access.pk}/revoke/")
        response = provider.get(contract_page, follow=True)
        assert response.status_code == 200
        assert response.redirect_chain == [("/", 302)]
        assert "Your service access has ended" in response.content.decode()
        assert provider.get(contract_page).status_code == 404  # the customer's contract stays theirs

    def test_an_htmx_request_after_revocation_is_sent_to_the_start_page(self, world, shared):
        customer, provider, access, _code = shared
        switch_in(provider, access)
        customer.post(f"/profile/service-access/{access.pk}/revoke/")
        response = provider.get(f"/contracts/{world.c1.contract.pk}/", HTTP_HX_REQUEST="true")
        assert response["HX-Redirect"] == "/"

    @pytest.mark.parametrize("what", ["sharer_deactivated", "sharer_removed", "account_deactivated"])
    def test_the_switch_ends_when_the_sharer_or_account_goes(self, world, shared, what):
        _customer, provider, access, _code = shared
        switch_in(provider, access)
        if what == "sharer_deactivated":
            world.c1.admin.is_active = False
            world.c1.admin.save()
        elif what == "sharer_removed":
            Membership.objects.filter(user=world.c1.admin).delete()
        else:
            Account.objects.filter(pk=world.c1.account.pk).update(is_active=False)
        assert "service-access-banner" not in provider.get("/").content.decode()
        listing = provider.get(LIST).content.decode()
        assert "deactivated" in listing
        assert 'data-testid="switch-in"' not in listing

    def test_exit_in_the_customers_own_session_does_nothing(self, world, shared):
        customer, provider, access, _code = shared
        switch_in(provider, access)
        customer.post(LEAVE)
        assert "service-access-banner" in provider.get("/").content.decode()
        assert world.c1.account.name in customer.get("/").content.decode()

    def test_the_customer_revokes_through_the_api(self, world, shared):
        _customer, provider, access, _code = shared
        _token, key = create_api_token(world.c1.actor(Role.ADMIN), name="t")
        api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
        assert [a["provider_number"] for a in api.get("/api/v1/me/service-access/").json()] == [world.r2.account.number]
        assert api.delete(f"/api/v1/me/service-access/{access.pk}/").status_code == 204
        access.refresh_from_db()
        assert access.revoked_at is not None

    def test_the_provider_cannot_use_the_customers_revoke(self, world, shared):
        _customer, provider, access, _code = shared
        assert provider.post(f"/profile/service-access/{access.pk}/revoke/").status_code == 404
        access.refresh_from_db()
        assert access.revoked_at is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking (two connections)")
def test_two_providers_redeeming_one_code_at_once_exactly_one_wins(world):
    """SA-03."""
    call_command("createcachetable")
    code = services.issue_code(world.c1.actor(Role.ADMIN))
    barrier = threading.Barrier(2, timeout=10)
    results = {}

    def attempt(tenant, key):
        try:
            barrier.wait()
            results[key] = services.redeem(tenant.actor(), code)
        except ValidationError as error:
            results[key] = error.message_dict["code"][0]
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(t, k)) for t, k in ((world.r1, "r1"), (world.r2, "r2"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert ServiceAccess.objects.count() == 1
    assert sorted(type(v).__name__ for v in results.values()) == ["ServiceAccess", "str"]
    assert "already been used" in next(v for v in results.values() if isinstance(v, str))
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACTIVATE, account=world.c1.account).count() == 1
