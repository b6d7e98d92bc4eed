"""Reseller hostings in the portal and the API: the contract's tabs, create, detail with polling, retry,
linking existing subscriptions (nothing changes on the server), the customer's Products tab, isolation."""

from __future__ import annotations

import copy

import pytest
from django.urls import reverse

from hosting.models import ResellerHosting
from hosting.tests.helpers import ADMIN_PW, PATIENT_CLIENT, bind_server, reseller_setup
from plesk import PleskClient

pytestmark = pytest.mark.django_db
Status = ResellerHosting.Status


@pytest.fixture(autouse=True)
def patient_client(settings):
    settings.HOSTING_PLESK_CLIENT_OPTIONS = PATIENT_CLIENT
    settings.HOSTING_MAX_ATTEMPTS = 2


@pytest.fixture
def setup(world, sandbox):
    contract, product = reseller_setup(world.r1, bind_server(sandbox.url), number="o1441")
    return world.r1, contract, product


def owner(client_for, tenant):
    return client_for(tenant.owner)


def server_state(sandbox) -> dict:
    with sandbox.engine.lock:
        data = copy.deepcopy(sandbox.state.to_json())
    return {key: data[key] for key in ("accounts", "plans", "webspaces", "created")}


def foreign_subscription(sandbox) -> int:
    """A subscription of the admin (not of reseller-demo) on the same server."""
    with PleskClient(sandbox.url, login="admin", password=ADMIN_PW, allow_insecure_http=True) as client:
        return client.add_webspace("fremd.example").id


class TestContractTabs:
    def test_tabs_show_only_on_bound_contracts(self, setup, client_for, world):
        tenant, contract, _product = setup
        client = owner(client_for, tenant)
        page = client.get(reverse("contracts:contract_detail", args=[contract.pk])).content.decode()
        assert reverse("hosting:contract_hostings", args=[contract.pk]) in page
        plain = client.get(reverse("contracts:contract_detail", args=[tenant.contract.pk])).content.decode()
        assert "hostings/contracts" not in plain
        assert client.get(reverse("hosting:contract_hostings", args=[tenant.contract.pk])).status_code == 404

    def test_create_from_the_tab_provisions_and_lists(self, setup, client_for, django_capture_on_commit_callbacks):
        tenant, contract, product = setup
        client = owner(client_for, tenant)
        add = reverse("hosting:hosting_add", args=[contract.pk])
        form = client.get(add).content.decode()
        assert product.name in form and tenant.plain_customer.number in form
        assert 'name="send_summary"' in form and "checked" not in form.split('name="send_summary"')[1][:40]
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                add, {"end_customer": tenant.plain_customer.pk, "product": product.pk, "domain": "neu-kunde.example"}
            )
        hosting = ResellerHosting.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("hosting:resellerhosting_detail", args=[hosting.pk])
        assert hosting.status == Status.ACTIVE and hosting.subscription_name == "neu-kunde.example"
        tab = client.get(reverse("hosting:contract_hostings", args=[contract.pk])).content.decode()
        for text in (
            tenant.plain_customer.number,
            hosting.plesk_customer_login,
            "neu-kunde.example",
            'data-status="active"',
        ):
            assert text in tab
        detail = client.get(response["Location"]).content.decode()
        assert "hx-get" not in detail and "customer add: done." in detail

    def test_an_invalid_domain_is_an_error_at_the_domain_field(self, setup, client_for):
        tenant, contract, product = setup
        client = owner(client_for, tenant)
        add = reverse("hosting:hosting_add", args=[contract.pk])
        data = {"end_customer": tenant.plain_customer.pk, "product": product.pk, "domain": "nodot"}
        response = client.post(add, data)
        assert response.status_code == 200
        assert response.context["form"].errors == {"domain": ["Enter a valid domain name such as müller-bäckerei.de."]}
        assert ResellerHosting.objects.count() == 0
        client.cookies["django_language"] = "de"
        page = client.post(add, data).content.decode()
        assert "Geben Sie einen gültigen Domainnamen ein" in page.split('name="domain"')[1]
        response = client.post(reverse("api:create_hosting"), data, content_type="application/json")
        assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["domain"]
        assert ResellerHosting.objects.count() == 0

    def test_products_of_other_contracts_and_foreign_customers_are_refused(self, setup, client_for, world):
        tenant, contract, product = setup
        client = owner(client_for, tenant)
        add = reverse("hosting:hosting_add", args=[contract.pk])
        response = client.post(add, {"end_customer": world.r2.plain_customer.pk, "product": tenant.product.pk})
        assert response.status_code == 200
        assert ResellerHosting.objects.count() == 0
        errors = response.context["form"].errors
        assert "end_customer" in errors and "product" in errors


