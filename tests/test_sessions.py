"""Sessions: a new key at login and at every switch, and a lifetime fixed at login that nothing extends."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from access import services as access_services
from access.models import ServiceAccess
from accounts.models import Membership
from conftest import PASSWORD
from core.roles import Role

pytestmark = pytest.mark.django_db

START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
LIFETIME = timedelta(seconds=settings.SESSION_COOKIE_AGE)


def log_in(user) -> Client:
    client = Client()
    response = client.post(reverse("users:login"), {"username": user.username, "password": PASSWORD})
    assert response["Location"] == reverse("dashboard")
    return client


def key_of(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def works_with(key) -> bool:
    """Whether a request carrying only this session key is logged in."""
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    return replay.get(reverse("dashboard")).status_code == 200


@pytest.fixture
def access(world):
    """A service access C1's admin shared with R2, which R2's owner may switch into."""
    code = access_services.issue_code(world.c1.actor(Role.ADMIN))
    return access_services.redeem(world.r2.actor(), code)


def switch_account(client, account):
    assert client.post(reverse("accounts:switch"), {"account": account.pk}).status_code == 302


def switch_in(client, access: ServiceAccess):
    assert client.post(reverse("access:switch_in", args=[access.pk])).status_code == 302


def switch_out(client):
    assert client.post(reverse("access:switch_out")).status_code == 302


def test_login_gives_a_new_key_and_a_lifetime_from_now(world):
    with time_machine.travel(START, tick=False):
        client = Client()
        before = client.session.session_key  # the visitor's session before login
        client.post(reverse("users:login"), {"username": world.r1.owner.username, "password": PASSWORD})
        assert key_of(client) != before
        assert client.session.get_expiry_date() == START + LIFETIME


def test_an_account_switch_gives_a_new_key_and_the_old_one_stops_working(world):
    Membership.objects.create(account=world.r2.account, user=world.r1.owner, role=Role.EMPLOYEE)
    client = log_in(world.r1.owner)
    before = key_of(client)
    switch_account(client, world.r2.account)
    assert key_of(client) != before
    assert works_with(key_of(client))
    assert not works_with(before)


def test_switching_in_and_out_gives_a_new_key_each_way(world, access):
    client = log_in(world.r2.owner)
    own = key_of(client)
    switch_in(client, access)
    inside = key_of(client)
    switch_out(client)
    assert len({own, inside, key_of(client)}) == 3
    assert not works_with(own)
    assert not works_with(inside)
    assert works_with(key_of(client))


def test_activity_does_not_extend_the_session(world):
    with time_machine.travel(START, tick=False) as clock:
        client = log_in(world.r1.owner)
        clock.shift(LIFETIME - timedelta(minutes=1))
        assert client.get(reverse("dashboard")).status_code == 200
        clock.shift(timedelta(minutes=2))
        assert client.get(reverse("dashboard"))["Location"].startswith(reverse("users:login"))


@pytest.mark.parametrize("switch", ["account", "service access in", "service access out"])
def test_no_switch_extends_the_lifetime_set_at_login(world, access, switch):
    Membership.objects.create(account=world.c1.account, user=world.r2.owner, role=Role.EMPLOYEE)
    with time_machine.travel(START, tick=False) as clock:
        client = log_in(world.r2.owner)
        clock.shift(LIFETIME - timedelta(minutes=1))
        if switch == "account":
            switch_account(client, world.c1.account)
        else:
            switch_in(client, access)
        if switch == "service access out":
            switch_out(client)
        assert client.session.get_expiry_date() == START + LIFETIME
        assert client.get(reverse("dashboard")).status_code == 200
        clock.shift(timedelta(minutes=2))
        assert client.get(reverse("dashboard"))["Location"].startswith(reverse("users:login"))
