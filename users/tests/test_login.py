import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def post_login(client, username, password=PASSWORD, **extra):
    return client.post(reverse("users:login"), {"username": username, "password": password, **extra})


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


class TestLogin:
    def test_it_logs_in_with_the_username(self, world):
        client = Client()
        response = post_login(client, "r1-owner")
        assert response.status_code == 302
        assert response["Location"] == reverse("dashboard")
        assert int(client.session[SESSION_KEY]) == world.r1.owner.pk

    def test_it_logs_in_with_the_email_in_any_case(self, world):
        client = Client()
        post_login(client, "R1-OWNER@Example.TEST")
        assert int(client.session[SESSION_KEY]) == world.r1.owner.pk

    def test_a_wrong_password_shows_a_generic_error(self, world):
        response = post_login(Client(), "r1-owner", "wrong")
        assert response.status_code == 200
        assert "correct username or e-mail and password" in response.content.decode()
        assert AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED).count() == 1

    def test_an_unknown_user_gets_the_same_error(self, world):
        wrong_password = post_login(Client(), "r1-owner", "wrong").content.decode()
        unknown = post_login(Client(), "nobody", "wrong").content.decode()
        assert "correct username or e-mail and password" in unknown
        assert wrong_password.count("alert-danger") == unknown.count("alert-danger")

    def test_a_deactivated_user_cannot_log_in(self, world):
        world.r1.owner.is_active = False
        world.r1.owner.save()
        client = Client()
        post_login(client, "r1-owner")
        assert SESSION_KEY not in client.session

    def test_the_session_key_changes_at_login(self, world):
        client = Client()
        client.get(reverse("users:login"))
        client.cookies["sessionid"] = "attacker-chosen-session-key"
        post_login(client, "r1-owner")
        assert client.cookies["sessionid"].value != "attacker-chosen-session-key"

    def test_next_is_followed_only_on_this_host(self, world):
        for target in ("https://evil.test/", "//evil.test", "/\\evil.test", "https://testserver.evil.test/"):
            response = post_login(Client(), "r1-owner", next=target)
            assert response["Location"] == reverse("dashboard"), target
        response = post_login(Client(), "r1-owner", next="/activity/")
        assert response["Location"] == "/activity/"

    def test_the_login_is_audited(self, world):
        post_login(Client(), "r1-owner")
        entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN)
        assert entry.user == world.r1.owner
        assert entry.ip_address == "127.0.0.1"


