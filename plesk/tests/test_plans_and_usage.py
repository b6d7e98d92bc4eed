"""A reseller's own hosting plans, its package limits, and what subscriptions use: client ↔ sandbox over HTTP."""

from __future__ import annotations

import httpx
import pytest

from plesk import (
    UNLIMITED,
    LimitName,
    PleskAPIError,
    PleskLimitExceeded,
    PleskNotFound,
    Status,
    limits,
)
from plesk.sandbox.demo import GIB

from .conftest import RESELLER, make_client
from .test_client_operations import CUSTOMER_PASSWORD, add_customer, add_webspace

MIB = 1024**2


def reseller_account(sandbox):
    return sandbox.state.account_by_login(RESELLER)


def set_package(sandbox, **package: int) -> None:
    with sandbox.engine.lock:
        reseller_account(sandbox).limits.update(package)


@pytest.fixture(autouse=True)
def small_package(sandbox):
    """A package of 500 GiB, 100 subscriptions and 50 customers for the demo reseller."""
    set_package(sandbox, disk_space=500 * GIB, max_webspaces=100, max_cl=50)


# --- service-plan set -------------------------------------------------------------------------------


def test_plan_set_changes_the_plan_and_its_subscriptions(admin, reseller):
    plan = reseller.get_service_plan(name="Webhosting S")
    before = admin.get_webspace(name="kunde-alt.example", limits=True)
    assert before.limits[LimitName.DISK_SPACE] == 5 * GIB

    changed = reseller.set_service_plan(
        id=plan.id,
        limits={LimitName.DISK_SPACE: 8 * GIB, LimitName.MAX_BOX: UNLIMITED},
        overuse="not_suspend",
        hosting={"php_handler_id": "plesk-php84-fpm"},
        new_name="Webhosting S+",
        new_external_id="portal-plan-s",
    )
    assert changed == plan.id
    updated = reseller.get_service_plan(external_id="portal-plan-s")
    assert (updated.name, updated.guid, updated.overuse) == ("Webhosting S+", plan.guid, "not_suspend")
    assert updated.limits[LimitName.DISK_SPACE] == 8 * GIB
    assert updated.limits[LimitName.MAX_BOX] == UNLIMITED
    assert updated.limits[LimitName.MAX_SITE] == 1  # not given: kept
    assert updated.hosting["php_handler_id"] == "plesk-php84-fpm"

    # Plesk syncs the subscriptions on the plan.
    after = admin.get_webspace(name="kunde-alt.example", limits=True)
    assert after.limits[LimitName.DISK_SPACE] == 8 * GIB
    assert after.limits[LimitName.MAX_BOX] == UNLIMITED
    assert after.hosting["php_handler_id"] == "plesk-php84-fpm"
    other = admin.get_webspace(name="shop-alt.example", limits=True)
    assert other.limits[LimitName.DISK_SPACE] == 20 * GIB


def test_plan_set_errors(admin, reseller):
    with pytest.raises(PleskNotFound):
        reseller.set_service_plan(name="No Such Plan", limits={LimitName.MAX_DB: 2})
    with pytest.raises(PleskNotFound):
        reseller.set_service_plan(name="Default Domain", limits={LimitName.MAX_DB: 2})  # the admin's plan
    with pytest.raises(PleskAPIError) as duplicate:
        reseller.set_service_plan(name="Webhosting S", new_name="Webhosting M")
    assert duplicate.value.errcode == 1007
    assert admin.set_service_plan(name="Webhosting L", owner_login=RESELLER, limits={LimitName.MAX_DB: 30})
    assert reseller.get_service_plan(name="Webhosting L").limits[LimitName.MAX_DB] == 30
    with pytest.raises(ValueError):
        reseller.set_service_plan(limits={LimitName.MAX_DB: 2})  # an empty filter would change every plan


# --- the reseller's package ------------------------------------------------------------------------


def test_reseller_get_reports_limits_usage_and_oversell(admin, sandbox):
    sandbox.set_usage("kunde-alt.example", disk_space=100 * MIB, max_traffic=2 * GIB, max_box=3)
    demo = admin.get_reseller(login=RESELLER, stat=True, limits=True)
    assert demo.limits[LimitName.DISK_SPACE] == 500 * GIB
    assert (demo.oversell, demo.overuse) == (False, "normal")
    usage = demo.usage
    assert usage is not None
    assert (usage.clients, usage.active_clients, usage.domains, usage.active_domains) == (2, 2, 2, 2)
    assert usage.disk_space == 100 * MIB + 310 * MIB
    assert usage.traffic == 2 * GIB + 186 * GIB
    assert (usage.mailboxes, usage.databases, usage.subdomains) == (3 + 12, 1 + 3, 1 + 4)
    assert admin.get_reseller(login=RESELLER).usage is None


