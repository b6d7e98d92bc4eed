"""The hosting lifecycle (issue #21): Sperren / Entsperren, Tarif wechseln and Kündigen / Löschen of a hosting
on the sandbox Plesk over real HTTP. Each is a job like provisioning: a look at the server before every change, unknown
outcomes read back, retried with back-off, audited; faults at every Plesk call of each action leave nothing
done twice and nothing half-done."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from audit.models import AuditEntry
from contracts.models import Contract
from core.access import ActionDenied
from core.roles import Role
from customers.models import EndCustomer
from customers.services import delete_end_customer
from hosting import provisioning, sync
from hosting.models import ResellerHosting
from hosting.services import (
    change_hosting_product,
    create_hosting,
    delete_hosting,
    suspend_hosting,
    unsuspend_hosting,
)
from hosting.tests.helpers import HELD, IMPATIENT_CLIENT, PATIENT_CLIENT, RESELLER_PW, bind_server, reseller_setup
from plesk import PleskClient
from plesk.sandbox import FaultKind
from products.models import ResellerProduct

pytestmark = pytest.mark.django_db
Status = ResellerHosting.Status
SUSPENDED_BY_RESELLER = 32


@pytest.fixture(autouse=True)
def patient_client(settings):
    settings.HOSTING_PLESK_CLIENT_OPTIONS = PATIENT_CLIENT
    settings.HOSTING_MAX_ATTEMPTS = 4


@pytest.fixture
def setup(world, sandbox):
    contract, product = reseller_setup(world.r1, bind_server(sandbox.url), number="o2101")
    return world.r1, contract, product


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run what a call queues (the job) before returning, as a worker would right after the commit."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = function(*args, **kwargs)
        if isinstance(result, ResellerHosting):
            result.refresh_from_db()
        return result

    return run


def active(tenant, product, run, domain="leben.example", customer=None) -> ResellerHosting:
    customer = customer or tenant.plain_customer
    hosting = run(create_hosting, tenant.actor(), end_customer=customer, product=product, domain=domain)
    assert hosting.status == Status.ACTIVE, hosting.failure_reason
    return hosting


def reseller(sandbox) -> PleskClient:
    return PleskClient(sandbox.url, login="reseller-demo", password=RESELLER_PW, allow_insecure_http=True)


def on_server(sandbox, hosting) -> tuple[int | None, int | None]:
    """The status of the hosting's subscription and of its Plesk customer on the server (``None``: gone)."""
    with reseller(sandbox) as client:
        webspaces = client.get_webspaces(ids=[hosting.subscription_id], hosting=False)
        customers = client.get_customers(ids=[hosting.plesk_customer_id])
    return (webspaces[0].status if webspaces else None), (customers[0].status if customers else None)


def executed(sandbox, operator: str, operation: str) -> int:
    """How many ``operator operation`` the sandbox carried out (answered with status ok)."""
    count = 0
    for exchange in sandbox.exchanges:
        root = etree.fromstring(exchange.response)
        for op in root.iter(operator):
            for child in op.iter(operation):
                count += sum(1 for result in child.iter("result") if result.findtext("status") == "ok")
    return count


def messages(hosting) -> list[str]:
    return [event.text for event in hosting.events.all()]


def settle(hosting) -> ResellerHosting:
    """Let time pass and the sweep run until no job works on the hosting (as the sweep every minute would)."""
    for _round in range(8):
        hosting.refresh_from_db()
        if not hosting.is_running:
            break
        past = timezone.now() - timedelta(seconds=1)
        ResellerHosting.objects.filter(pk=hosting.pk, next_attempt_at__isnull=False).update(next_attempt_at=past)
        ResellerHosting.objects.filter(pk=hosting.pk, claimed_until__isnull=False).update(claimed_until=past)
        provisioning.sweep(grace=timedelta(0))
    hosting.refresh_from_db()
    return hosting


def login_corrected(contract) -> None:
    """The provider corrected the reseller's login (here: it was never wrong, the fault said so)."""
    Contract.objects.filter(pk=contract.pk).update(plesk_login_refused_at=None)