class TestThrottling:
    def test_too_many_failures_for_one_user_lock_that_user_from_that_ip(self, world, settings):
        settings.AXES_FAILURE_LIMIT = 3
        client = Client(REMOTE_ADDR="10.0.0.1")
        for _ in range(3):
            post_login(client, "r1-owner", "wrong")
        response = post_login(client, "r1-owner")
        assert response.status_code == 429
        assert "Too many failed login attempts" in response.content.decode()
        assert SESSION_KEY not in client.session

    def test_the_user_can_still_log_in_from_another_ip(self, world, settings):
        settings.AXES_FAILURE_LIMIT = 3
        for _ in range(3):
            post_login(Client(REMOTE_ADDR="10.0.0.1"), "r1-owner", "wrong")
        other = Client(REMOTE_ADDR="10.0.0.2")
        response = post_login(other, "r1-owner")
        assert response.status_code == 302
        assert int(other.session[SESSION_KEY]) == world.r1.owner.pk

    def test_failures_across_many_users_lock_the_ip_only_far_above_one_users_limit(self, world, settings):
        settings.AXES_FAILURE_LIMIT = 3
        settings.LOGIN_FAILURES_PER_IP = 5
        office = Client(REMOTE_ADDR="10.0.0.3")
        for name in ("r1-owner", "r1-admin", "r2-owner"):
            post_login(office, name, "wrong")
        # One colleague's typos (three users' worth here) leave the others behind the same address alone.
        assert post_login(office, "c1-owner").status_code == 302
        for name in ("r1-employee", "r2-admin"):
            post_login(Client(REMOTE_ADDR="10.0.0.3"), name, "wrong")
        assert post_login(Client(REMOTE_ADDR="10.0.0.3"), "r2-employee").status_code == 429
        assert post_login(Client(REMOTE_ADDR="10.0.0.9"), "r2-employee").status_code == 302

    def test_attempts_during_the_address_lock_do_not_restart_it(self, world, settings):
        settings.LOGIN_FAILURES_PER_IP = 2
        with time_machine.travel("2026-12-06 10:00", tick=False) as clock:
            for name in ("r1-owner", "r1-admin"):
                post_login(Client(REMOTE_ADDR="10.0.0.5"), name, "wrong")
            for minute in range(1, 15):
                clock.move_to(f"2026-12-06 10:{minute:02d}")
                assert post_login(Client(REMOTE_ADDR="10.0.0.5"), "r2-owner").status_code == 429
            clock.move_to("2026-12-06 10:15:01")
            assert post_login(Client(REMOTE_ADDR="10.0.0.5"), "r2-owner").status_code == 302

    def test_attempts_during_a_users_lock_do_not_restart_it(self, world, settings):
        settings.AXES_FAILURE_LIMIT = 3
        with time_machine.travel("2026-12-06 10:00", tick=False) as clock:
            for _ in range(3):
                post_login(Client(REMOTE_ADDR="10.0.0.6"), "r1-owner", "wrong")
            for minute in range(1, 15):
                clock.move_to(f"2026-12-06 10:{minute:02d}")
                assert post_login(Client(REMOTE_ADDR="10.0.0.6"), "r1-owner", "wrong").status_code == 429
            clock.move_to("2026-12-06 10:15:01")
            assert post_login(Client(REMOTE_ADDR="10.0.0.6"), "r1-owner").status_code == 302

    def test_email_and_username_count_as_the_same_user(self, world, settings):
        settings.AXES_FAILURE_LIMIT = 2
        client = Client(REMOTE_ADDR="10.0.0.4")
        post_login(client, "r1-owner", "wrong")
        post_login(client, "r1-owner@example.test", "wrong")
        assert post_login(Client(REMOTE_ADDR="10.0.0.4"), "r1-owner").status_code == 429


class TestTwoFactorLogin:
    @pytest.fixture
    def device(self, world):
        return TOTPDevice.objects.create(user=world.r1.owner, name="app", confirmed=True)

    def test_a_user_with_two_factor_must_enter_a_code(self, world, device):
        client = Client()
        response = post_login(client, "r1-owner")
        assert response["Location"] == reverse("users:login_otp")
        assert SESSION_KEY not in client.session
        assert client.get(reverse("dashboard")).status_code == 302

    def test_the_right_code_logs_in_and_rotates_the_session(self, world, device):
        client = Client()
        post_login(client, "r1-owner")
        before = client.cookies["sessionid"].value
        response = client.post(reverse("users:login_otp"), {"token": current_code(device)})
        assert response["Location"] == reverse("dashboard")
        assert int(client.session[SESSION_KEY]) == world.r1.owner.pk
        assert client.cookies["sessionid"].value != before
        assert client.get(reverse("dashboard")).status_code == 200

    def test_a_wrong_code_is_refused(self, world, device):
        client = Client()
        post_login(client, "r1-owner")
        response = client.post(reverse("users:login_otp"), {"token": "000000"})
        assert "not valid" in response.content.decode()
        assert SESSION_KEY not in client.session

    def test_the_code_step_cannot_be_reached_without_the_password(self, world, device):
        response = Client().post(reverse("users:login_otp"), {"token": current_code(device)})
        assert response["Location"] == reverse("users:login")


