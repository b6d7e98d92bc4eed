import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Membership
from audit.models import AuditEntry
from conftest import login
from core.roles import Role
from users.models import APIToken
from users.services import create_api_token

pytestmark = pytest.mark.django_db


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


class TestTokenLifecycle:
    def test_a_user_creates_a_token_and_sees_it_once(self, world):
        client = login(Client(), world.r1.employee)
        response = client.post(reverse("users:token_create"), {"name": "Buchhaltung"})
        assert response.status_code == 200
        key = re.search(r'value="(pp_[^"]+)"', response.content.decode()).group(1)
        token = APIToken.objects.get(user=world.r1.employee)
        assert token.key_hash == APIToken.hash_key(key)
        assert key not in json.dumps(list(APIToken.objects.values()), default=str)
        profile = client.get(reverse("users:profile")).content.decode()
        assert token.prefix in profile
        assert key not in profile
        assert AuditEntry.objects.filter(action=AuditEntry.Action.TOKEN_CREATE, user=world.r1.employee).exists()

    def test_the_token_answers_me_in_its_account(self, world):
        _token, key = create_api_token(world.r1.actor(Role.ADMIN), name="t")
        response = Client().get("/api/v1/me/", **bearer(key))
        assert response.status_code == 200
        assert response.json()["account"]["number"] == world.r1.account.number
        assert response.json()["role"] == "admin"

    def test_a_revoked_token_stops_working_at_once(self, world):
        token, key = create_api_token(world.r1.actor(), name="t")
        client = login(Client(), world.r1.owner)
        client.post(reverse("users:token_revoke", args=[token.pk]))
        assert not APIToken.objects.filter(pk=token.pk).exists()
        assert Client().get("/api/v1/me/", **bearer(key)).status_code == 401

    def test_nobody_revokes_another_users_token(self, world):
        token, _key = create_api_token(world.r1.actor(), name="t")
        client = login(Client(), world.r1.admin)
        assert client.post(reverse("users:token_revoke", args=[token.pk])).status_code == 404
        assert APIToken.objects.filter(pk=token.pk).exists()

    def test_a_deactivated_user_s_token_stops_working(self, world):
        _token, key = create_api_token(world.r1.actor(), name="t")
        world.r1.owner.is_active = False
        world.r1.owner.save()
        assert Client().get("/api/v1/me/", **bearer(key)).status_code == 401

    def test_rights_follow_the_current_membership_not_the_token(self, world):
        _token, key = create_api_token(world.r1.actor(Role.ADMIN), name="t")
        Membership.objects.filter(user=world.r1.admin).update(role=Role.EMPLOYEE)
        assert Client().get("/api/v1/me/", **bearer(key)).json()["role"] == "employee"
        Membership.objects.filter(user=world.r1.admin).delete()
        assert Client().get("/api/v1/me/", **bearer(key)).status_code == 401

    def test_tokens_in_the_query_string_or_a_cookie_are_not_accepted(self, world):
        _token, key = create_api_token(world.r1.actor(), name="t")
        assert Client().get(f"/api/v1/me/?api_key={key}").status_code == 401
        client = Client()
        client.cookies["api_key"] = key
        assert client.get("/api/v1/me/").status_code == 401

    def test_a_garbage_token_is_refused(self, world):
        for value in ("pp_" + "x" * 40, "x" * 5000, "pp_\r\nX: y"):
            assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {value}").status_code == 401


