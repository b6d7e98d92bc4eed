import re
import time

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from conftest import make_user

pytestmark = pytest.mark.django_db

RESET = "/password/reset/"


@pytest.fixture
def post_reset(django_capture_on_commit_callbacks):
    """POST the reset form and run what the request scheduled on commit (the mail task)."""

    def post(email, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return Client().post(RESET, {"email": email}, **headers)

    return post


def reset_link(body: str) -> str:
    return re.search(r"http://\S+/password/reset/\S+/", body).group(0)


class TestPasswordReset:
    def test_it_mails_a_link_built_from_the_stored_site_url(self, world, smtp_server, settings, post_reset):
        settings.SITE_URL = "https://portal.example.test"
        response = post_reset("r1-owner@example.test")
        assert response["Location"] == reverse("users:password_reset_done")
        [message] = smtp_server.messages
        assert message.rcpt_tos == ["r1-owner@example.test"]
        assert "https://portal.example.test/password/reset/" in message.content.decode()

    def test_a_foreign_host_header_is_refused_and_sends_nothing(self, world, mailoutbox, post_reset):
        for host in ("evil.test", "testserver:1@evil.test"):
            response = post_reset("r1-owner@example.test", HTTP_HOST=host)
            assert response.status_code == 400
        assert mailoutbox == []

    def test_x_forwarded_host_is_ignored(self, world, mailoutbox, settings, post_reset):
        settings.SITE_URL = "https://portal.example.test"
        post_reset("r1-owner@example.test", HTTP_X_FORWARDED_HOST="evil.test")
        [message] = mailoutbox
        assert "evil.test" not in message.body

    def test_known_and_unknown_addresses_get_the_same_answer(self, world, mailoutbox, post_reset):
        known = post_reset("r1-owner@example.test")
        unknown = post_reset("nobody@example.test")
        assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
        assert len(mailoutbox) == 1

    def test_one_address_gets_a_few_mails_an_hour_whatever_is_asked(self, world, mailoutbox, post_reset):
        answers = {post_reset("r1-owner@example.test")["Location"] for _ in range(15)}
        assert answers == {reverse("users:password_reset_done")}
        assert len(mailoutbox) == 3
        assert post_reset("R1-Owner@Example.test")["Location"] == reverse("users:password_reset_done")
        assert len(mailoutbox) == 3  # the same address in other letters
        with time_machine.travel(time.time() + 3601):
            post_reset("r1-owner@example.test")
        assert len(mailoutbox) == 4

    def test_one_caller_cannot_mail_many_addresses(self, world, mailoutbox, post_reset):
        for number in range(25):
            make_user(f"many-{number}", email=f"many-{number}@example.test")
            post_reset(f"many-{number}@example.test", REMOTE_ADDR="203.0.113.9")
        assert len(mailoutbox) == 20
        post_reset("r1-owner@example.test", REMOTE_ADDR="203.0.113.10")
        assert len(mailoutbox) == 21  # another caller is not held back

    def test_a_look_alike_address_gets_no_mail(self, world, mailoutbox, post_reset):
        make_user("admin", email="admin@r1.test")
        post_reset("admın@r1.test")  # dotless ı
        assert mailoutbox == []

    def test_a_full_width_address_is_the_same_address(self, world, mailoutbox, post_reset):
        make_user("max", email="max@r1.test")
        post_reset("ｍａｘ@r1.test")
        assert [m.to for m in mailoutbox] == [["max@r1.test"]]

    def test_the_link_sets_a_new_password_once(self, world, mailoutbox, post_reset):
        post_reset("r1-owner@example.test")
        link = reset_link(mailoutbox[0].body).replace("http://127.0.0.1:8000", "")
        client = Client()
        form_url = client.get(link)["Location"]
        new = {"new_password1": "brand-new-secret-77", "new_password2": "brand-new-secret-77"}
        assert client.post(form_url, new)["Location"] == reverse("users:login")
        world.r1.owner.refresh_from_db()
        assert world.r1.owner.check_password("brand-new-secret-77")
        second = Client()
        response = second.get(link, follow=True)
        assert "invalid or has already been used" in response.content.decode()

    def test_the_link_expires(self, world, mailoutbox, settings, post_reset):
        post_reset("r1-owner@example.test")
        link = reset_link(mailoutbox[0].body).replace("http://127.0.0.1:8000", "")
        with time_machine.travel(time.time() + settings.PASSWORD_RESET_TIMEOUT + 60):
            response = Client().get(link, follow=True)
        assert "invalid or has already been used" in response.content.decode()
