"""The page frame: the sidebar, and the header's account menu and service-access badge."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

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


# --- Menus by role and state: an entry shows exactly when its page lets the actor in (#17 item 11) ---------


def switched_client(world, sharer_role: Role) -> Client:
    """R2's owner working in C1 (a plain customer account) through service access, with ``sharer_role``'s rights."""
    code = access_services.issue_code(world.c1.actor(sharer_role))
    access = access_services.redeem(world.r2.actor(), code)
    client = login(Client(), world.r2.owner)
    assert client.post(reverse("access:switch_in", args=[access.pk])).status_code == 302
    return client


def clients(world) -> dict[str, Client]:
    members = {
        f"{tenant}-{role.value}": login(Client(), getattr(world, tenant).user(role))
        for tenant in ("r1", "c1")
        for role in Role
    }
    return {
        **members,
        "staff": login(Client(), world.staff),
        "loner": login(Client(), world.loner),
        "switched-admin": switched_client(world, Role.ADMIN),
    }


def sidebar_links(client: Client) -> set[str]:
    body = client.get("/").content.decode()
    sidebar = body[body.index('<nav class="sidebar') : body.index("</nav>")]
    return set(re.findall(r'class="nav-link[^"]*" href="([^"]+)"', sidebar))


def lets_in(client: Client, url: str) -> bool:
    """The page answers, or sends on to a step of its own (staff without two-factor login: set it up first),
    never to the login page, a refusal or "not found"."""
    for _hop in range(5):
        response = client.get(url)
        if response.status_code != 302:
            return response.status_code == 200
        url = response["Location"]
        if url.startswith(reverse("users:login")):
            return False
    return False


def test_every_menu_entry_shows_exactly_when_its_page_lets_the_actor_in(world):
    for name, client in clients(world).items():
        shown = sidebar_links(client)
        for group in MENU:
            for item in group.items:
                url = reverse(item.url_name)
                assert (url in shown) == lets_in(client, url), f"{name}: {url} shown={url in shown}"


def test_a_plain_customer_account_has_no_reseller_menu_and_no_service_access_list(world):
    for role in Role:
        client = login(Client(), world.c1.user(role))
        links = sidebar_links(client)
        assert reverse("access:serviceaccess_list") not in links
        assert reverse("customers:endcustomer_list") not in links
        assert client.get(reverse("access:serviceaccess_list")).status_code == 404
        assert client.post(reverse("access:activate"), {"code": "ABCD-EFGH-JKMN-P"}).status_code == 404
    body = login(Client(), world.c1.owner).get("/").content.decode()
    assert ">Reseller<" not in body and ">MKM<" not in body


def test_a_reseller_admin_sees_the_service_accesses_and_an_employee_does_not(world):
    assert reverse("access:serviceaccess_list") in sidebar_links(login(Client(), world.r1.admin))
    assert reverse("access:serviceaccess_list") not in sidebar_links(login(Client(), world.r1.employee))


@pytest.mark.parametrize("sharer_role", [Role.OWNER, Role.ADMIN])
def test_while_switched_in_nothing_leads_to_a_refusal(world, sharer_role):
    client = switched_client(world, sharer_role)
    links = sidebar_links(client)
    assert reverse("accounts:settings") not in links
    assert reverse("access:serviceaccess_list") not in links
    members = client.get(reverse("accounts:membership_list")).content.decode()
    assert reverse("accounts:invitation_add") not in members
    assert "/edit/" not in members and "/delete/" not in members
    profile = client.get(reverse("users:profile")).content.decode()
    for name in ("users:password_change", "access:code", "users:two_factor_setup", "users:token_create"):
        assert f'href="{reverse(name)}"' not in profile and f'action="{reverse(name)}"' not in profile, name
    header = client.get("/").content.decode()
    assert 'data-testid="account-switcher"' not in header and 'data-testid="current-account"' in header
    # The same pages are still there for the customer's own members.
    owner = login(Client(), world.c1.owner)
    assert reverse("accounts:settings") in sidebar_links(owner)
    assert reverse("accounts:invitation_add") in owner.get(reverse("accounts:membership_list")).content.decode()


def test_each_menu_entry_names_the_model_its_list_view_requires():
    for group in MENU:
        for item in group.items:
            view_class = getattr(resolve(reverse(item.url_name)).func, "view_class", None)
            model = getattr(view_class, "model", None)
            if model is not None:
                assert item.model == model._meta.label, item.url_name
