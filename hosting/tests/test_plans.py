"""MKM → Hosting-Pläne (issue #21): a reseller's own plans on the sandbox Plesk over real HTTP: listed live,
created within what is left of its package, changed and deleted, with Plesk's refusals and unknown outcomes
leaving nothing half-made or doubled."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEntry
from conftest import api_client
from core.roles import Role
from hosting import plans
from hosting.models import HostingPlan, ResellerHosting
from hosting.tests.helpers import HELD, IMPATIENT_CLIENT, RESELLER_LOGIN, RESELLER_PW, bind_server, reseller_setup
from plesk import PleskClient
from plesk.sandbox import FaultKind
from products.models import ResellerProduct
from products.services import service_plans

pytestmark = pytest.mark.django_db

GIB = 1024**3
# The demo package: 5 TiB of disk space, of which its subscriptions on "Webhosting S" and "M" hold 25 GiB.
DISK_LEFT_GB = 5 * 1024 - 25
SMALL = {
    "name": "Portal Start",
    "disk_space_gb": "10",
    "traffic_gb": "100",
    "domains": "2",
    "subdomains": "",
    "domain_aliases": "0",
    "mailboxes": "10",
    "mailbox_size_mb": "500",
    "databases": "2",
    "ftp_users": "",
}


@pytest.fixture
def setup(world, sandbox):
    contract, product = reseller_setup(world.r1, bind_server(sandbox.url), number="o2101")
    return world.r1, contract, product


def plesk_plans(sandbox) -> dict[str, object]:
    with PleskClient(sandbox.url, login=RESELLER_LOGIN, password=RESELLER_PW, allow_insecure_http=True) as client:
        return {plan.name: plan for plan in client.get_service_plans()}


def hosting_on(tenant, contract, product, status=ResellerHosting.Status.ACTIVE) -> ResellerHosting:
    return ResellerHosting.objects.create(
        account=tenant.account, end_customer=tenant.plain_customer, product=product, contract=contract, status=status
    )


def form(contract, **values):
    return {**SMALL, "contract": contract.pk, **values}


def created(client, contract, **values):
    return client.post(reverse("hosting:hostingplan_add"), form(contract, **values))


def test_the_list_shows_each_hosting_spaces_plans_with_their_hostings_and_origin(setup, client_for, sandbox):
    tenant, contract, product = setup
    hosting_on(tenant, contract, product)
    hosting_on(tenant, contract, product, status=ResellerHosting.Status.CANCELLED)
    client = client_for(tenant.owner)
    assert created(client, contract).status_code == 302
    page = client.get(reverse("hosting:hostingplan_list")).content.decode()
    for name in ("Webhosting S", "Webhosting M", "Webhosting L", "Portal Start"):
        assert f'data-plan="{name}"' in page
    assert page.count('data-testid="made-in-portal"') == 1
    rows = {row.name: row for result in plans.list_plans(tenant.actor()) for row in result.plans}
    assert {name: row.hostings for name, row in rows.items()} == {
        "Portal Start": 0,
        "Webhosting L": 0,
        "Webhosting M": 0,
        "Webhosting S": 1,
    }
    assert rows["Portal Start"].values == {
        "disk_space_gb": 10,
        "traffic_gb": 100,
        "domains": 2,
        "subdomains": None,
        "domain_aliases": 0,
        "mailboxes": 10,
        "mailbox_size_mb": 500,
        "databases": 2,
        "ftp_users": None,
    }


def test_a_server_that_is_down_is_named_for_its_contract_and_the_others_still_show(setup, client_for, world):
    tenant, contract, _product = setup
    down = bind_server("http://127.0.0.1:1/")
    reseller_setup(tenant, down, number="o2102")
    response = client_for(tenant.owner).get(reverse("hosting:hostingplan_list"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="server-error"') == 1
    assert "o2102" in page
    assert 'data-plan="Webhosting S"' in page


def test_the_list_filters_searches_and_exports(setup, client_for):
    tenant, contract, _product = setup
    client = client_for(tenant.owner)
    page = client.get(reverse("hosting:hostingplan_list"), {"q": "webhosting m"}).content.decode()
    assert 'data-plan="Webhosting M"' in page
    assert 'data-plan="Webhosting S"' not in page
    csv = b"".join(client.get(reverse("hosting:hostingplan_list"), {"export": "csv"}).streaming_content).decode()
    lines = csv.strip().splitlines()
    assert len(lines) == 4
    assert "Webhosting L" in csv
    assert "unlimited" in csv


def test_a_plan_within_the_package_is_created_on_plesk_and_audited(setup, client_for, sandbox):
    tenant, contract, _product = setup
    response = created(client_for(tenant.owner), contract)
    assert response.status_code == 302
    plan = plesk_plans(sandbox)["Portal Start"]
    assert plan.limits["disk_space"] == 10 * GIB
    assert plan.limits["mbox_quota"] == 500 * 1024**2
    assert plan.limits["max_subdom"] == -1
    row = HostingPlan.objects.get()
    assert (row.plesk_id, row.plesk_guid, row.state, row.created_in_portal) == (plan.id, plan.guid, "ready", True)
    assert row.created_by == tenant.owner
    entry = AuditEntry.objects.get(object_id=str(row.pk), action=AuditEntry.Action.CREATE)
    assert entry.changes["disk_space_gb"] == [None, 10]
    assert entry.user == tenant.owner


def test_a_limit_above_what_is_left_is_a_field_error_and_nothing_reaches_plesk(setup, client_for, sandbox):
    tenant, contract, _product = setup
    client = client_for(tenant.owner)
    response = created(client, contract, disk_space_gb=str(DISK_LEFT_GB + 1))
    assert response.status_code == 200
    assert response.context["form"].errors["disk_space_gb"] == [
        f"Disk space: at most {DISK_LEFT_GB} GB free in the package"
    ]
    client.cookies["django_language"] = "de"
    german = created(client, contract, disk_space_gb="")
    assert german.context["form"].errors["disk_space_gb"] == [
        f"Speicherplatz: höchstens {DISK_LEFT_GB} GB frei im Paket"
    ]
    assert sandbox.create_count("service-plan") == 0
    assert "Portal Start" not in plesk_plans(sandbox)
    assert not HostingPlan.objects.exists()


def test_plesk_refusing_anyway_is_a_field_error_and_leaves_nothing(setup, client_for, sandbox):
    tenant, contract, _product = setup
    sandbox.inject(
        FaultKind.API_ERROR,
        operation="service-plan add",
        errcode=1024,
        errtext="Unable to allocate the resources: the following limits of the reseller reseller-demo are exceeded: "
        "max_box (available: 3).",
    )
    response = created(client_for(tenant.owner), contract)
    assert response.status_code == 200
    assert response.context["form"].errors["mailboxes"] == [
        "Mailboxes: Plesk refused it, the package has no room for it."
    ]
    assert "Portal Start" not in plesk_plans(sandbox)
    assert not HostingPlan.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CREATE).exists()


def test_a_taken_name_is_a_field_error(setup, client_for, sandbox):
    tenant, contract, _product = setup
    response = created(client_for(tenant.owner), contract, name="webhosting s")
    assert response.context["form"].errors["name"] == ["A plan with this name already exists on this server."]
    assert sandbox.create_count("service-plan") == 0


def test_a_timeout_after_plesk_created_the_plan_adopts_it_instead_of_creating_it_twice(
    setup, client_for, sandbox, monkeypatch
):
    tenant, contract, _product = setup
    monkeypatch.setattr(plans, "CLIENT_OPTIONS", IMPATIENT_CLIENT)
    sandbox.inject(FaultKind.TIMEOUT_AFTER_COMMIT, operation="service-plan add", delay=HELD)
    response = created(client_for(tenant.owner), contract)
    assert response.status_code == 302
    row = HostingPlan.objects.get()
    assert sandbox.create_count("service-plan", external_id=row.external_id) == 1
    assert sandbox.create_count("service-plan") == 1
    assert (row.state, row.plesk_id) == ("ready", plesk_plans(sandbox)["Portal Start"].id)


def test_a_row_left_pending_is_settled_by_what_plesk_shows(setup, sandbox):
    tenant, contract, _product = setup
    plans.create_plan(tenant.actor(), contract, name="Gone", values={})
    made = HostingPlan.objects.get()
    # As if the worker died between the "add" that Plesk carried out and its outcome, and once before sending.
    HostingPlan.objects.filter(pk=made.pk).update(state="creating", plesk_id=None, claimed_until="2000-01-01T00:00Z")
    lost = HostingPlan.objects.create(
        account=tenant.account, contract=contract, name="Lost", external_id="pp-plan-lost", state="creating"
    )
    HostingPlan.objects.filter(pk=lost.pk).update(claimed_until="2000-01-01T00:00Z")
    large = plesk_plans(sandbox)["Webhosting L"]
    kept = HostingPlan.objects.create(
        account=tenant.account,
        contract=contract,
        name=large.name,
        plesk_id=large.id,
        limits=large.limits,
        state="deleting",
    )
    HostingPlan.objects.filter(pk=kept.pk).update(claimed_until="2000-01-01T00:00Z")
    rows = {row.name: row for row in plans.list_plans(tenant.actor())[0].plans}
    made.refresh_from_db()
    assert (made.state, made.plesk_id) == ("ready", rows["Gone"].id)
    assert not HostingPlan.objects.filter(pk=lost.pk).exists()
    kept.refresh_from_db()
    assert kept.state == "ready"
    assert not AuditEntry.objects.filter(object_id=str(kept.pk)).exists()
    assert sandbox.create_count("service-plan") == 1


def test_a_timeout_on_a_change_is_settled_by_reading_the_plan_not_by_sending_it_again(setup, sandbox, monkeypatch):
    tenant, contract, _product = setup
    plan = plesk_plans(sandbox)["Webhosting L"]
    monkeypatch.setattr(plans, "CLIENT_OPTIONS", IMPATIENT_CLIENT)
    sandbox.inject(FaultKind.TIMEOUT_AFTER_COMMIT, operation="service-plan set", delay=HELD)
    row = plans.update_plan(tenant.actor(), contract, plan.id, name="Webhosting XL", values={"databases": 30})
    assert (row.name, row.state, row.limits["max_db"]) == ("Webhosting XL", "ready", 30)
    assert plesk_plans(sandbox)["Webhosting XL"].limits["max_db"] == 30
    entry = AuditEntry.objects.get(object_id=str(row.pk), action=AuditEntry.Action.UPDATE)
    assert entry.changes == {"name": ["Webhosting L", "Webhosting XL"], "databases": [20, 30]}


def test_editing_a_plan_with_hostings_names_them_asks_and_changes_plesk(setup, client_for, sandbox):
    tenant, contract, product = setup
    hosting_on(tenant, contract, product)
    plan = plesk_plans(sandbox)["Webhosting S"]
    url = reverse("hosting:hostingplan_edit", args=[contract.pk, plan.id])
    client = client_for(tenant.owner)
    page = client.get(url)
    assert "1 hosting uses this plan" in page.content.decode()
    assert page.context["form"].initial["disk_space_gb"] == 5
    values = {**page.context["form"].initial, "disk_space_gb": 6, "name": "Webhosting S+"}
    data = {key: "" if value is None else value for key, value in values.items()}
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "confirm" in refused.context["form"].errors
    assert plesk_plans(sandbox)["Webhosting S"].limits["disk_space"] == 5 * GIB
    assert client.post(url, {**data, "confirm": "on"}).status_code == 302
    changed = plesk_plans(sandbox)["Webhosting S+"]
    assert changed.limits["disk_space"] == 6 * GIB
    assert changed.limits["max_box"] == 5
    row = HostingPlan.objects.get(plesk_id=plan.id)
    assert (row.name, row.created_in_portal, row.state) == ("Webhosting S+", False, "ready")
    entry = AuditEntry.objects.get(object_id=str(row.pk), action=AuditEntry.Action.UPDATE)
    assert entry.changes == {"name": ["Webhosting S", "Webhosting S+"], "disk_space_gb": [5, 6]}


def test_a_change_above_the_package_is_refused_before_sending(setup, sandbox):
    tenant, contract, _product = setup
    plan = plesk_plans(sandbox)["Webhosting M"]
    with pytest.raises(ValidationError) as refused:
        plans.update_plan(tenant.actor(), contract, plan.id, name="Webhosting M", values={"disk_space_gb": 5200})
    # "M" holds 20 GiB on its one subscription, which it gives back: 5095 + 20 GB are free for it.
    assert refused.value.message_dict == {
        "disk_space_gb": [f"Disk space: at most {DISK_LEFT_GB + 20} GB free in the package"]
    }
    assert plesk_plans(sandbox)["Webhosting M"].limits["disk_space"] == 20 * GIB


def test_a_plan_with_hostings_cannot_be_deleted_and_an_unused_one_is_deleted(setup, client_for, sandbox):
    tenant, contract, _product = setup
    client = client_for(tenant.owner)
    created(client, contract)
    row = HostingPlan.objects.get()
    product = ResellerProduct.objects.create(
        account=tenant.account,
        kind=ResellerProduct.Kind.RESELLER_HOSTING,
        contract=contract,
        plan_name=row.name,
        plan_guid=row.plesk_guid,
        name="Start",
        net_price="1.00",
    )
    hostings = [hosting_on(tenant, contract, product) for _ in range(2)]
    url = reverse("hosting:hostingplan_delete", args=[contract.pk, row.plesk_id])
    assert "This plan is used by 2 hostings and cannot be deleted." in client.get(url).content.decode()
    client.post(url)
    assert "Portal Start" in plesk_plans(sandbox)
    assert sandbox.delete_count("service-plan") == 0
    for hosting in hostings:
        hosting.status = ResellerHosting.Status.CANCELLED
        hosting.save()
    # The product still sells the plan; once it is inactive, nothing holds the plan.
    assert "This plan is sold by 1 active reseller product" in client.get(url).content.decode()
    product.status = "inactive"
    product.save()
    assert client.post(url).status_code == 302
    assert "Portal Start" not in plesk_plans(sandbox)
    assert not HostingPlan.objects.exists()
    assert AuditEntry.objects.filter(object_id=str(row.pk), action=AuditEntry.Action.DELETE).count() == 1


def test_plesk_refusing_a_deletion_leaves_the_plan_as_it_was(setup, client_for, sandbox):
    tenant, contract, _product = setup
    # The sandbox's "Webhosting M" carries a subscription that is not in the portal: Plesk refuses.
    plan = plesk_plans(sandbox)["Webhosting M"]
    client = client_for(tenant.owner)
    response = client.post(reverse("hosting:hostingplan_delete", args=[contract.pk, plan.id]), follow=True)
    assert "it has subscriptions" in response.content.decode()
    assert "Webhosting M" in plesk_plans(sandbox)
    assert HostingPlan.objects.get(plesk_id=plan.id).state == "ready"


def test_a_plan_made_in_the_portal_can_back_a_reseller_product_right_away(setup):
    tenant, contract, _product = setup
    made = plans.create_plan(tenant.actor(), contract, name="Portal Pro", values={"disk_space_gb": 30})
    assert made.plesk_guid in {plan.guid for plan in service_plans(contract)}


def test_employees_see_the_plans_but_only_administrators_change_them(setup, client_for, sandbox):
    tenant, contract, _product = setup
    plan = plesk_plans(sandbox)["Webhosting L"]
    employee = client_for(tenant.employee)
    assert employee.get(reverse("hosting:hostingplan_list")).status_code == 200
    assert 'data-testid="plan-edit"' not in employee.get(reverse("hosting:hostingplan_list")).content.decode()
    assert created(employee, contract).status_code == 403
    assert employee.get(reverse("hosting:hostingplan_edit", args=[contract.pk, plan.id])).status_code == 403
    assert sandbox.create_count("service-plan") == 0


def test_another_accounts_contract_and_plans_answer_404(setup, client_for, world, sandbox):
    _tenant, contract, _product = setup
    plan = plesk_plans(sandbox)["Webhosting L"]
    outsider = client_for(world.r2.owner)
    for name in ("hosting:hostingplan_edit", "hosting:hostingplan_delete"):
        assert outsider.get(reverse(name, args=[contract.pk, plan.id])).status_code == 404
        assert outsider.post(reverse(name, args=[contract.pk, plan.id])).status_code == 404
    response = created(outsider, contract)
    assert response.status_code == 200
    assert "contract" in response.context["form"].errors
    assert sandbox.create_count("service-plan") == 0


def test_a_plan_of_another_reseller_on_the_server_answers_404(setup, client_for):
    tenant, contract, _product = setup
    admins_plan = 1  # the sandbox admin's own plans come first; the reseller never sees them
    response = client_for(tenant.owner).get(reverse("hosting:hostingplan_edit", args=[contract.pk, admins_plan]))
    assert response.status_code == 404


def test_the_list_costs_the_same_queries_for_more_contracts_plans_and_hostings(setup, client_for):
    tenant, contract, product = setup
    client = client_for(tenant.owner)
    url = reverse("hosting:hostingplan_list")
    client.get(url)  # the session's and the caches' first reads
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    reseller_setup(tenant, contract.hosting_server, number="o2103")
    plans.create_plan(tenant.actor(), contract, name="Extra", values={})
    for _ in range(5):
        hosting_on(tenant, contract, product)
    with CaptureQueriesContext(connection) as second:
        response = client.get(url)
    assert response.content.decode().count('data-plan="Webhosting S"') == 2
    assert len(second) == len(first)


# --- API ------------------------------------------------------------------------------------------------


def api_body(**values):
    body = {key: (None if value == "" else int(value)) for key, value in SMALL.items() if key != "name"}
    return {"name": SMALL["name"], **body, **values}


def test_the_api_lists_creates_changes_and_deletes_plans(setup, sandbox):
    tenant, contract, _product = setup
    client = api_client(tenant)
    url = f"/api/v1/contracts/{contract.pk}/plans/"
    response = client.post(url, api_body(), content_type="application/json")
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["created_in_portal"] is True
    assert made["limits"]["subdomains"] is None
    listed = {plan["name"]: plan for plan in client.get(url).json()}
    assert listed["Webhosting S"]["hostings"] == 0
    assert listed["Portal Start"]["id"] == made["id"]
    changed = client.patch(f"{url}{made['id']}/", {"traffic_gb": None}, content_type="application/json")
    assert changed.status_code == 200, changed.content
    assert plesk_plans(sandbox)["Portal Start"].limits["max_traffic"] == -1
    assert plesk_plans(sandbox)["Portal Start"].limits["disk_space"] == 10 * GIB
    assert client.delete(f"{url}{made['id']}/").status_code == 204
    assert "Portal Start" not in plesk_plans(sandbox)


def test_the_api_names_the_limit_that_does_not_fit(setup, sandbox):
    tenant, contract, _product = setup
    url = f"/api/v1/contracts/{contract.pk}/plans/"
    response = api_client(tenant).post(url, api_body(disk_space_gb=None), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["disk_space_gb"], "msg": f"Disk space: at most {DISK_LEFT_GB} GB free in the package"}
    ]
    assert sandbox.create_count("service-plan") == 0


def test_the_api_refuses_employees_and_other_accounts(setup, world, sandbox):
    tenant, contract, _product = setup
    url = f"/api/v1/contracts/{contract.pk}/plans/"
    assert api_client(tenant, Role.EMPLOYEE).get(url).status_code == 200
    assert api_client(tenant, Role.EMPLOYEE).post(url, api_body(), content_type="application/json").status_code == 403
    assert api_client(world.r2).get(url).status_code == 404
    assert api_client(world.r2).post(url, api_body(), content_type="application/json").status_code == 404
    assert sandbox.create_count("service-plan") == 0