# Every Plesk call of an action, and every way it can go wrong. "webspace get" is the look-up before each change.
FAULTS = {
    "timeout before the server acted": (FaultKind.DROP, {}),
    "timeout after the server acted": (FaultKind.TIMEOUT_AFTER_COMMIT, {"delay": HELD}),
    "answer lost after the server acted": (FaultKind.DROP_AFTER_COMMIT, {}),
    "server error": (FaultKind.HTTP_500, {}),
    "refused login": (FaultKind.API_ERROR, {"errcode": 1001, "errtext": "Authentication failed"}),
}


class TestSuspend:
    def test_suspend_and_unsuspend_from_the_page_with_the_reason_shown(self, setup, sandbox, run, client_for):
        tenant, contract, product = setup
        hosting = active(tenant, product, run)
        browser = client_for(tenant.employee)  # employees work on hostings (DESIGN.md)
        page = browser.get(hosting.get_absolute_url()).content.decode()
        assert 'data-testid="hosting-suspend"' in page and 'data-testid="hosting-unsuspend"' not in page
        url = reverse("hosting:resellerhosting_suspend", args=[hosting.pk])
        response = run(browser.post, url, {"reason": "  Rechnung   offen "})
        assert response.status_code == 302
        hosting.refresh_from_db()
        assert hosting.status == Status.SUSPENDED and hosting.suspension_reason == "Rechnung offen"
        assert on_server(sandbox, hosting) == (SUSPENDED_BY_RESELLER, SUSPENDED_BY_RESELLER)
        page = browser.get(hosting.get_absolute_url()).content.decode()
        assert 'data-testid="suspension-reason">Rechnung offen<' in page
        assert 'data-testid="hosting-unsuspend"' in page and 'data-testid="hosting-suspend"' not in page
        assert "The hosting is suspended." in messages(hosting)
        entry = AuditEntry.objects.filter(object_id=str(hosting.pk)).latest("pk")
        assert entry.changes["status"] == ["active", "suspending"]
        assert entry.changes["suspension_reason"] == ["", "Rechnung offen"]

        run(browser.post, reverse("hosting:resellerhosting_unsuspend", args=[hosting.pk]))
        hosting.refresh_from_db()
        assert hosting.status == Status.ACTIVE and hosting.suspension_reason == ""
        assert on_server(sandbox, hosting) == (0, 0)
        assert "The hosting is active again." in messages(hosting)
        assert AuditEntry.objects.filter(object_id=str(hosting.pk), changes__status__1="unsuspending").count() == 1

    def test_a_suspension_needs_a_reason_and_only_an_active_hosting_is_suspended(self, setup, sandbox, run):
        tenant, contract, product = setup
        hosting = active(tenant, product, run)
        with pytest.raises(ValidationError, match="Say why"):
            suspend_hosting(tenant.actor(), hosting, reason="   ")
        with pytest.raises(ValidationError, match="Only a suspended hosting"):
            unsuspend_hosting(tenant.actor(), hosting)
        suspend_hosting(tenant.actor(), hosting, reason="Missbrauch")  # queued, not run yet
        with pytest.raises(ValidationError, match="Only an active hosting"):
            suspend_hosting(tenant.actor(), hosting, reason="doppelt")  # the second click
        assert provisioning.provision(hosting.pk) == Status.SUSPENDED
        assert provisioning.provision(hosting.pk) is None  # the duplicate task: done already
        assert executed(sandbox, "webspace", "set") == 1 and executed(sandbox, "customer", "set") == 1

    def test_the_login_stays_active_while_the_customer_has_another_active_subscription(self, setup, sandbox, run):
        tenant, contract, product = setup
        first = active(tenant, product, run, "eins.example")
        second = active(tenant, product, run, "zwei.example")
        first = run(suspend_hosting, tenant.actor(), first, reason="Test")
        assert first.status == Status.SUSPENDED
        assert on_server(sandbox, first) == (SUSPENDED_BY_RESELLER, 0)
        assert on_server(sandbox, second)[0] == 0
        login = first.plesk_customer_login
        assert f"The Plesk login {login} stays active: the customer has other active subscriptions." in messages(first)
        # Once the other one is suspended too, the login goes with it; unsuspending one opens the login again.
        second = run(suspend_hosting, tenant.actor(), second, reason="Test")
        assert on_server(sandbox, second) == (SUSPENDED_BY_RESELLER, SUSPENDED_BY_RESELLER)
        first = run(unsuspend_hosting, tenant.actor(), first)
        assert on_server(sandbox, first) == (0, 0) and on_server(sandbox, second)[0] == SUSPENDED_BY_RESELLER

    def test_the_server_check_keeps_a_portal_suspension_without_a_difference(self, setup, sandbox, run):
        tenant, contract, product = setup
        hosting = run(suspend_hosting, tenant.actor(), active(tenant, product, run), reason="Test")
        sync.check_contract(contract.pk)
        hosting.refresh_from_db()
        assert hosting.status == Status.SUSPENDED and hosting.drift == "" and hosting.checked_at is not None

    @pytest.mark.parametrize("fault", list(FAULTS))
    @pytest.mark.parametrize("operation", ["webspace get", "webspace set", "customer set"])
    def test_a_fault_at_any_call_leaves_nothing_done_twice_or_half_done(
        self, setup, sandbox, run, settings, fault, operation
    ):
        tenant, contract, product = setup
        hosting = active(tenant, product, run)
        kind, options = FAULTS[fault]
        if kind == FaultKind.TIMEOUT_AFTER_COMMIT:
            settings.HOSTING_PLESK_CLIENT_OPTIONS = IMPATIENT_CLIENT
        sandbox.inject(kind, operation=operation, **options)
        hosting = settle(run(suspend_hosting, tenant.actor(), hosting, reason="Fault"))
        if fault == "refused login":
            # No retry loop against a refused login: back where it started, with the reason, to be done again.
            assert hosting.status == Status.ACTIVE
            assert hosting.failure_reason.startswith("Suspending failed: The reseller's Plesk login was refused")
            login_corrected(contract)
            hosting = settle(run(suspend_hosting, tenant.actor(), hosting, reason="Fault"))
        assert hosting.status == Status.SUSPENDED, hosting.failure_reason
        assert hosting.failure == {}
        assert on_server(sandbox, hosting) == (SUSPENDED_BY_RESELLER, SUSPENDED_BY_RESELLER)
        assert executed(sandbox, "webspace", "set") == 1 and executed(sandbox, "customer", "set") == 1

        hosting = settle(run(unsuspend_hosting, tenant.actor(), hosting))
        assert hosting.status == Status.ACTIVE and on_server(sandbox, hosting) == (0, 0)

    @pytest.mark.parametrize("operation", ["webspace get", "webspace set", "customer set"])
    def test_unsuspending_with_a_lost_answer_is_read_back(self, setup, sandbox, run, operation):
        tenant, contract, product = setup
        hosting = run(suspend_hosting, tenant.actor(), active(tenant, product, run), reason="Test")
        sandbox.inject(FaultKind.DROP_AFTER_COMMIT, operation=operation)
        hosting = settle(run(unsuspend_hosting, tenant.actor(), hosting))
        assert hosting.status == Status.ACTIVE and on_server(sandbox, hosting) == (0, 0)
        assert executed(sandbox, "webspace", "set") == 2 and executed(sandbox, "customer", "set") == 2

    def test_a_server_that_stays_away_leaves_the_hosting_as_it_was_with_the_reason(self, setup, sandbox, run):
        tenant, contract, product = setup
        hosting = active(tenant, product, run)
        sandbox.stop()
        hosting = settle(run(suspend_hosting, tenant.actor(), hosting, reason="Test"))
        assert hosting.status == Status.ACTIVE and hosting.attempts == 4
        assert hosting.failure_reason.startswith("Suspending failed: The Plesk server could not be reached.")
        sandbox.start()
        assert on_server(sandbox, hosting) == (0, 0)
        hosting = run(suspend_hosting, tenant.actor(), hosting, reason="Test")
        assert hosting.status == Status.SUSPENDED and hosting.failure_reason == ""