def test_reseller_package_allocated_and_remaining(admin):
    package = admin.get_reseller_package(RESELLER)
    assert package.reseller.login == RESELLER and not package.oversell
    assert {w.name for w in package.subscriptions} == {"kunde-alt.example", "shop-alt.example"}
    assert package.allocated[LimitName.DISK_SPACE] == (5 + 20) * GIB
    assert package.allocated[LimitName.MAX_WEBSPACES] == 2
    assert package.allocated[LimitName.MAX_BOX] == 5 + 25
    assert package.remaining[LimitName.DISK_SPACE] == 475 * GIB
    assert package.remaining[LimitName.MAX_WEBSPACES] == 98
    assert (package.allocated[LimitName.MAX_CL], package.remaining[LimitName.MAX_CL]) == (2, 48)
    assert limits.exceeding({LimitName.DISK_SPACE: 475 * GIB}, package.remaining) == {}
    assert limits.exceeding({LimitName.DISK_SPACE: 476 * GIB}, package.remaining) == {LimitName.DISK_SPACE: 475 * GIB}


def test_a_plan_beyond_what_is_left_is_refused(reseller, admin, sandbox):
    with pytest.raises(PleskLimitExceeded) as caught:
        reseller.add_service_plan("Too big", limits={LimitName.DISK_SPACE: 476 * GIB}, external_id="portal-plan-big")
    assert caught.value.errcode == 1024
    assert "disk_space" in caught.value.errtext
    assert sandbox.create_count("service-plan", external_id="portal-plan-big") == 0
    with pytest.raises(PleskLimitExceeded):
        reseller.add_service_plan("Unbounded", limits={LimitName.DISK_SPACE: UNLIMITED})
    with pytest.raises(PleskLimitExceeded):  # the admin creating it for the reseller changes nothing
        admin.add_service_plan("Too big", owner_login=RESELLER, limits={LimitName.DISK_SPACE: 500 * GIB})

    ref = reseller.add_service_plan("Just fits", limits={LimitName.DISK_SPACE: 475 * GIB, LimitName.MAX_DB: -1})
    assert reseller.get_service_plan(id=ref.id).limits[LimitName.DISK_SPACE] == 475 * GIB  # max_db is not bounded

    set_package(sandbox, mbox_quota=2 * GIB)
    with pytest.raises(PleskLimitExceeded) as quota:
        reseller.add_service_plan("Big boxes", limits={LimitName.MBOX_QUOTA: 3 * GIB})
    assert "mbox_quota" in quota.value.errtext
    reseller.add_service_plan("Small boxes", limits={LimitName.MBOX_QUOTA: 2 * GIB})


def test_oversell_lifts_the_package_check(reseller, sandbox):
    with sandbox.engine.lock:
        reseller_account(sandbox).permissions["allow_oversell"] = True
    reseller.add_service_plan("Oversold", limits={LimitName.DISK_SPACE: 10_000 * GIB})


def test_a_plan_change_must_fit_for_every_subscription_on_it(reseller, sandbox):
    # 500 GiB: Webhosting M's subscription holds 20, so the one on Webhosting S may have 480.
    reseller.set_service_plan(name="Webhosting S", limits={LimitName.DISK_SPACE: 480 * GIB})
    with pytest.raises(PleskLimitExceeded):
        reseller.set_service_plan(name="Webhosting S", limits={LimitName.DISK_SPACE: 481 * GIB})
    assert reseller.get_service_plan(name="Webhosting S").limits[LimitName.DISK_SPACE] == 480 * GIB
    with pytest.raises(PleskLimitExceeded):
        reseller.set_service_plan(name="Webhosting L", limits={LimitName.DISK_SPACE: 1 * GIB})  # nothing left


