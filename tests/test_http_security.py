"""Security headers, host validation and error pages (AUTH-10, IV-05)."""

import re

import pytest
from django.test import Client

from accounts.models import Membership
from conftest import login

pytestmark = pytest.mark.django_db


def assert_security_headers(response, html=True):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    if html:
        csp = response["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


class TestHeaders:
    def test_pages_errors_exports_and_api_carry_security_headers(self, world):
        client = login(Client(), world.r1.owner)
        assert_security_headers(client.get("/"))
        assert_security_headers(client.get("/login/"))
        assert_security_headers(client.get("/no/such/page/"))
        assert_security_headers(client.get("/account/members/?export=csv"), html=False)
        assert_security_headers(client.get("/api/v1/me/"), html=False)

    def test_nothing_a_signed_in_user_or_a_token_reads_may_be_stored(self, world):
        from conftest import api_client

        client = login(Client(), world.r1.owner)
        answers = [
            client.get("/customers/"),
            client.get(f"/customers/{world.r1.customer.pk}/"),
            client.get("/customers/?export=csv"),
            client.get("/api/v1/customers/"),
            api_client(world.r1).get(f"/api/v1/customers/{world.r1.customer.pk}/"),
            api_client(world.r1).get("/api/v1/customers/export/"),
        ]
        for response in answers:
            assert response.status_code == 200
            assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        # The login page of an anonymous visitor is no one's data: its own rule, not this one.
        assert "no-store" not in Client().get("/password/reset/").get("Cache-Control", "")

    def test_the_404_page_does_not_echo_the_path(self, world):
        response = login(Client(), world.r1.owner).get("/%3Cscript%3Ealert(1)%3C/script%3E/")
        assert response.status_code == 404
        body = response.content.decode()
        assert "<script>alert(1)" not in body
        assert "Page not found" in body

    def test_a_hidden_object_and_a_missing_one_get_the_same_page(self, world):
        client = login(Client(), world.r2.owner)
        hidden_pk = Membership.objects.get(user=world.r1.owner).pk
        hidden = client.get(f"/account/members/{hidden_pk}/edit/")
        missing = client.get("/account/members/999999/edit/")
        assert hidden.status_code == missing.status_code == 404

        def normalised(response, pk):
            body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
            return body.replace(f"/account/members/{pk}/edit/", "/account/members/PK/edit/")

        assert normalised(hidden, hidden_pk) == normalised(missing, 999999)


class TestHosts:
    @pytest.mark.parametrize("host", ["unknown.test", "testserver@evil.test", "evil.test:80"])
    def test_unknown_hosts_get_400_before_anything_else(self, world, host):
        assert Client().get("/login/", HTTP_HOST=host).status_code == 400

    def test_x_forwarded_host_is_ignored(self, world):
        response = Client().get("/", HTTP_X_FORWARDED_HOST="evil.test")
        assert response["Location"].startswith("/login/")


class TestServerError:
    def test_the_500_page_renders_without_the_request_context(self, rf):
        from core.views_pages import error_500

        response = error_500(rf.get("/"))
        assert response.status_code == 500
        assert "Server error" in response.content.decode()