class TestDelete:
    def test_delete_from_the_page_then_the_customer_can_be_deleted(self, setup, sandbox, run, client_for):
        tenant, contract, product = setup
        hosting = active(tenant, product, run)
        customer = tenant.plain_customer
        with pytest.raises(ValidationError):
            delete_end_customer(tenant.actor(), customer)  # the hosting ties it
        browser = client_for(tenant.admin)
        page = browser.get(hosting.get_absolute_url()).content.decode()
        assert 'data-testid="hosting-delete"' in page
        assert f"the subscription {hosting.subscription_name} is deleted" in page
        assert f"the Plesk customer {hosting.plesk_customer_login}" in page
        response = run(browser.post, reverse("hosting:resellerhosting_delete", args=[hosting.pk]))
        assert response.status_code == 302
        hosting.refresh_from_db()
        assert hosting.status == Status.DELETED
        assert on_server(sandbox, hosting) == (None, None)
        assert "The hosting is deleted." in messages(hosting)
        assert AuditEntry.objects.filter(
            object_id=str(hosting.pk), action=AuditEntry.Action.DELETE, changes__status=["active", "deleting"]
        ).exists()
        assert EndCustomer.objects.with_counts().get(pk=customer.pk).product_count == 0
        delete_end_customer(tenant.actor(), customer)
        assert not ResellerHosting.objects.filter(pk=hosting.pk).exists()

    def test_a_suspended_hosting_is_deleted_and_the_login_stays_for_another_hosting(self, setup, sandbox, run):
        tenant, contract, product = setup
        other = active(tenant, product, run, "bleibt.example")
        hosting = run(suspend_hosting, tenant.actor(), active(tenant, product, run), reason="Kündigung")
        hosting = run(delete_hosting, tenant.actor(), hosting)
        assert hosting.status == Status.DELETED
        assert on_server(sandbox, hosting)[0] is None and on_server(sandbox, other) == (0, 0)
        assert f"The Plesk customer {other.plesk_customer_login} stays" in " ".join(messages(hosting))
        with pytest.raises(ValidationError, match="Only a hosting on the server"):
            delete_hosting(tenant.actor(), hosting)

    def test_deleting_needs_an_administrator(self, setup, sandbox, run, client_for):
        tenant, contract, product = setup
        hosting = active(tenant, product, run)
        employee = client_for(tenant.employee)
        assert 'data-testid="hosting-delete"' not in employee.get(hosting.get_absolute_url()).content.decode()
        assert employee.post(reverse("hosting:resellerhosting_delete", args=[hosting.pk])).status_code == 403
        api = reverse("api:delete_hosting", kwargs={"hosting_id": hosting.pk})
        assert employee.post(api).status_code == 403
        with pytest.raises(ActionDenied):
            delete_hosting(tenant.actor(Role.EMPLOYEE), hosting)
        hosting.refresh_from_db()
        assert hosting.status == Status.ACTIVE and on_server(sandbox, hosting) == (0, 0)

    @pytest.mark.parametrize("fault", list(FAULTS))
    @pytest.mark.parametrize("operation", ["webspace get", "webspace del", "customer get", "customer del"])
    def test_a_fault_at_any_call_leaves_nothing_done_twice_or_half_done(
        self, setup, sandbox, run, settings, fault, operation
    ):
        tenant, contract, product = setup
        hosting = active(tenant, product, run)
        kind, options = FAULTS[fault]
        if kind == FaultKind.TIMEOUT_AFTER_COMMIT:
            settings.HOSTING_PLESK_CLIENT_OPTIONS = IMPATIENT_CLIENT
        sandbox.inject(kind, operation=operation, **options)
        hosting = settle(run(delete_hosting, tenant.actor(), hosting))
        if fault == "refused login":
            assert hosting.status == Status.ACTIVE
            assert hosting.failure_reason.startswith("Deleting failed: The reseller's Plesk login was refused")
            login_corrected(contract)
            hosting = settle(run(delete_hosting, tenant.actor(), hosting))
        assert hosting.status == Status.DELETED, hosting.failure_reason
        assert on_server(sandbox, hosting) == (None, None)
        assert sandbox.delete_count("webspace") == 1 and sandbox.delete_count("customer") == 1
        delete_end_customer(tenant.actor(), tenant.plain_customer)

    def test_a_subscription_gone_from_the_server_is_deleted_with_what_is_left(self, setup, sandbox, run):
        tenant, contract, product = setup
        hosting = active(tenant, product, run)
        with reseller(sandbox) as client:
            client.delete_webspace(id=hosting.subscription_id)
        ResellerHosting.objects.filter(pk=hosting.pk).update(status=Status.MISSING)  # as the server check marks it
        hosting = run(delete_hosting, tenant.actor(), hosting)
        assert hosting.status == Status.DELETED and on_server(sandbox, hosting) == (None, None)
        assert "Removing the subscription" not in " ".join(messages(hosting))


