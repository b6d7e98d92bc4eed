"""The client against the sandbox over real loopback HTTP: every operation, its results and its errors."""

from __future__ import annotations

import pytest

from plesk import (
    PleskAlreadyExists,
    PleskAPIError,
    PleskAuthError,
    PleskNotFound,
    PleskOwnerNotFound,
    PleskPermissionDenied,
    Status,
    ops,
)
from plesk.sandbox import SandboxServer

from .conftest import ADMIN_PASSWORD, RESELLER, make_client

CUSTOMER_PASSWORD = "S3cure!Passw0rd"
FTP_PASSWORD = "Ftp!Passw0rd-1"


def add_customer(client, login: str = "jdoe", **extra):
    extra.setdefault("owner_login", RESELLER)
    extra.setdefault("external_id", f"portal-cust-{login}")
    return client.add_customer(login=login, password=CUSTOMER_PASSWORD, name="Jane Doe", **extra)


def add_webspace(client, name: str = "example.com", **extra):
    extra.setdefault("plan_name", "Webhosting S")
    extra.setdefault("ftp_login", name.split(".")[0].replace("-", "")[:16] + "ftp")
    extra.setdefault("ftp_password", FTP_PASSWORD)
    return client.add_webspace(name, **extra)


def test_test_connection_reports_server_and_protocols(admin, sandbox):
    info = admin.test_connection()
    assert info.server_guid == sandbox.state.server_guid
    assert info.plesk_name == "psa"
    assert info.mode == "standard"
    assert info.uptime > 0
    assert info.protocol_version == "1.6.9.1"
    assert info.protos[0] == "1.6.9.1"
    assert "1.6.3.0" in info.protos


def test_get_protos_and_ips(admin):
    assert admin.get_protos()[0] == "1.6.9.1"
    ips = admin.get_ips()
    assert [ip.address for ip in ips if ip.default] == ["203.0.113.10"]
    assert {ip.type for ip in ips} == {"shared", "exclusive"}


def test_service_plans_by_owner_all_and_name(admin, reseller):
    demo_plans = admin.get_service_plans(owner_login=RESELLER)
    assert [p.name for p in demo_plans] == ["Webhosting S", "Webhosting M", "Webhosting L"]
    assert demo_plans[0].limits["max_site"] == 1
    assert demo_plans[2].limits["max_traffic"] == -1
    assert demo_plans[0].hosting["ssl"] == "true"
    assert all(p.owner_login == RESELLER for p in demo_plans)

    own = {p.name for p in admin.get_service_plans()}
    assert own == {"Default Domain", "Unlimited"}
    everything = {p.name for p in admin.get_service_plans(all_owners=True)}
    assert everything == own | {p.name for p in demo_plans}
    reseller_id = demo_plans[0].owner_id
    assert [p.name for p in admin.get_service_plans(owner_id=reseller_id)] == [p.name for p in demo_plans]

    # The reseller sees its own plans without an owner element, never the admin's.
    assert [p.name for p in reseller.get_service_plans()] == [p.name for p in demo_plans]
    assert {p.name for p in reseller.get_service_plans(all_owners=True)} == {p.name for p in demo_plans}

    found = admin.get_service_plans(names=["Webhosting M", "No Such Plan"], owner_login=RESELLER)
    assert [p.name for p in found] == ["Webhosting M"]
    with pytest.raises(PleskNotFound):
        admin.get_service_plan(name="No Such Plan")
    assert admin.get_service_plan(guid=demo_plans[1].guid, owner_login=RESELLER).name == "Webhosting M"


def test_service_plan_add_and_delete(admin, reseller):
    ref = reseller.add_service_plan(
        "Webhosting XL", limits={"disk_space": 100 * 1024**3, "max_site": 25}, overuse="block", hosting={"ssl": True}
    )
    plan = reseller.get_service_plan(id=ref.id)
    assert (plan.guid, plan.owner_login, plan.limits["max_site"], plan.hosting["ssl"]) == (
        ref.guid,
        RESELLER,
        25,
        "true",
    )
    with pytest.raises(PleskAlreadyExists):
        reseller.add_service_plan("Webhosting XL")
    admin_plan = admin.add_service_plan("Partner", owner_login=RESELLER, external_id="portal-plan-1")
    assert reseller.get_service_plan(external_id="portal-plan-1").id == admin_plan.id
    reseller.delete_service_plan(id=ref.id)
    with pytest.raises(PleskNotFound):
        reseller.get_service_plan(id=ref.id)


