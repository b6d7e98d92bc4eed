"""Hosting plans, finished (issue #21): a plan that reseller products sell is not deleted, and a plan's limit
changes read in the activity list with the form's labels and in the reader's language."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from conftest import api_client
from hosting.models import HostingPlan
from hosting.tests.helpers import bind_server, reseller_setup
from hosting.tests.test_plans import created, hosting_on, plesk_plans
from products.models import ResellerProduct

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world, sandbox):
    contract, product = reseller_setup(world.r1, bind_server(sandbox.url), number="o2111")
    return world.r1, contract, product


def selling(tenant, contract, plan: HostingPlan, name: str, *, by_name: bool = False, **extra) -> ResellerProduct:
    """A reseller product on ``plan``: by its GUID, or by its name only (as products made before GUIDs)."""
    return ResellerProduct.objects.create(
        account=tenant.account,
        kind=ResellerProduct.Kind.RESELLER_HOSTING,
        contract=contract,
        plan_name=plan.name.upper() if by_name else plan.name,
        plan_guid="" if by_name else plan.plesk_guid,
        name=name,
        net_price="1.00",
        **extra,
    )


class TestProductsHoldTheirPlan:
    def test_the_delete_page_names_the_products_and_the_plan_stays(self, setup, client_for, sandbox):
        tenant, contract, _product = setup
        client = client_for(tenant.owner)
        created(client, contract)
        plan = HostingPlan.objects.get()
        selling(tenant, contract, plan, "Start")
        selling(tenant, contract, plan, "Start alt", by_name=True)
        selling(tenant, contract, plan, "Start (eingestellt)", status="inactive")  # sells nothing
        url = reverse("hosting:hostingplan_delete", args=[contract.pk, plan.plesk_id])
        page = client.get(url).content.decode()
        assert "This plan is sold by 2 active reseller products and cannot be deleted." in page
        assert 'data-testid="plan-delete-confirm"' not in page
        # A deletion sent anyway (an old tab) is refused on the same page, with the same words.
        refused = client.post(url, follow=True)
        assert refused.redirect_chain[-1][0] == url
        assert refused.content.decode().count("This plan is sold by 2 active reseller products") == 2
        assert sandbox.delete_count("service-plan") == 0
        assert "Portal Start" in plesk_plans(sandbox)
        assert HostingPlan.objects.get().state == "ready"
        assert not AuditEntry.objects.filter(action=AuditEntry.Action.DELETE).exists()

    def test_in_german(self, setup, client_for):
        tenant, contract, _product = setup
        client = client_for(tenant.owner)
        created(client, contract)
        plan = HostingPlan.objects.get()
        selling(tenant, contract, plan, "Start")
        client.cookies["django_language"] = "de"
        page = client.get(reverse("hosting:hostingplan_delete", args=[contract.pk, plan.plesk_id])).content.decode()
        assert "Dieser Plan wird von 1 aktiven Reseller-Produkt verkauft und kann nicht gelöscht werden." in page

    def test_hostings_and_products_are_both_named(self, setup, client_for, sandbox):
        tenant, contract, product = setup  # the setup's product sells "Webhosting S" by its name
        plan = plesk_plans(sandbox)["Webhosting S"]
        hosting_on(tenant, contract, product)
        page = client_for(tenant.owner).get(reverse("hosting:hostingplan_delete", args=[contract.pk, plan.id]))
        html = page.content.decode()
        assert "This plan is used by 1 hosting and cannot be deleted." in html
        assert "This plan is sold by 1 active reseller product and cannot be deleted." in html

    def test_a_product_of_another_contract_or_account_does_not_hold_the_plan(self, setup, client_for, world, sandbox):
        tenant, contract, _product = setup
        client = client_for(tenant.owner)
        created(client, contract)
        plan = HostingPlan.objects.get()
        other_contract, _other = reseller_setup(tenant, contract.hosting_server, number="o2112")
        selling(tenant, other_contract, plan, "Start elsewhere")
        outsiders, _ = reseller_setup(world.r2, contract.hosting_server, number="o2113")
        selling(world.r2, outsiders, plan, "Start of R2")
        url = reverse("hosting:hostingplan_delete", args=[contract.pk, plan.plesk_id])
        assert 'data-testid="plan-delete-confirm"' in client.get(url).content.decode()
        assert client.post(url).status_code == 302
        assert "Portal Start" not in plesk_plans(sandbox)

    def test_the_api_refuses_with_a_422_as_for_hostings(self, setup, sandbox):
        tenant, contract, product = setup
        client = api_client(tenant)
        url = f"/api/v1/contracts/{contract.pk}/plans/"
        made = client.post(url, {"name": "API Start", "disk_space_gb": 1}, content_type="application/json").json()
        plan = HostingPlan.objects.get(plesk_id=made["id"])
        selling(tenant, contract, plan, "API Start")
        response = client.delete(f"{url}{made['id']}/")
        assert response.status_code == 422
        assert response.json() == {
            "detail": [
                {
                    "loc": [],
                    "msg": "This plan is sold by 1 active reseller product and cannot be deleted. Deactivate or "
                    "delete the product first.",
                }
            ]
        }
        # The refusal while hostings use a plan has the same status and form.
        hosting_on(tenant, contract, product)
        small = plesk_plans(sandbox)["Webhosting S"]
        used = client.delete(f"{url}{small.id}/")
        assert used.status_code == 422
        assert [entry["loc"] for entry in used.json()["detail"]] == [[], []]
        assert used.json()["detail"][0]["msg"] == "This plan is used by 1 hosting and cannot be deleted."
        assert sandbox.delete_count("service-plan") == 0
        assert {"API Start", "Webhosting S"} <= set(plesk_plans(sandbox))


class TestPlanChangesInTheActivityList:
    @pytest.fixture
    def changed(self, setup, client_for):
        """A plan made with 10 GB of disk space and unlimited subdomains, then given 12 GB and unlimited traffic."""
        tenant, contract, _product = setup
        client = client_for(tenant.owner)
        assert created(client, contract).status_code == 302
        plan = HostingPlan.objects.get()
        url = reverse("hosting:hostingplan_edit", args=[contract.pk, plan.plesk_id])
        values = {**form_values(client.get(url)), "disk_space_gb": "12", "traffic_gb": ""}
        assert client.post(url, values).status_code == 302
        return client

    def test_the_page_reads_the_forms_labels_and_unlimited_in_german(self, changed):
        text = visible_text(changed, "/activity/", "de")
        assert "Speicherplatz (GB): – → 10" in text  # created
        assert "Subdomains: – → unbegrenzt" in text
        assert "Postfachgröße (MB): – → 500" in text
        assert "Speicherplatz (GB): 10 → 12" in text  # changed
        assert "Traffic (GB/Monat): 100 → unbegrenzt" in text
        for raw in ("disk_space_gb", "traffic_gb", "subdomains:", "None"):
            assert raw not in text

    def test_the_page_reads_in_english_too(self, changed):
        text = visible_text(changed, "/activity/", "en")
        assert "Disk space (GB): 10 → 12" in text
        assert "Traffic (GB/month): 100 → unlimited" in text

    def test_the_export_reads_as_the_page_does(self, changed):
        changed.cookies["django_language"] = "de"
        response = changed.get("/activity/", {"export": "csv"})
        exported = b"".join(response.streaming_content).decode("utf-8-sig")
        # One change per "; ", in whatever order the database keeps the entry's keys (PostgreSQL's jsonb sorts them).
        assert "Speicherplatz (GB): 10 → 12" in exported and "Traffic (GB/Monat): 100 → unbegrenzt" in exported
        assert "Subdomains: – → unbegrenzt" in exported
        assert "disk_space_gb" not in exported

    def test_the_entries_keep_codes_that_every_reader_reads_in_their_language(self, changed):
        update = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE)
        assert update.changes == {"disk_space_gb": [10, 12], "traffic_gb": [100, None]}
        create = AuditEntry.objects.get(action=AuditEntry.Action.CREATE)
        assert create.changes["subdomains"] == [None, None]


def form_values(page) -> dict[str, object]:
    return {key: "" if value is None else value for key, value in page.context["form"].initial.items()}


def visible_text(client, path: str, language: str) -> str:
    client.cookies["django_language"] = language
    body = client.get(path).content.decode()
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))
