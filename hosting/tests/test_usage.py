"""Resource usage (issue 21): read by the server check from the sandbox's stat values, stored, shown on the
hosting's page, the lists, the contract's package and the end customer's portal, and mailed daily."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.test import Client

from conftest import login
from hosting import usage
from hosting.models import HostingUsage, PackageUsage, UsageWarningMail
from hosting.tests.helpers import bind_server, reseller_setup
from hosting.tests.test_provisioning import create
from hosting.tests.test_sync import sync_now
from portal.tests.helpers import HOST_A, make_portals, portal_login

pytestmark = pytest.mark.django_db

GIB = 1024**3


@pytest.fixture
def hostings(world, sandbox, django_capture_on_commit_callbacks):
    """Two hostings of R1 on "Webhosting S" (5 GB disk space, 50 GB traffic, 1 domain, 5 mailboxes, 1 database):
    one nearly full, one hardly used; the first belongs to the customer with a portal login."""
    contract, product = reseller_setup(world.r1, bind_server(sandbox.url), number="o1442")
    capture = django_capture_on_commit_callbacks
    full = create(world.r1, product, world.r1.customer, domain="voll.example", capture=capture)
    light = create(world.r1, product, domain="leicht.example", capture=capture)
    sandbox.set_usage("voll.example", disk_space=19 * GIB // 4, max_traffic=12 * GIB, max_box=3, max_db=1)
    sandbox.set_usage("leicht.example", disk_space=GIB // 2, max_traffic=GIB, max_box=1)
    return contract, full, light


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


class TestServerCheck:
    def test_the_check_stores_usage_limits_and_time(self, hostings):
        _contract, full, light = hostings
        assert not HostingUsage.objects.exists()
        sync_now()
        stored = HostingUsage.objects.get(hosting=full)
        assert stored.used["disk_space"] == 19 * GIB // 4
        assert stored.used["max_traffic"] == 12 * GIB
        assert (stored.used["max_box"], stored.used["max_db"], stored.used["max_site"]) == (3, 1, 1)
        assert stored.limits["disk_space"] == 5 * GIB and stored.limits["max_box"] == 5
        assert stored.peak_percent == 95  # disk space: 4.75 of 5 GB
        assert stored.read_at is not None
        assert HostingUsage.objects.get(hosting=light).peak_percent == 10

    def test_the_check_stores_the_resellers_package(self, hostings):
        contract, _full, _light = hostings
        sync_now()
        package = PackageUsage.objects.get(contract=contract)
        assert package.limits["disk_space"] == 5 * 1024 * GIB
        # The demo's two old subscriptions (S and M) and the two new ones (S): 5 + 20 + 5 + 5 GB given.
        assert package.allocated["disk_space"] == 35 * GIB
        assert package.remaining["disk_space"] == (5 * 1024 - 35) * GIB
        assert package.used["max_webspaces"] == 4
        assert package.used["max_box"] >= 4

    def test_an_unreachable_server_keeps_what_was_read(self, hostings, sandbox):
        _contract, full, _light = hostings
        sync_now()
        before = HostingUsage.objects.get(hosting=full)
        sandbox.stop()
        sync_now()
        after = HostingUsage.objects.get(hosting=full)
        assert (after.read_at, after.used) == (before.read_at, before.used)


class TestPages:
    def test_the_hosting_page_shows_the_sandboxs_figures_after_a_check(self, world, hostings):
        _contract, full, _light = hostings
        client = login(Client(), world.r1.employee)
        before = page(client, f"/hostings/{full.pk}/")
        assert 'data-testid="hosting-usage"' in before and "Not read from the server yet" in before
        sync_now()
        html = page(client, f"/hostings/{full.pk}/")
        assert 'data-testid="usage-read-at"' in html
        assert "4.8\xa0GB" in html and "5.0\xa0GB" in html  # disk space of the plan's 5 GB
        assert "12.0\xa0GB" in html and "50.0\xa0GB" in html  # traffic this month
        assert "95 %" in html
        assert ">3 <" in html.replace("\n", "")  # three mailboxes …
        assert "/ 5</span>" in html  # … of five

    def test_the_lists_mark_hostings_at_90_percent(self, world, hostings):
        contract, full, light = hostings
        sync_now()
        client = login(Client(), world.r1.employee)
        for url in ("/hostings/", f"/hostings/contracts/{contract.pk}/hostings/"):
            html = page(client, url)
            assert html.count('data-testid="usage-mark"') == 1, url
            marked = html.split('data-testid="usage-mark"')[0].rsplit("<tr", 1)[1]
            assert "voll.example" in marked and "leicht.example" not in marked
        # The exports hold every hosting's highest share.
        export = b"".join(client.get("/hostings/?export=csv").streaming_content).decode()
        assert "95 %" in export and "10 %" in export

    def test_the_contract_shows_the_package(self, world, hostings):
        contract, _full, _light = hostings
        client = login(Client(), world.r1.employee)
        assert "Not read from the server yet" in page(client, f"/hostings/contracts/{contract.pk}/hostings/")
        sync_now()
        html = page(client, f"/hostings/contracts/{contract.pk}/hostings/")
        assert 'data-testid="package-usage"' in html
        assert "5.0\xa0TB" in html  # the package's disk space
        assert "35.0\xa0GB" in html  # given to the four subscriptions

    def test_in_german(self, world, hostings):
        _contract, full, _light = hostings
        sync_now()
        client = login(Client(), world.r1.employee)
        client.cookies["django_language"] = "de"
        html = page(client, f"/hostings/{full.pk}/")
        assert "Ressourcenverbrauch" in html and "Speicherplatz" in html and "4,8\xa0GB" in html

    def test_another_account_sees_nothing(self, world, hostings):
        contract, full, _light = hostings
        sync_now()
        client = login(Client(), world.r2.owner)
        assert client.get(f"/hostings/{full.pk}/").status_code == 404
        assert client.get(f"/hostings/contracts/{contract.pk}/hostings/").status_code == 404
        assert 'data-testid="usage-mark"' not in page(client, "/hostings/")

    def test_the_end_customer_sees_its_hostings_usage(self, world, hostings):
        _contract, full, light = hostings
        make_portals(world)
        sync_now()
        client, _response = portal_login(HOST_A, world.r1.portal_user.user)
        html = page(client, f"/hostings/{full.pk}/")
        assert 'data-testid="hosting-usage"' in html and "4.8\xa0GB" in html and "95 %" in html
        assert client.get(f"/hostings/{light.pk}/").status_code == 404  # another customer's


class TestDailyMail:
    def send(self, capture, day=date(2026, 12, 7)) -> int:
        with capture(execute=True):
            return usage.send_warnings(day)

    def test_owners_and_admins_get_the_hostings_over_90_percent_once_a_day(
        self, world, hostings, mailoutbox, django_capture_on_commit_callbacks
    ):
        _contract, full, _light = hostings
        sync_now()
        assert self.send(django_capture_on_commit_callbacks) == 1
        [mail] = mailoutbox
        assert sorted(mail.to) == sorted([world.r1.owner.email, world.r1.admin.email])
        assert mail.subject == "One hosting is near its limits"
        assert "voll.example" in mail.body and "leicht.example" not in mail.body
        assert "Disk space 4.8\xa0GB / 5.0\xa0GB (95 %)" in mail.body
        assert f"/hostings/{full.pk}/" in mail.body
        # The same day again: nothing; the next day: again.
        assert self.send(django_capture_on_commit_callbacks) == 0
        assert len(mailoutbox) == 1
        assert self.send(django_capture_on_commit_callbacks, date(2026, 12, 8)) == 1
        assert UsageWarningMail.objects.count() == 2

    def test_nothing_to_report_sends_nothing(
        self, world, hostings, sandbox, mailoutbox, django_capture_on_commit_callbacks
    ):
        sandbox.set_usage("voll.example", disk_space=GIB)
        sync_now()
        assert self.send(django_capture_on_commit_callbacks) == 0
        assert mailoutbox == [] and not UsageWarningMail.objects.exists()

    def test_the_command_through_smtp(self, world, hostings, smtp_server, django_capture_on_commit_callbacks):
        sync_now()
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("mail_usage_warnings", stdout=out)
        assert out.getvalue() == "1 usage warning(s) sent.\n"
        [envelope] = smtp_server.messages
        assert sorted(envelope.rcpt_tos) == sorted([world.r1.owner.email, world.r1.admin.email])
        assert b"voll.example" in envelope.content