class TestDetail:
    def test_provisioning_polls_and_failed_offers_retry(self, setup, client_for, sandbox):
        tenant, contract, product = setup
        client = owner(client_for, tenant)
        from hosting.services import create_hosting

        hosting = create_hosting(tenant.actor(), end_customer=tenant.plain_customer, product=product)
        detail = reverse("hosting:resellerhosting_detail", args=[hosting.pk])
        page = client.get(detail).content.decode()
        status_url = reverse("hosting:resellerhosting_status", args=[hosting.pk])
        assert f'hx-get="{status_url}"' in page and 'hx-trigger="every 2s"' in page
        part = client.get(status_url).content.decode()
        assert 'data-status="provisioning"' in part and "Queued." in part
        ResellerHosting.objects.filter(pk=hosting.pk).update(status=Status.FAILED, failure_reason="Server weg")
        page = client.get(detail).content.decode()
        assert "hx-get" not in page and "Server weg" in page and 'data-testid="hosting-retry"' in page
        response = client.post(reverse("hosting:resellerhosting_retry", args=[hosting.pk]))
        assert response.status_code == 302
        hosting.refresh_from_db()
        assert hosting.status == Status.PROVISIONING and "Queued again (retry)." in client.get(detail).content.decode()


class TestSubscriptions:
    def test_marks_links_and_changes_nothing_on_the_server(self, setup, client_for, sandbox):
        tenant, contract, product = setup
        client = owner(client_for, tenant)
        tab = reverse("hosting:contract_subscriptions", args=[contract.pk])
        page = client.get(tab).content.decode()
        assert "kunde-alt.example" in page and "shop-alt.example" in page
        assert page.count('data-testid="not-in-mkm"') == 2 and 'data-testid="in-mkm"' not in page
        with PleskClient(sandbox.url, login="reseller-demo", password="reseller-pw-456", allow_insecure_http=True) as c:
            webspace = next(w for w in c.get_webspaces() if w.name == "kunde-alt.example")
        link = reverse("hosting:subscription_link", args=[contract.pk, webspace.id])
        form = client.get(link).content.decode()
        assert "kunde-alt" in form and str(webspace.owner_id) in form
        before = server_state(sandbox)
        response = client.post(link, {"end_customer": tenant.plain_customer.pk, "product": product.pk})
        assert response.status_code == 302
        assert server_state(sandbox) == before
        hosting = ResellerHosting.objects.get()
        assert hosting.linked and hosting.status == Status.ACTIVE
        assert (hosting.subscription_id, hosting.plesk_customer_id) == (webspace.id, webspace.owner_id)
        assert hosting.plesk_customer_login == "kunde-alt"
        page = client.get(tab).content.decode()
        assert page.count('data-testid="not-in-mkm"') == 1 and page.count('data-testid="in-mkm"') == 1
        # Linking it again is refused.
        again = client.post(link, {"end_customer": tenant.customer.pk, "product": product.pk})
        assert again.status_code == 200 and "already in the MKM" in again.content.decode()
        assert ResellerHosting.objects.count() == 1

    def test_a_subscription_of_someone_else_is_refused(self, setup, client_for, sandbox):
        tenant, contract, product = setup
        foreign = foreign_subscription(sandbox)
        client = owner(client_for, tenant)
        link = reverse("hosting:subscription_link", args=[contract.pk, foreign])
        assert client.get(link).status_code == 404
        assert client.post(link, {"end_customer": tenant.plain_customer.pk, "product": product.pk}).status_code == 404
        page = client.get(reverse("hosting:contract_subscriptions", args=[contract.pk])).content.decode()
        assert "fremd.example" not in page
        from django.core.exceptions import ValidationError

        from hosting.services import link_subscription

        with pytest.raises(ValidationError) as error:
            link_subscription(tenant.actor(), contract, foreign, tenant.plain_customer, product)
        assert "subscription_id" in error.value.message_dict
        api = reverse("api:link_subscription", kwargs={"contract_id": contract.pk, "subscription_id": foreign})
        body = {"end_customer": tenant.plain_customer.pk, "product": product.pk}
        assert client.post(api, body, content_type="application/json").status_code == 404
        assert ResellerHosting.objects.count() == 0

    def test_unreachable_server_is_explained(self, setup, client_for, sandbox):
        tenant, contract, _product = setup
        sandbox.stop()
        page = client_for(tenant.owner).get(reverse("hosting:contract_subscriptions", args=[contract.pk]))
        assert page.status_code == 200
        assert 'data-testid="server-error"' in page.content.decode()
        assert "cannot be reached" in page.content.decode()