def test_service_plan_with_subscriptions_cannot_be_deleted(reseller):
    with pytest.raises(PleskAPIError) as caught:
        reseller.delete_service_plan(name="Webhosting S")
    assert caught.value.errcode == 1023


def test_customer_lifecycle(admin, sandbox):
    ref = add_customer(admin, company="Example Ltd", email="jane@example.com", country="GB", description="portal")
    customer = admin.get_customer(external_id="portal-cust-jdoe", stat=True)
    assert (customer.id, customer.guid, customer.login, customer.company) == (ref.id, ref.guid, "jdoe", "Example Ltd")
    assert customer.owner_login == RESELLER
    assert customer.active and customer.active_domains == 0
    assert customer.vendor_guid == admin.get_reseller(login=RESELLER).guid

    by_login = admin.get_customers(logins=["jdoe", "nosuchuser"])
    assert [c.id for c in by_login] == [ref.id]
    assert admin.get_customer(id=ref.id).login == admin.get_customer(guid=ref.guid).login == "jdoe"

    assert admin.set_customer(login="jdoe", status=Status.DISABLED_BY_ADMIN, email="new@example.com") == ref.id
    changed = admin.get_customer(login="jdoe")
    assert (changed.status, changed.email, changed.active) == (16, "new@example.com", False)
    admin.set_customer(id=ref.id, status=0, new_login="jdoe2")
    assert admin.get_customer(id=ref.id).login == "jdoe2"

    assert admin.delete_customer(external_id="portal-cust-jdoe") == ref.id
    with pytest.raises(PleskNotFound):
        admin.get_customer(id=ref.id)
    assert sandbox.create_count("customer", external_id="portal-cust-jdoe") == 1
    assert sandbox.delete_count("customer", external_id="portal-cust-jdoe") == 1
    with pytest.raises(PleskNotFound):
        admin.delete_customer(id=ref.id)  # gone: a second del changes nothing
    assert sandbox.delete_count("customer") == 1


def test_customer_errors(admin):
    add_customer(admin)
    with pytest.raises(PleskAlreadyExists) as caught:
        add_customer(admin, external_id="other")
    assert caught.value.errcode == 1007
    assert caught.value.errtext == "User account jdoe already exists."
    with pytest.raises(PleskAlreadyExists):
        admin.add_customer(login="admin", password=CUSTOMER_PASSWORD, name="Clash")
    with pytest.raises(PleskOwnerNotFound):
        add_customer(admin, "other", owner_login="nobody")
    with pytest.raises(PleskAPIError) as weak:
        admin.add_customer(login="weak", password="short", name="Weak")
    assert weak.value.errcode == 1019
    with pytest.raises(PleskAPIError) as status:
        admin.set_customer(login="jdoe", status=5)
    assert status.value.errcode == 1025
    with pytest.raises(PleskNotFound) as missing:
        admin.delete_customer(login="nosuchuser")
    assert missing.value.filter_id == "nosuchuser"


def test_owner_scoping_of_a_reseller(admin, reseller):
    add_customer(admin, "foreign", owner_login=None)  # owned by the admin
    own = reseller.add_customer(login="mine", password=CUSTOMER_PASSWORD, name="Mine")
    assert admin.get_customer(login="mine").owner_login == RESELLER

    logins = {c.login for c in reseller.get_customers()}
    assert logins == {"kunde-alt", "shop-alt", "mine"}
    assert [c.id for c in reseller.get_customers(logins=["foreign", "mine"])] == [own.id]
    with pytest.raises(PleskNotFound):
        reseller.get_customer(login="foreign")
    with pytest.raises(PleskNotFound):
        reseller.delete_customer(login="foreign")
    with pytest.raises(PleskOwnerNotFound):
        reseller.add_customer(login="sneaky", password=CUSTOMER_PASSWORD, name="S", owner_login="admin")
    with pytest.raises(PleskPermissionDenied):
        reseller.get_resellers()

    add_webspace(admin, "admin-site.example", plan_name="Default Domain", owner_login="foreign")
    names = {w.name for w in reseller.get_webspaces()}
    assert names == {"kunde-alt.example", "shop-alt.example"}
    with pytest.raises(PleskNotFound):
        reseller.set_webspace(name="admin-site.example", status=32)