def test_a_subscription_beyond_the_package_is_refused(admin, reseller, sandbox):
    set_package(sandbox, disk_space=30 * GIB)
    customer = add_customer(admin)
    with pytest.raises(PleskLimitExceeded) as caught:
        add_webspace(admin, owner_id=customer.id, plan_name="Webhosting M", external_id="portal-sub-m")
    assert "disk_space (available: 5368709120)" in caught.value.errtext
    assert sandbox.create_count("webspace", external_id="portal-sub-m") == 0
    add_webspace(admin, owner_id=customer.id, plan_name="Webhosting S")
    with pytest.raises(PleskLimitExceeded):
        add_webspace(admin, "example.net", owner_id=customer.id, plan_name="Webhosting S", ftp_login="netftp")

    set_package(sandbox, disk_space=UNLIMITED, max_webspaces=3)
    with pytest.raises(PleskLimitExceeded) as count:
        add_webspace(reseller, "example.org", owner_id=customer.id, plan_name="Webhosting S", ftp_login="orgftp")
    assert "max_webspaces" in count.value.errtext


def test_a_customer_beyond_the_package_is_refused(reseller, sandbox):
    set_package(sandbox, max_cl=3)
    reseller.add_customer(login="third", password=CUSTOMER_PASSWORD, name="Third")
    with pytest.raises(PleskLimitExceeded) as caught:
        reseller.add_customer(login="fourth", password=CUSTOMER_PASSWORD, name="Fourth")
    assert "max_cl" in caught.value.errtext


# --- subscriptions: usage, suspension, plan change ------------------------------------------------


def test_webspace_usage_from_stat_and_resource_usage(admin, sandbox):
    webspace = admin.get_webspace(name="shop-alt.example", usage=True, limits=True)
    usage = webspace.usage
    assert usage is not None
    assert (usage.disk_space, usage.traffic, usage.mailboxes, usage.databases) == (310 * MIB, 186 * GIB, 12, 3)
    assert (usage.domains, usage.subdomains, usage.domain_aliases, usage.ftp_users) == (2, 4, 0, 0)
    assert usage.resources["max_box"] == 12
    assert usage.used(LimitName.MAX_TRAFFIC) / webspace.limits[LimitName.MAX_TRAFFIC] > 0.9
    assert usage.used(LimitName.MBOX_QUOTA) is None
    assert admin.get_webspace(name="shop-alt.example").usage is None

    sandbox.set_usage(
        "shop-alt.example", disk_space=GIB, max_dom_aliases=2, max_subftp_users=1, max_box=0, traffic_prevday=5
    )
    [changed] = admin.get_webspaces(owner_logins=["shop-alt"], usage=True)
    assert changed.usage is not None
    assert (changed.usage.disk_space, changed.usage.domain_aliases, changed.usage.ftp_users) == (GIB, 2, 1)
    assert (changed.usage.mailboxes, changed.usage.traffic_prevday) == (0, 5)
    assert admin.get_customer(login="shop-alt", stat=True).active_domains == 1
    with pytest.raises(KeyError):
        sandbox.set_usage("shop-alt.example", max_nonsense=1)
    with pytest.raises(LookupError):
        sandbox.set_usage("nosuch.example", max_box=1)


def test_usage_can_be_set_over_http_from_loopback(admin, sandbox):
    with httpx.Client(trust_env=False) as http:
        answer = http.post(
            f"{sandbox.base_url}/_sandbox/usage", json={"webspace": "kunde-alt.example", "usage": {"max_db": 1}}
        )
        assert answer.status_code == 200
        bad = http.post(f"{sandbox.base_url}/_sandbox/usage", json={"webspace": "kunde-alt.example", "usage": 3})
        assert bad.status_code == 400
    assert admin.get_webspace(name="kunde-alt.example", usage=True).usage.databases == 1


def test_suspend_and_unsuspend_a_subscription_and_its_customer(admin, sandbox):
    admin.set_webspace(name="kunde-alt.example", status=Status.DISABLED_BY_ADMIN)
    admin.set_customer(login="kunde-alt", status=Status.DISABLED_BY_ADMIN)
    assert admin.get_webspace(name="kunde-alt.example").status == 16
    assert admin.get_customer(login="kunde-alt").status == 16
    assert admin.get_reseller(login=RESELLER, stat=True).usage.active_domains == 1
    password = sandbox.demo["kunde-alt"]
    with make_client(sandbox, "kunde-alt", password) as customer, pytest.raises(PleskAPIError) as refused:
        customer.get_protos()
    assert refused.value.errcode == 1011

    admin.set_customer(login="kunde-alt", status=Status.ACTIVE)
    admin.set_webspace(name="kunde-alt.example", status=Status.ACTIVE)
    assert admin.get_webspace(name="kunde-alt.example").active
    with make_client(sandbox, "kunde-alt", password) as customer:
        assert customer.get_protos()


