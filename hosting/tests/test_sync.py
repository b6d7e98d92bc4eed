"""The server check (drift): subscriptions deleted, suspended or changed in Plesk itself (issue 5).

Real sandbox over HTTP; the changes are made the way an operator would, with
the Plesk API as the reseller.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from conftest import login
from hosting import sync
from hosting.models import ProvisioningEvent, ResellerHosting
from hosting.tests.helpers import ADMIN_PW, RESELLER_PW, bind_server, reseller_setup
from hosting.tests.test_provisioning import create, reseller_client
from plesk import PleskClient

pytestmark = pytest.mark.django_db

Status = ResellerHosting.Status


@pytest.fixture
def hostings(world, sandbox, django_capture_on_commit_callbacks):
    contract, product = reseller_setup(world.r1, bind_server(sandbox.url), number="o1441")
    made = [
        create(world.r1, product, domain=f"drift-{n}.example", capture=django_capture_on_commit_callbacks)
        for n in range(4)
    ]
    assert all(h.status == Status.ACTIVE for h in made)
    return contract, made


def admin_client(sandbox) -> PleskClient:
    return PleskClient(sandbox.url, login="admin", password=ADMIN_PW, allow_insecure_http=True)


def checks(hosting) -> list[str]:
    events = ProvisioningEvent.objects.filter(hosting=hosting, kind=ProvisioningEvent.Kind.SERVER_CHECK)
    return [event.text for event in events]


def sync_now() -> str:
    out = io.StringIO()
    call_command("sync_hostings", stdout=out)  # the tasks run at once with the test backend
    return out.getvalue()


class TestDrift:
    def test_deleted_suspended_and_replanned_subscriptions_are_marked(self, world, sandbox, hostings):
        contract, (deleted, suspended, replanned, untouched) = hostings
        with admin_client(sandbox) as admin:
            admin.set_webspace(id=suspended.subscription_id, status=16)  # the provider suspends one
        with reseller_client(sandbox) as plesk:
            plesk.delete_webspace(id=deleted.subscription_id)
            plan_m = next(p for p in plesk.get_service_plans() if p.name == "Webhosting M")
            plesk.switch_webspace_plan(id=replanned.subscription_id, plan_guid=plan_m.guid)
        assert sync_now() == "1 server check(s) enqueued.\n"
        for hosting in (deleted, suspended, replanned, untouched):
            hosting.refresh_from_db()
            assert hosting.checked_at is not None
        assert (deleted.status, deleted.drift) == (Status.MISSING, "The subscription no longer exists on the server.")
        assert (suspended.status, suspended.drift) == (Status.SUSPENDED, "Suspended on the server.")
        assert replanned.status == Status.ACTIVE
        assert replanned.drift == "Uses the service plan Webhosting M on the server instead of Webhosting S."
        assert (untouched.status, untouched.drift) == (Status.ACTIVE, "")
        assert checks(untouched) == []
        # A second run changes nothing and adds nothing to the timelines.
        sync_now()
        assert [len(checks(h)) for h in (deleted, suspended, replanned)] == [1, 1, 1]
        # The reseller sees it in the list and on the hosting.
        client = login(Client(), world.r1.owner)
        page = client.get(f"/hostings/contracts/{contract.pk}/hostings/").content.decode()
        assert page.count('data-testid="hosting-drift"') == 1  # the other two say it with their status
        assert 'data-status="missing"' in page and 'data-status="suspended"' in page
        detail = client.get(f"/hostings/{replanned.pk}/").content.decode()
        assert "Uses the service plan Webhosting M on the server instead of Webhosting S." in detail
        api = client.get(reverse("api:get_hosting", kwargs={"hosting_id": deleted.pk})).json()
        assert (api["status"], api["drift"]) == ("missing", "The subscription no longer exists on the server.")
        assert api["timeline"][-1]["kind"] == "server_check"

    def test_a_product_with_a_plan_guid_is_compared_by_guid(self, sandbox, hostings):
        """Products made in the portal carry the plan's GUID (plans are read live); that is what is compared."""
        _contract, (hosting, other, *_rest) = hostings
        with reseller_client(sandbox) as plesk:
            plans = {p.name: p.guid for p in plesk.get_service_plans()}
            plesk.switch_webspace_plan(id=hosting.subscription_id, plan_guid=plans["Webhosting L"])
        product = hosting.product
        product.plan_guid = plans["Webhosting S"]
        product.save()
        sync_now()
        hosting.refresh_from_db()
        other.refresh_from_db()
        assert hosting.drift == "Uses the service plan Webhosting L on the server instead of Webhosting S."
        assert other.drift == ""  # same product, unchanged plan: the GUIDs match

    def test_a_subscription_back_to_normal_is_active_again(self, sandbox, hostings):
        _contract, (hosting, *_rest) = hostings
        with reseller_client(sandbox) as plesk:
            plesk.set_webspace(id=hosting.subscription_id, status=32)  # suspended by the reseller in Plesk
        sync_now()
        hosting.refresh_from_db()
        assert hosting.status == Status.SUSPENDED
        with reseller_client(sandbox) as plesk:
            plesk.set_webspace(id=hosting.subscription_id, status=0)
        sync_now()
        hosting.refresh_from_db()
        assert (hosting.status, hosting.drift) == (Status.ACTIVE, "")
        assert checks(hosting) == ["Suspended on the server.", "Matches the server again."]

    def test_a_renamed_subscription_keeps_its_record_and_says_how_it_differs(self, sandbox, hostings):
        _contract, (hosting, *_rest) = hostings
        with reseller_client(sandbox) as plesk:
            plesk.set_webspace(id=hosting.subscription_id, new_name="umbenannt.example")
        sync_now()
        hosting.refresh_from_db()
        assert hosting.status == Status.ACTIVE and hosting.subscription_name == "drift-0.example"
        assert hosting.drift == "Renamed on the server to umbenannt.example."

    def test_an_unreachable_server_changes_nothing(self, sandbox, hostings):
        contract, made = hostings
        sandbox.stop()
        result = sync.check_contract(contract.pk)
        assert result.checked == 0 and "cannot be reached" in result.error
        for hosting in made:
            hosting.refresh_from_db()
            assert (hosting.status, hosting.drift, hosting.checked_at) == (Status.ACTIVE, "", None)

    def test_each_contract_is_checked_with_its_own_reseller_login_only(self, world, sandbox, hostings):
        """R2's reseller login on the same server cannot see R1's subscriptions, and R1's hostings are untouched."""
        contract, made = hostings
        with admin_client(sandbox) as admin:
            admin.add_reseller(login="reseller-two", password=RESELLER_PW, name="Zweiter Reseller")
        other_contract, other_product = reseller_setup(world.r2, contract.hosting_server, number="o2441")
        other_contract.plesk_login = "reseller-two"
        other_contract.save()
        # A hosting of R2 that claims one of R1's subscriptions.
        foreign = ResellerHosting.objects.create(
            account=world.r2.account,
            end_customer=world.r2.plain_customer,
            product=other_product,
            contract=other_contract,
            status=Status.ACTIVE,
            linked=True,
            subscription_id=made[0].subscription_id,
            subscription_name=made[0].subscription_name,
        )
        result = sync.check_contract(other_contract.pk)
        assert (result.checked, result.error) == (1, "")
        foreign.refresh_from_db()
        assert foreign.status == Status.MISSING
        made[0].refresh_from_db()
        assert (made[0].status, made[0].checked_at) == (Status.ACTIVE, None)

    def test_a_refused_login_stops_the_checks_of_that_contract(self, sandbox, hostings):
        contract, made = hostings
        contract.plesk_password = "wrong-password"
        contract.save()
        result = sync.check_contract(contract.pk)
        assert "refused" in result.error
        contract.refresh_from_db()
        assert contract.plesk_login_refused_at is not None
        assert list(sync.contracts_to_check()) == []
        for hosting in made:
            hosting.refresh_from_db()
            assert hosting.status == Status.ACTIVE