class TestApi:
    def test_suspend_unsuspend_and_delete_answer_202_with_the_status_url(self, setup, sandbox, run, client_for):
        tenant, contract, product = setup
        hosting = active(tenant, product, run)
        api = client_for(tenant.owner)
        status_url = reverse("api:get_hosting", kwargs={"hosting_id": hosting.pk})

        def post(name, **body):
            url = reverse(f"api:{name}", kwargs={"hosting_id": hosting.pk})
            return run(api.post, url, body, content_type="application/json")

        response = post("suspend_hosting", reason="Offene Rechnung")
        assert response.status_code == 202
        assert response.json() == {"id": hosting.pk, "status": "suspending", "status_url": status_url}
        detail = api.get(status_url).json()
        assert detail["status"] == "suspended" and detail["suspension_reason"] == "Offene Rechnung"
        assert post("suspend_hosting", reason="noch mal").status_code == 422
        assert post("suspend_hosting").status_code == 422
        assert post("unsuspend_hosting").status_code == 202
        assert api.get(status_url).json()["status"] == "active"
        assert post("delete_hosting").status_code == 202
        assert api.get(status_url).json()["status"] == "deleted"
        assert api.get(reverse("api:list_hostings"), {"status": "deleted"}).json()["count"] == 1

    def test_another_account_gets_404(self, setup, world, sandbox, run, client_for):
        tenant, contract, product = setup
        hosting = active(tenant, product, run)
        outsider = client_for(world.r2.owner)
        for name in ("suspend", "unsuspend", "delete"):
            assert outsider.post(reverse(f"hosting:resellerhosting_{name}", args=[hosting.pk])).status_code == 404
            url = reverse(f"api:{name}_hosting", kwargs={"hosting_id": hosting.pk})
            assert outsider.post(url, {"reason": "x"}, content_type="application/json").status_code == 404
        hosting.refresh_from_db()
        assert hosting.status == Status.ACTIVE and on_server(sandbox, hosting) == (0, 0)