def test_webspace_lifecycle(admin, sandbox):
    customer = add_customer(admin)
    plan = admin.get_service_plan(name="Webhosting S", owner_login=RESELLER)
    ref = add_webspace(
        admin,
        owner_id=customer.id,
        plan_name=None,
        plan_guid=plan.guid,
        ip_address="203.0.113.10",
        external_id="portal-sub-77",
        description="created by the portal",
    )
    webspace = admin.get_webspace(external_id="portal-sub-77")
    assert (webspace.id, webspace.guid, webspace.name, webspace.ascii_name) == (
        ref.id,
        ref.guid,
        "example.com",
        "example.com",
    )
    assert (webspace.owner_id, webspace.owner_login, webspace.htype) == (customer.id, "jdoe", "vrt_hst")
    assert (webspace.plan_guid, webspace.plan_name, webspace.ftp_login) == (plan.guid, None, "exampleftp")
    assert webspace.ip_addresses == ("203.0.113.10",)
    assert webspace.vendor_guid == admin.get_reseller(login=RESELLER).guid
    assert webspace.hosting["www_root"] == "/var/www/vhosts/example.com/httpdocs"
    assert "ftp_password" not in webspace.hosting

    [named] = admin.with_plan_names([webspace])
    assert named.plan_name == "Webhosting S"

    assert admin.set_webspace(name="example.com", status=Status.DISABLED_BY_ADMIN) == ref.id
    assert admin.get_webspace(id=ref.id).status == 16
    admin.set_webspace(guid=ref.guid, status=0, new_name="example.org", ftp_password="N3w!Ftp-Passw0rd")
    renamed = admin.get_webspace(id=ref.id, limits=True)
    assert (renamed.name, renamed.status, renamed.limits["max_site"]) == ("example.org", 0, 1)

    other = admin.get_service_plan(name="Webhosting L", owner_login=RESELLER)
    admin.switch_webspace_plan(id=ref.id, plan_guid=other.guid)
    assert admin.get_webspace(id=ref.id).plan_guid == other.guid
    admin.switch_webspace_plan(id=ref.id, no_plan=True)
    assert admin.get_webspace(id=ref.id).plan_guid is None

    assert admin.delete_webspace(name="example.org") == ref.id
    with pytest.raises(PleskNotFound):
        admin.get_webspace(id=ref.id)
    assert sandbox.create_count("webspace", external_id="portal-sub-77") == 1
    assert sandbox.delete_count("webspace", external_id="portal-sub-77") == 1
    assert sandbox.delete_count("customer") == 0


def test_deleting_a_customer_removes_and_records_its_subscriptions_too(admin, sandbox):
    customer = add_customer(admin)
    add_webspace(admin, owner_id=customer.id, external_id="portal-sub-78")
    assert admin.delete_customer(id=customer.id) == customer.id
    assert admin.get_webspaces(owner_logins=["jdoe"]) == []
    assert sandbox.delete_count("webspace", external_id="portal-sub-78") == 1
    assert sandbox.delete_count("customer", external_id="portal-cust-jdoe") == 1
    assert sandbox.delete_count("webspace") == 1 and sandbox.delete_count("reseller") == 0
    assert sandbox.state.to_json()["deleted"][-1] == {
        "kind": "customer",
        "id": customer.id,
        "name": "jdoe",
        "external_id": "portal-cust-jdoe",
    }


def test_webspaces_of_owners_and_empty_owner(admin):
    customer = add_customer(admin)
    add_webspace(admin, owner_id=customer.id)
    by_owner = admin.get_webspaces(owner_logins=["jdoe", "kunde-alt"])
    assert [(w.name, w.owner_login) for w in by_owner] == [("example.com", "jdoe"), ("kunde-alt.example", "kunde-alt")]
    assert admin.get_webspaces(owner_ids=[customer.id], hosting=False, subscriptions=False)[0].plan_guid is None
    assert admin.get_webspaces(owner_logins=["nobody-owns-this"]) == []
    empty = add_customer(admin, "empty")
    assert admin.get_webspaces(owner_ids=[empty.id]) == []
    names = [w.name for w in admin.get_webspaces(names=["example.com", "nosuch.example"])]
    assert names == ["example.com"]