class TestApiRestriction:
    def test_the_members_list_holds_only_the_token_s_account(self, world):
        _token, key = create_api_token(world.r2.actor(), name="t")
        response = Client().get("/api/v1/members/", **bearer(key))
        assert response.status_code == 200
        names = {item["username"] for item in response.json()["items"]}
        assert names == {"r2-owner", "r2-admin", "r2-employee"}
        assert "ZZ-R1-MARKER" not in response.content.decode()

    def test_a_member_of_another_account_is_404(self, world):
        _token, key = create_api_token(world.r2.actor(), name="t")
        r1_member = Membership.objects.get(user=world.r1.employee)
        response = Client().get(f"/api/v1/members/{r1_member.pk}/", **bearer(key))
        assert response.status_code == 404
        assert "r1-employee" not in response.content.decode()

    def test_naming_another_account_in_the_request_changes_nothing(self, world):
        _token, key = create_api_token(world.r2.actor(), name="t")
        response = Client().get(
            f"/api/v1/members/?account={world.r1.account.pk}", HTTP_X_ACCOUNT_ID=str(world.r1.account.pk), **bearer(key)
        )
        assert {item["username"] for item in response.json()["items"]} == {"r2-owner", "r2-admin", "r2-employee"}

    def test_the_members_list_filters_like_the_ui(self, world):
        _token, key = create_api_token(world.r1.actor(), name="t")
        response = Client().get("/api/v1/members/?role=admin", **bearer(key))
        assert [item["username"] for item in response.json()["items"]] == ["r1-admin"]
        response = Client().get("/api/v1/members/?q=employee", **bearer(key))
        assert [item["username"] for item in response.json()["items"]] == ["r1-employee"]

    def test_session_callers_need_the_csrf_token_for_writes(self, world):
        member = Membership.objects.get(user=world.r1.employee)
        client = Client(enforce_csrf_checks=True)
        login(client, world.r1.owner)
        assert client.get("/api/v1/me/").status_code == 200
        url = f"/api/v1/members/{member.pk}/"
        response = client.patch(url, {"role": "admin"}, content_type="application/json")
        assert response.status_code == 403
        member.refresh_from_db()
        assert member.role == Role.EMPLOYEE
        _token, key = create_api_token(world.r1.actor(), name="t")
        response = Client(enforce_csrf_checks=True).patch(
            url, {"role": "admin"}, content_type="application/json", **bearer(key)
        )
        assert response.status_code == 200
        member.refresh_from_db()
        assert member.role == Role.ADMIN

    def test_api_validation_errors_name_the_field(self, world):
        _token, key = create_api_token(world.r1.actor(), name="t")
        response = Client().post(
            "/api/v1/invitations/", {"email": "not-an-address"}, content_type="application/json", **bearer(key)
        )
        assert response.status_code == 422
        assert response.json()["detail"] == [{"loc": ["email"], "msg": "Enter a valid email address."}]

    def test_the_last_owner_cannot_be_demoted_through_the_api(self, world):
        _token, key = create_api_token(world.r1.actor(), name="t")
        owner = Membership.objects.get(user=world.r1.owner)
        response = Client().patch(
            f"/api/v1/members/{owner.pk}/", {"role": "admin"}, content_type="application/json", **bearer(key)
        )
        assert response.status_code == 422
        assert response.json()["detail"] == [{"loc": ["role"], "msg": "The last owner cannot be demoted."}]
        owner.refresh_from_db()
        assert owner.role == Role.OWNER

    def test_an_employee_token_cannot_manage_members(self, world):
        _token, key = create_api_token(world.r1.actor(Role.EMPLOYEE), name="t")
        admin = Membership.objects.get(user=world.r1.admin)
        response = Client().delete(f"/api/v1/members/{admin.pk}/", **bearer(key))
        assert response.status_code == 403
        assert Membership.objects.filter(pk=admin.pk).exists()

    def test_malformed_bodies_get_a_readable_error_not_a_crash(self, world):
        _token, key = create_api_token(world.r1.actor(), name="t")
        member = Membership.objects.get(user=world.r1.employee)
        url = f"/api/v1/members/{member.pk}/"
        for body, content_type in (
            ("{not json", "application/json"),
            ('{"role": "emperor"}', "application/json"),
            (b"\xff\xfe", "application/json"),
            ("role=admin", "text/plain"),
        ):
            response = Client().patch(url, body, content_type=content_type, **bearer(key))
            assert 400 <= response.status_code < 500, (body, response.status_code)

    def test_the_schema_documents_bearer_auth(self, world):
        schema = Client().get("/api/v1/openapi.json").json()
        assert schema["openapi"].startswith("3.")
        assert "/api/v1/me/" in schema["paths"]
        assert any(s.get("scheme") == "bearer" for s in schema["components"]["securitySchemes"].values())


def test_an_invalid_token_does_not_fall_back_to_the_session(world):
    client = login(Client(), world.r1.owner)
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer pp_revoked").status_code == 401