def second_product(tenant, contract, plan="Webhosting M"):
    return ResellerProduct.objects.create(
        account=tenant.account,
        kind=ResellerProduct.Kind.RESELLER_HOSTING,
        contract=contract,
        plan_name=plan,
        name=f"Hosting {plan}",
        net_price="9.90",
    )


def plan_of(sandbox, hosting) -> str:
    with reseller(sandbox) as client:
        webspace = client.get_webspaces(ids=[hosting.subscription_id], hosting=False)[0]
        plans = {plan.guid: plan.name for plan in client.get_service_plans()}
    return plans.get(webspace.plan_guid, "")


class TestChangePlan:
    def test_the_form_lists_the_contracts_other_products_and_moves_the_hosting(
        self, setup, world, sandbox, run, client_for
    ):
        tenant, contract, product = setup
        hosting = active(tenant, product, run)
        bigger = second_product(tenant, contract)
        other_contract, elsewhere = reseller_setup(tenant, contract.hosting_server, number="o2102", plan="Webhosting L")
        browser = client_for(tenant.employee)
        assert 'data-testid="hosting-change-product"' in browser.get(hosting.get_absolute_url()).content.decode()
        url = reverse("hosting:resellerhosting_change_product", args=[hosting.pk])
        form = browser.get(url).content.decode()
        assert f'<option value="{bigger.pk}">Hosting Webhosting M (Webhosting M)</option>' in form
        assert f'value="{product.pk}"' not in form and f'value="{elsewhere.pk}"' not in form
        assert browser.post(url, {"product": elsewhere.pk}).status_code == 200  # another contract's: refused
        response = run(browser.post, url, {"product": bigger.pk})
        assert response.status_code == 302
        hosting.refresh_from_db()
        assert hosting.status == Status.ACTIVE and hosting.product == bigger and hosting.target_product is None
        assert plan_of(sandbox, hosting) == "Webhosting M"
        assert "The hosting is on its new plan." in messages(hosting)
        entry = AuditEntry.objects.filter(object_id=str(hosting.pk)).latest("pk")
        assert entry.changes == {"status": ["active", "changing_plan"], "product": [product.pk, bigger.pk]}

    def test_a_plan_the_usage_does_not_fit_is_refused_with_a_clear_message(self, setup, sandbox, run, client_for):
        tenant, contract, product = setup
        bigger = second_product(tenant, contract)
        hosting = active(tenant, bigger, run)
        sandbox.set_usage("leben.example", max_box=12)  # Webhosting S allows 5 mailboxes
        hosting = run(change_hosting_product, tenant.actor(), hosting, product)
        assert hosting.status == Status.ACTIVE and hosting.product == bigger and hosting.target_product is None
        assert hosting.failure_reason.startswith(
            "Changing the plan failed: The hosting uses more than the new plan allows; free up space or choose a "
            "bigger plan. Plesk: Unable to accept the template"
        )
        assert "max_box" in hosting.failure_reason
        assert plan_of(sandbox, hosting) == "Webhosting M"
        page = client_for(tenant.owner).get(hosting.get_absolute_url()).content.decode()
        assert "The hosting uses more than the new plan allows" in page
        # Once the mailboxes are gone, the same change goes through.
        sandbox.set_usage("leben.example", max_box=2)
        hosting = run(change_hosting_product, tenant.actor(), hosting, product)
        assert hosting.product == product and hosting.failure == {} and plan_of(sandbox, hosting) == "Webhosting S"

    def test_only_an_active_hosting_and_only_another_product_of_the_contract(self, setup, sandbox, run):
        tenant, contract, product = setup
        hosting = active(tenant, product, run)
        with pytest.raises(ValidationError, match="Choose another"):
            change_hosting_product(tenant.actor(), hosting, product)
        bigger = second_product(tenant, contract)
        hosting = run(suspend_hosting, tenant.actor(), hosting, reason="Test")
        with pytest.raises(ValidationError, match="Only an active hosting"):
            change_hosting_product(tenant.actor(), hosting, bigger)

    @pytest.mark.parametrize("fault", list(FAULTS))
    @pytest.mark.parametrize("operation", ["webspace get", "service-plan get", "webspace switch-subscription"])
    def test_a_fault_at_any_call_leaves_nothing_done_twice_or_half_done(
        self, setup, sandbox, run, settings, fault, operation
    ):
        tenant, contract, product = setup
        hosting = active(tenant, product, run)
        bigger = second_product(tenant, contract)
        kind, options = FAULTS[fault]
        if kind == FaultKind.TIMEOUT_AFTER_COMMIT:
            settings.HOSTING_PLESK_CLIENT_OPTIONS = IMPATIENT_CLIENT
        sandbox.inject(kind, operation=operation, **options)
        hosting = settle(run(change_hosting_product, tenant.actor(), hosting, bigger))
        if fault == "refused login":
            assert hosting.status == Status.ACTIVE and hosting.product == product
            assert hosting.failure_reason.startswith("Changing the plan failed: The reseller's Plesk login was refused")
            login_corrected(contract)
            hosting = settle(run(change_hosting_product, tenant.actor(), hosting, bigger))
        assert hosting.status == Status.ACTIVE and hosting.product == bigger, hosting.failure_reason
        assert plan_of(sandbox, hosting) == "Webhosting M"
        assert executed(sandbox, "webspace", "switch-subscription") == 1

    def test_the_api_answers_202_and_422(self, setup, world, sandbox, run, client_for):
        tenant, contract, product = setup
        hosting = active(tenant, product, run)
        bigger = second_product(tenant, contract)
        api = client_for(tenant.owner)
        url = reverse("api:change_hosting_product", kwargs={"hosting_id": hosting.pk})
        assert api.post(url, {"product": product.pk}, content_type="application/json").status_code == 422
        assert api.post(url, {"product": world.r2.product.pk}, content_type="application/json").status_code == 422
        response = run(api.post, url, {"product": bigger.pk}, content_type="application/json")
        assert response.status_code == 202 and response.json()["status"] == "changing_plan"
        hosting.refresh_from_db()
        assert hosting.product == bigger
        outsider = client_for(world.r2.owner)
        assert outsider.post(url, {"product": product.pk}, content_type="application/json").status_code == 404
        page = reverse("hosting:resellerhosting_change_product", args=[hosting.pk])
        assert outsider.get(page).status_code == 404