def test_webspace_errors(admin):
    customer = add_customer(admin)
    with pytest.raises(PleskOwnerNotFound) as owner:
        add_webspace(admin, owner_id=9999)
    assert owner.value.errtext == "Owner does not exist"
    with pytest.raises(PleskNotFound):
        add_webspace(admin, owner_id=customer.id, plan_name="Default Domain")  # the admin's plan, not the vendor's
    with pytest.raises(PleskAPIError) as ip:
        add_webspace(admin, owner_id=customer.id, ip_address="203.0.113.11")  # not in the reseller's pool
    assert ip.value.errcode == 1018
    add_webspace(admin, owner_id=customer.id)
    with pytest.raises(PleskAlreadyExists) as duplicate:
        add_webspace(admin, owner_id=customer.id, ftp_login="otherftp")
    assert "example.com" in duplicate.value.errtext
    with pytest.raises(PleskAlreadyExists):
        add_webspace(admin, "example.net", owner_id=customer.id, ftp_login="exampleftp")
    with pytest.raises(PleskAPIError) as status:
        admin.set_webspace(name="example.com", status=3)
    assert status.value.errcode == 1025
    with pytest.raises(PleskNotFound) as missing:
        admin.delete_webspace(name="nosuch.example")
    assert missing.value.errtext == "domain does not exist"


def test_resellers(admin):
    [demo] = admin.get_resellers(logins=[RESELLER], stat=True, limits=True, permissions=True)
    assert (demo.login, demo.clients, demo.domains) == (RESELLER, 2, 2)
    assert [ip.address for ip in demo.ip_pool] == ["203.0.113.10"]
    assert demo.permissions["create_clients"] is True
    assert (demo.limits["max_cl"], demo.limits["disk_space"]) == (-1, 5 * 1024**4)
    assert demo.plan_guid is not None

    ref = admin.add_reseller(
        login="res-acme", password="R3seller!Pass", name="Ann Acme", company="Acme", external_id="portal-res-5",
        plan_name="Default Reseller",
    )  # fmt: skip
    acme = admin.get_reseller(external_id="portal-res-5")
    assert (acme.id, acme.guid, acme.company) == (ref.id, ref.guid, "Acme")
    assert {r.login for r in admin.get_resellers()} == {RESELLER, "res-acme"}
    admin.set_reseller(login="res-acme", status=16)
    assert admin.get_reseller(id=ref.id).status == 16
    with pytest.raises(PleskAlreadyExists):
        admin.add_reseller(login="res-acme", password="R3seller!Pass", name="Again")
    with pytest.raises(PleskNotFound):
        admin.add_reseller(login="res-other", password="R3seller!Pass", name="X", plan_name="No Such Plan")
    admin.delete_reseller(login="res-acme")
    with pytest.raises(PleskNotFound):
        admin.get_reseller(login="res-acme")


def test_deleting_a_reseller_cascades(admin):
    admin.delete_reseller(login=RESELLER)
    assert admin.get_customers() == []
    assert admin.get_webspaces() == []
    assert {p.name for p in admin.get_service_plans(all_owners=True)} == {"Default Domain", "Unlimited"}


def test_suspended_reseller_cannot_log_in(admin, sandbox):
    admin.set_reseller(login=RESELLER, status=16)
    with make_client(sandbox, RESELLER, "Reseller-Demo-Pass-1") as client, pytest.raises(PleskAuthError) as caught:
        client.get_protos()
    assert caught.value.errcode == 1011


def test_single_sign_on_browser_flow(admin, reseller, sandbox):
    import httpx

    session = reseller.create_session("kunde-alt", "192.0.2.45", success_redirect_url="/smb/web/view")
    assert len(session.id) == 32 and int(session.id, 16) >= 0
    assert session.login_url.startswith(f"{sandbox.base_url}/enterprise/rsession_init.php?PLESKSESSID={session.id}")
    # As in Plesk, the token is a panel session from the start, bound to the user's IP.
    [panel] = admin.get_sessions()
    assert (panel.id, panel.type, panel.login, panel.ip_address) == (session.id, "client", "kunde-alt", "192.0.2.45")
    assert [s.id for s in reseller.get_sessions()] == []  # one's own sessions only

    with httpx.Client(follow_redirects=True, trust_env=False) as browser:
        page = browser.get(session.login_url)
        assert page.status_code == 200
        assert "Plesk sandbox — logged in as kunde-alt" in page.text
        assert "/smb/web/view" in page.text
        again = browser.get(session.login_url)
        assert again.status_code == 403
        assert [s.id for s in admin.get_sessions()] == [session.id]

        admin.terminate_session(session.id)
        assert admin.get_sessions() == []
        assert browser.get(f"{sandbox.base_url}/sandbox/home").status_code == 403
    with pytest.raises(PleskNotFound):
        admin.terminate_session(session.id)
    with pytest.raises(PleskNotFound):
        reseller.create_session("admin", "192.0.2.45")


