"""The dashboard: the figures a reseller looks at first, each for the roles that may see it (#17 item 11).

The apps register their panels (``core.dashboard``); every figure is read through the tenant restriction,
with a fixed number of queries, and leads to the list behind it.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from access import services as access_services
from audit.models import AuditEntry
from conftest import login, make_customer
from core.roles import Role
from customers.models import Todo
from hosting.models import HostingServer, ResellerHosting
from hosting.tests.helpers import reseller_setup

pytestmark = pytest.mark.django_db
Status = ResellerHosting.Status


def make_hostings(tenant, statuses, *, number):
    server, _created = HostingServer.objects.get_or_create(
        name="Dashboard", defaults={"host": "127.0.0.1", "port": 1, "use_tls": False, "login": "admin", "password": "x"}
    )
    contract, product = reseller_setup(tenant, server, number=number)
    return [
        ResellerHosting.objects.create(
            account=tenant.account,
            end_customer=tenant.plain_customer,
            product=product,
            contract=contract,
            status=status,
        )
        for status in statuses
    ]


def panels(client) -> dict[str, str]:
    """The dashboard's panels: key → the panel's markup."""
    body = client.get(reverse("dashboard")).content.decode()
    found = re.findall(r'data-testid="panel-([a-z_]+)">(.*?)</div></div>\s*</div>', body, re.S)
    return dict(found)


def figures(markup: str) -> list[tuple[str, str, str]]:
    """(href, number, label) of every figure of a panel."""
    links = re.findall(
        r'<a class="[^"]*" href="([^"]+)" data-testid="figure">([^<]*)</a>(?:\s*<span[^>]*>([^<]*))?', markup
    )
    return [
        (href.replace("&amp;", "&"), text.split()[0], (label or " ".join(text.split()[1:])).strip())
        for href, text, label in links
    ]


@pytest.fixture
def busy(world):
    """R1 with hostings in three states, its owner's open to-dos (one overdue) and a held service access."""
    make_hostings(world.r1, [Status.ACTIVE, Status.ACTIVE, Status.FAILED, Status.PROVISIONING], number="o-dash1")
    make_hostings(world.r2, [Status.FAILED], number="o-dash2")
    overdue = timezone.localdate() - datetime.timedelta(days=1)
    Todo.objects.create(end_customer=world.r1.customer, title="late", due_date=overdue, assignee=world.r1.owner)
    Todo.objects.create(end_customer=world.r1.customer, title="done", status=Todo.Status.DONE, assignee=world.r1.owner)
    access_services.redeem(world.r1.actor(), access_services.issue_code(world.c1.actor(Role.ADMIN)))
    return world


def test_the_owner_sees_customers_hostings_by_state_todos_and_service_accesses(busy):
    shown = panels(login(Client(), busy.r1.owner))
    assert list(shown) == [
        "customers",
        "todos",
        "hostings",
        "service_accesses",
        "mails",
        "access_to_account",
        "members",
    ]
    assert figures(shown["customers"]) == [("/customers/", "2", "in total")]
    # The fixture's to-do plus the overdue one; the done one is not open.
    assert figures(shown["todos"]) == [
        ("/customers/todos/?status=open", "2", "open"),
        ("/customers/todos/?status=open", "1", "overdue"),
    ]
    assert figures(shown["hostings"]) == [
        ("/hostings/", "4", "in total"),
        ("/hostings/?status=provisioning", "1", "provisioning"),
        ("/hostings/?status=active", "2", "active"),
        ("/hostings/?status=failed", "1", "failed"),
    ]
    assert "link-danger" in shown["hostings"]
    assert figures(shown["service_accesses"]) == [("/service-accesses/", "1", "active")]
    assert figures(shown["members"]) == [("/account/members/", "3", "in total")]
    assert figures(shown["mails"]) == [
        ("/portal-templates/mails/?status=failed", "0", "failed"),
        ("/portal-templates/mails/?status=sent", "0", "sent"),
        ("/portal-templates/mails/?status=queued", "0", "queued"),
    ]


def test_the_failed_figure_leads_to_the_list_of_failed_hostings(busy):
    client = login(Client(), busy.r1.owner)
    href = next(href for href, _n, label in figures(panels(client)["hostings"]) if label == "failed")
    rows = client.get(href).context["table"].data
    assert [hosting.status for hosting in rows] == [Status.FAILED]


def test_an_employee_sees_no_service_accesses(busy):
    shown = panels(login(Client(), busy.r1.employee))
    assert "service_accesses" not in shown
    assert {"customers", "todos", "hostings", "members"} <= set(shown)
    # Their own to-dos only, as "My to-dos" lists them.
    assert figures(shown["todos"])[0][1] == "0"


def test_a_plain_customer_account_sees_no_reseller_figures(busy):
    for role in Role:
        shown = panels(login(Client(), busy.c1.user(role)))
        assert list(shown) == ["access_to_account", "members"]
        assert figures(shown["access_to_account"]) == [("/profile/service-access/", "1", "providers with access")]


def test_another_account_counts_only_its_own(busy):
    shown = panels(login(Client(), busy.r2.owner))
    assert figures(shown["customers"]) == [("/customers/", "2", "in total")]
    assert figures(shown["hostings"]) == [("/hostings/", "1", "in total"), ("/hostings/?status=failed", "1", "failed")]
    assert figures(shown["service_accesses"]) == [("/service-accesses/", "0", "active")]
    body = login(Client(), busy.r2.owner).get(reverse("dashboard")).content.decode()
    assert "ZZ-R1-MARKER" not in body


def test_while_switched_in_only_the_customers_own_figures_show(busy):
    access = access_services.redeem(busy.r2.actor(), access_services.issue_code(busy.c1.actor(Role.ADMIN)))
    client = login(Client(), busy.r2.owner)
    client.post(reverse("access:switch_in", args=[access.pk]))
    assert list(panels(client)) == ["members"]


def test_a_member_of_no_account_sees_no_figures(world):
    assert panels(login(Client(), world.loner)) == {}


def test_the_queries_do_not_grow_with_the_data(busy):
    client = login(Client(), busy.r1.owner)
    client.get(reverse("dashboard"))

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("dashboard")).status_code == 200
        return len(context.captured_queries)

    before = queries()
    for index in range(30):
        make_customer(busy.r1.account, f"MORE-{index}")
        Todo.objects.create(end_customer=busy.r1.customer, title=f"t{index}", assignee=busy.r1.owner)
    make_hostings(busy.r1, [Status.SUSPENDED, Status.MISSING, Status.PAUSED] * 10, number="o-dash3")
    assert queries() == before


def test_recent_activity_shows_the_latest_entries_of_the_account(busy):
    for index in range(10):
        AuditEntry.objects.create(account=busy.r1.account, user_repr=f"user{index}", action="login")
    AuditEntry.objects.create(account=busy.r2.account, user_repr="r2-someone", action="login")
    body = login(Client(), busy.r1.employee).get(reverse("dashboard")).content.decode()
    activity = body[body.index('data-testid="recent-activity"') :]
    assert "user9" in activity and "user2" in activity and "user1<" not in activity
    assert "r2-someone" not in activity