class TestCustomerProductsTab:
    def test_lists_reseller_hostings(self, setup, client_for):
        tenant, contract, product = setup
        from hosting.services import create_hosting

        hosting = create_hosting(tenant.actor(), end_customer=tenant.plain_customer, product=product)
        page = client_for(tenant.owner).get(reverse("customers:endcustomer_products", args=[tenant.plain_customer.pk]))
        text = page.content.decode()
        assert "Reseller product" in text and product.name in text and contract.number in text
        assert reverse("hosting:resellerhosting_detail", args=[hosting.pk]) in text


class TestAPI:
    def test_create_read_list_and_link(self, setup, client_for, sandbox, django_capture_on_commit_callbacks):
        tenant, contract, product = setup
        client = owner(client_for, tenant)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("api:create_hosting"),
                {"end_customer": tenant.plain_customer.pk, "product": product.pk, "domain": "api.example"},
                content_type="application/json",
            )
        assert response.status_code == 202
        body = response.json()
        detail = client.get(body["status_url"]).json()
        assert detail["status"] == "active" and detail["timeline"][0]["kind"] == "queued"
        assert detail["timeline"][-1]["kind"] == "succeeded"
        assert [h["id"] for h in client.get(reverse("api:list_hostings")).json()["items"]] == [body["id"]]
        subs = client.get(reverse("api:list_subscriptions", kwargs={"contract_id": contract.pk})).json()
        marks = {s["name"]: s["in_mkm"] for s in subs}
        assert marks == {"api.example": True, "kunde-alt.example": False, "shop-alt.example": False}
        shop = next(s for s in subs if s["name"] == "shop-alt.example")
        before = server_state(sandbox)
        url = reverse("api:link_subscription", kwargs={"contract_id": contract.pk, "subscription_id": shop["id"]})
        linked = client.post(
            url, {"end_customer": tenant.customer.pk, "product": product.pk}, content_type="application/json"
        )
        assert linked.status_code == 201 and linked.json()["linked"] is True
        assert server_state(sandbox) == before
        again = client.post(
            url, {"end_customer": tenant.customer.pk, "product": product.pk}, content_type="application/json"
        )
        assert again.status_code == 422

    def test_retry_answers_202(self, setup, client_for):
        tenant, contract, product = setup
        from hosting.services import create_hosting

        hosting = create_hosting(tenant.actor(), end_customer=tenant.plain_customer, product=product)
        client = owner(client_for, tenant)
        url = reverse("api:retry_hosting", kwargs={"hosting_id": hosting.pk})
        assert client.post(url).status_code == 422  # still provisioning
        ResellerHosting.objects.filter(pk=hosting.pk).update(status=Status.FAILED)
        assert client.post(url).status_code == 202


class TestIsolation:
    def test_the_other_reseller_gets_404_everywhere(self, setup, client_for, world):
        tenant, contract, product = setup
        from hosting.services import create_hosting

        hosting = create_hosting(tenant.actor(), end_customer=tenant.plain_customer, product=product)
        other = client_for(world.r2.owner)
        for url in (
            reverse("hosting:resellerhosting_detail", args=[hosting.pk]),
            reverse("hosting:resellerhosting_status", args=[hosting.pk]),
            reverse("hosting:contract_hostings", args=[contract.pk]),
            reverse("hosting:contract_subscriptions", args=[contract.pk]),
            reverse("hosting:hosting_add", args=[contract.pk]),
            reverse("hosting:subscription_link", args=[contract.pk, 1]),
            reverse("api:get_hosting", kwargs={"hosting_id": hosting.pk}),
            reverse("api:list_subscriptions", kwargs={"contract_id": contract.pk}),
        ):
            assert other.get(url).status_code == 404, url
        assert other.post(reverse("hosting:resellerhosting_retry", args=[hosting.pk])).status_code == 404
        assert other.post(reverse("api:retry_hosting", kwargs={"hosting_id": hosting.pk})).status_code == 404
        assert other.get(reverse("api:list_hostings")).json()["items"] == []
        created = other.post(
            reverse("api:create_hosting"),
            {"end_customer": tenant.plain_customer.pk, "product": product.pk},
            content_type="application/json",
        )
        assert created.status_code == 422
        assert ResellerHosting.objects.count() == 1
