"""The page frame: the sidebar, and the header's account menu and service-access badge."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from access import services as access_services
from conftest import login
from core.navigation import MENU
from core.roles import Role

pytestmark = pytest.mark.django_db


def reads_of(queries, table: str) -> list[str]:
    return [query["sql"] for query in queries if f'FROM "{table}"' in query["sql"]]


def test_every_sidebar_entry_names_a_page():
    for group in MENU:
        for item in group.items:
            assert reverse(item.url_name)


def test_the_sidebar_marks_the_current_page(world):
    body = login(Client(), world.r1.owner).get(reverse("customers:endcustomer_list")).content.decode()
    assert body.count("nav-link active") == 1
    assert f'<a class="nav-link active" href="{reverse("customers:endcustomer_list")}">' in body


def test_the_sidebar_shows_what_the_role_may_use(world):
    settings_link = f'href="{reverse("accounts:settings")}"'
    assert settings_link in login(Client(), world.r1.owner).get("/").content.decode()
    assert settings_link not in login(Client(), world.r1.employee).get("/").content.decode()


def test_the_menu_and_the_badge_are_read_once_for_a_page_and_not_for_a_fragment(world):
    access_services.redeem(world.r2.actor(), access_services.issue_code(world.c1.actor(Role.ADMIN)))
    customer = login(Client(), world.c1.admin)
    with CaptureQueriesContext(connection) as page:
        body = customer.get(reverse("accounts:membership_list")).content.decode()
    assert 'data-testid="account-switcher"' in body and 'data-testid="access-badge"' in body
    assert len(reads_of(page, "accounts_account")) == 1
    assert len(reads_of(page, "access_serviceaccess")) == 1

    provider = login(Client(), world.r2.owner)
    with CaptureQueriesContext(connection) as fragment:
        response = provider.get(reverse("access:activate"), headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.content.decode()
    assert reads_of(fragment, "accounts_account") == []
    assert reads_of(fragment, "access_serviceaccess") == []