def test_switching_to_a_plan_the_usage_does_not_fit_is_refused(admin, reseller):
    small = reseller.get_service_plan(name="Webhosting S")
    large = reseller.get_service_plan(name="Webhosting L")
    with pytest.raises(PleskAPIError) as caught:
        admin.switch_webspace_plan(name="shop-alt.example", plan_guid=small.guid)
    assert caught.value.errcode == 1023
    assert caught.value.errtext.startswith("Unable to accept the template: the following limitations are exceeded:")
    assert "max_traffic" in caught.value.errtext and "max_box" in caught.value.errtext
    assert "disk_space" not in caught.value.errtext  # 310 MiB of 5 GiB
    medium_guid = admin.get_webspace(name="shop-alt.example").plan_guid
    assert medium_guid != small.guid

    admin.switch_webspace_plan(name="shop-alt.example", plan_guid=large.guid)
    switched = admin.get_webspace(name="shop-alt.example", limits=True)
    assert (switched.plan_guid, switched.limits[LimitName.MAX_TRAFFIC]) == (large.guid, UNLIMITED)


def test_switching_beyond_the_package_is_refused(admin, reseller, sandbox):
    set_package(sandbox, disk_space=55 * GIB)
    large = reseller.get_service_plan(name="Webhosting L")
    with pytest.raises(PleskLimitExceeded):
        admin.switch_webspace_plan(name="kunde-alt.example", plan_guid=large.guid)  # 50 beside M's 20
    admin.switch_webspace_plan(name="shop-alt.example", plan_guid=large.guid)  # 50 beside S's 5


def test_deleting_a_subscription_and_then_its_customer(admin, sandbox):
    admin.delete_webspace(name="kunde-alt.example")
    assert admin.get_webspaces(owner_logins=["kunde-alt"]) == []
    assert admin.get_reseller_package(RESELLER).allocated[LimitName.DISK_SPACE] == 20 * GIB
    admin.delete_customer(login="kunde-alt")
    with pytest.raises(PleskNotFound):
        admin.get_customer(login="kunde-alt")
    assert sandbox.delete_count("webspace", name="kunde-alt.example") == 1
    assert sandbox.delete_count("customer", name="kunde-alt") == 1


# --- plesk.limits ---------------------------------------------------------------------------------


def test_limit_arithmetic():
    given = limits.allocated(
        [
            {"disk_space": 5, "max_box": 2, "mbox_quota": 9, "expiration": 1},
            {"disk_space": 7, "max_box": UNLIMITED},
        ]
    )
    assert given == {"max_webspaces": 2, "disk_space": 12, "max_box": UNLIMITED}
    package = {"disk_space": 20, "max_box": 50, "mbox_quota": 8, "max_db": UNLIMITED, "max_webspaces": 2, "max_cl": 4}
    left = limits.remaining(package, given)
    assert left == {
        "disk_space": 8,
        "max_box": 0,
        "mbox_quota": 8,
        "max_db": UNLIMITED,
        "max_webspaces": 0,
        "max_cl": 4,  # no customers counted
    }
    assert limits.exceeding({"disk_space": 8, "max_db": UNLIMITED, "mbox_quota": 8}, left) == {}
    assert limits.exceeding({"disk_space": 4}, left, count=3) == {"disk_space": 8}
    assert limits.exceeding({"disk_space": UNLIMITED, "mbox_quota": 9, "max_box": 1}, left) == {
        "disk_space": 8,
        "mbox_quota": 8,
        "max_box": 0,
    }


def test_a_plan_change_checks_only_the_limits_it_names(reseller, sandbox):
    set_package(sandbox, disk_space=10 * GIB)  # shrunk below what the subscriptions hold
    reseller.set_service_plan(name="Webhosting S", new_name="Webhosting Small", limits={LimitName.MAX_DB: 2})
    with pytest.raises(PleskLimitExceeded):
        reseller.set_service_plan(name="Webhosting Small", limits={LimitName.DISK_SPACE: 6 * GIB})