def test_a_terminated_session_no_longer_logs_in(admin, reseller):
    import httpx

    session = reseller.create_session("shop-alt", "192.0.2.46")
    admin.terminate_session(session.id)
    with httpx.Client(follow_redirects=True, trust_env=False) as browser:
        assert browser.get(session.login_url).status_code == 403


def test_secret_key_authentication(admin, sandbox):
    key = admin.create_secret_key(ip_addresses=["127.0.0.1"], description="reseller portal")
    [info] = admin.get_secret_keys()
    assert (info.ip_addresses, info.description, info.login) == (("127.0.0.1",), "reseller portal", "admin")
    with make_client(sandbox, login=None, password=None, secret_key=key) as keyed:
        assert keyed.get_protos()[0] == "1.6.9.1"
    elsewhere = admin.create_secret_key(ip_addresses=["198.51.100.7"])
    with make_client(sandbox, login=None, password=None, secret_key=elsewhere) as keyed:
        with pytest.raises(PleskAuthError) as wrong_ip:
            keyed.get_protos()
        assert wrong_ip.value.errcode == 11003
    admin.delete_secret_key(key)
    with make_client(sandbox, login=None, password=None, secret_key=key) as keyed, pytest.raises(PleskAuthError):
        keyed.get_protos()
    with pytest.raises(PleskNotFound):
        admin.delete_secret_key(key)


def test_wrong_password_is_a_packet_level_auth_error(sandbox):
    with make_client(sandbox, password="wrong-password") as client, pytest.raises(PleskAuthError) as caught:
        client.get_protos()
    assert (caught.value.errcode, caught.value.system) == (1001, True)


def test_several_operations_in_one_packet(admin, sandbox):
    add_customer(admin)
    before = len(sandbox.exchanges)
    outcomes = (
        admin.packet()
        .add(ops.get_protos())
        .add(ops.get_customers(logins=["jdoe", "nosuchuser"]))
        .add(ops.get_customer(login="nosuchuser"))
        .add(ops.get_webspaces(owner_logins=["jdoe"]))
        .send()
    )
    assert len(sandbox.exchanges) == before + 1
    protos, customers, missing, webspaces = outcomes
    assert protos.ok and protos.unwrap()[0] == "1.6.9.1"
    assert [c.login for c in customers.unwrap()] == ["jdoe"]
    assert isinstance(missing.error, PleskNotFound) and not missing.ok
    with pytest.raises(PleskNotFound):
        missing.unwrap()
    assert webspaces.unwrap() == []


def test_partial_packet_keeps_earlier_successes(admin):
    first, second = (
        admin.packet()
        .add(ops.add_customer(login="first", password=CUSTOMER_PASSWORD, name="First"))
        .add(ops.add_customer(login="first", password=CUSTOMER_PASSWORD, name="Again"))
        .send()
    )
    assert first.ok
    assert isinstance(second.error, PleskAlreadyExists)
    assert admin.get_customer(login="first").name == "First"


def test_protocol_version_fallback_names_the_offered_versions(sandbox):
    with make_client(sandbox, protocol_version="100.0.0") as client, pytest.raises(PleskAPIError) as caught:
        client.test_connection()
    assert caught.value.errcode == 1005
    assert "1.6.9.1" in caught.value.errtext
    with make_client(sandbox, protocol_version="1.6") as client:
        assert client.test_connection().protocol_version == "1.6"


def test_state_survives_a_restart_through_the_state_file(tmp_path):
    state_file = tmp_path / "plesk.json"
    first = SandboxServer(admin_password=ADMIN_PASSWORD, state_file=state_file, seed_demo=True)
    with first, make_client(first.start()) as client:
        ref = add_customer(client)
    assert "S3cure" not in state_file.read_text()
    with SandboxServer(admin_password="Changed-Admin-Pass", state_file=state_file, seed_demo=True) as second:
        with make_client(second, password="Changed-Admin-Pass") as client:
            assert client.get_customer(login="jdoe").id == ref.id
            assert len(client.get_customers()) == 3
        assert second.create_count("customer") == 1
    third = SandboxServer(admin_password="Changed-Admin-Pass", state_file=state_file).start()
    with third, make_client(third, password=ADMIN_PASSWORD) as client, pytest.raises(PleskAuthError):
        client.get_protos()