class TestTwoFactorSetup:
    def test_a_user_turns_on_two_factor(self, world):
        client = login(Client(), world.r1.employee)
        response = client.get(reverse("users:two_factor_setup"))
        assert response.status_code == 200
        assert "data:image/svg+xml" in response.content.decode()
        device = TOTPDevice.objects.get(user=world.r1.employee, confirmed=False)
        response = client.post(reverse("users:two_factor_setup"), {"token": current_code(device)})
        assert response["Location"] == reverse("users:profile")
        device.refresh_from_db()
        assert device.confirmed
        assert AuditEntry.objects.filter(action=AuditEntry.Action.TWO_FACTOR_ON, user=world.r1.employee).exists()

    def test_turning_it_off_needs_the_password(self, world):
        TOTPDevice.objects.create(user=world.r1.employee, name="app", confirmed=True)
        client = login(Client(), world.r1.employee)
        response = client.post(reverse("users:two_factor_disable"), {"password": "wrong"})
        assert "incorrectly" in response.content.decode()
        assert TOTPDevice.objects.filter(user=world.r1.employee).exists()
        client.post(reverse("users:two_factor_disable"), {"password": PASSWORD})
        assert not TOTPDevice.objects.filter(user=world.r1.employee).exists()

    def test_an_owner_can_require_two_factor_for_all_members(self, world):
        owner = login(Client(), world.r1.owner)
        owner.post(reverse("accounts:settings"), {"require_two_factor": "on"})
        world.r1.account.refresh_from_db()
        assert world.r1.account.require_two_factor
        employee = login(Client(), world.r1.employee)
        response = employee.get(reverse("accounts:membership_list"))
        assert response["Location"] == reverse("users:two_factor_setup")
        assert employee.get(reverse("users:two_factor_setup")).status_code == 200
        # Another account is not affected.
        assert login(Client(), world.r2.employee).get(reverse("accounts:membership_list")).status_code == 200


class TestSessions:
    def test_logout_ends_the_session_on_the_server(self, world):
        client = login(Client(), world.r1.owner)
        key = client.cookies["sessionid"].value
        client.post(reverse("users:logout"))
        assert not Session.objects.filter(session_key=key).exists()
        replay = Client()
        replay.cookies["sessionid"] = key
        assert replay.get(reverse("dashboard")).status_code == 302

    def test_a_deactivated_user_loses_the_running_session(self, world):
        client = login(Client(), world.r1.owner)
        world.r1.owner.is_active = False
        world.r1.owner.save()
        assert client.get(reverse("dashboard"))["Location"].startswith(reverse("users:login"))

    def test_a_removed_member_loses_the_account_at_once(self, world):
        client = login(Client(), world.r1.employee)
        assert client.get(reverse("accounts:membership_list")).status_code == 200
        world.r1.account.memberships.filter(user=world.r1.employee).delete()
        assert client.get(reverse("accounts:membership_list")).status_code == 404

    def test_changing_the_password_ends_other_sessions_but_not_this_one(
        self, world, mailoutbox, django_capture_on_commit_callbacks
    ):
        this, other = login(Client(), world.r1.owner), login(Client(), world.r1.owner)
        new = "a-new-long-secret-42"
        with django_capture_on_commit_callbacks(execute=True):
            response = this.post(
                reverse("users:password_change"),
                {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
            )
        assert response["Location"] == reverse("users:profile")
        assert this.get(reverse("dashboard")).status_code == 200
        assert other.get(reverse("dashboard")).status_code == 302
        assert [m.subject for m in mailoutbox] == ["Your password has been changed"]

    def test_session_cookies_are_http_only_and_lax(self, world):
        client = Client()
        post_login(client, "r1-owner")
        cookie = client.cookies["sessionid"]
        assert cookie["httponly"]
        assert cookie["samesite"] == "Lax"


def test_the_two_factor_rule_holds_for_the_api_with_the_same_session(world):
    world.r1.account.require_two_factor = True
    world.r1.account.save()
    employee = login(Client(), world.r1.employee)
    assert employee.get(reverse("accounts:membership_list"))["Location"] == reverse("users:two_factor_setup")
    response = employee.get("/api/v1/customers/")
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]
    assert "results" not in response.json() and "items" not in response.json()
    # A member of an account without the rule still reads the API with the session.
    assert login(Client(), world.r2.employee).get("/api/v1/customers/").status_code == 200
