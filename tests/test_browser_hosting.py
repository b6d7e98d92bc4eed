"""Reseller hosting in a real browser: a product from a sandbox plan, a hosting that becomes active by itself
(htmx polling), and linking one of the two pre-existing subscriptions of the sandbox's demo reseller."""

import os
import re

import pytest

from tests.browser import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOWAK = "K-1005 – Nowak, Piotr"


@pytest.fixture
def demo_sandbox(transactional_db):
    """The demo's sandbox is not running in tests: start one on a free port and name it "Sandbox" first,
    so ``load_demo`` (in the ``page`` fixture) binds contract o1441 to it."""
    from hosting.models import HostingServer
    from plesk.sandbox import SandboxServer

    admin_pw = os.environ.get("SANDBOX_ADMIN_PASSWORD", "sandbox-admin")
    reseller_pw = os.environ.get("SANDBOX_RESELLER_PASSWORD", "sandbox-reseller")
    with SandboxServer("127.0.0.1", 0, admin_password=admin_pw, seed_demo=True, reseller_password=reseller_pw) as s:
        host, port = s.url.split("//")[1].split("/")[0].split(":")
        HostingServer.objects.update_or_create(
            name="Sandbox",
            defaults={
                "host": host,
                "port": int(port),
                "use_tls": False,
                "login": "admin",
                "password": admin_pw,
                "is_sandbox": True,
            },
        )
        yield s


def test_the_reseller_provisions_and_links_hostings(demo_sandbox, page, live_server, settings):
    base = live_server.url
    log_in(page, base, "reseller")

    # A reseller product from a sandbox plan.
    page.goto(f"{base}/products/add/?kind=reseller_hosting")
    contract = page.locator("#id_contract option", has_text="o1441").get_attribute("value")
    page.select_option("#id_contract", value=contract)
    page.wait_for_url(re.compile(r"contract=\d+"))
    page.select_option("#id_plan_guid", label="Webhosting M")
    page.fill("#id_name", "Hosting M Sandbox")
    page.fill("#id_net_price", "7,90")
    screenshot(page, "60-hosting-product-form")
    page.click("main form button.btn-primary")
    page.wait_for_url(re.compile(r"/products/\d+/$"))

    # Contract detail → MKM hostings → plus → create for a customer.
    page.goto(f"{base}/contracts/?q=o1441")
    page.click("tbody a:has-text('o1441')")
    page.click(".nav-tabs a:has-text('MKM hostings')")
    # The demo's one hosting (the end customer K-1001's, for the white-label portal) and nothing of Nowak yet.
    assert "nowak" not in page.inner_text("[data-testid=contract-hostings]").lower()
    page.click("[data-testid=hosting-add]")
    page.select_option("select[name=end_customer]", label=NOWAK)
    page.select_option("select[name=product]", label="Hosting M Sandbox")
    page.fill("#id_domain", "nowak-neu.example")
    assert not page.is_checked("#id_send_summary")
    screenshot(page, "61-hosting-add")
    page.click("[data-testid=hosting-create]")
    page.wait_for_url(re.compile(r"/hostings/\d+/$"))
    # The page updates itself until the background job is done.
    page.wait_for_selector("[data-testid=hosting-status][data-status=active]", timeout=120_000)
    assert "The subscription nowak-neu.example is active." in page.inner_text("[data-testid=timeline]")
    screenshot(page, "62-hosting-active")

    # Abonnements: the new one and the demo's are in the MKM, the two old ones are not; link one of them.
    page.click(".small a:has-text('MKM hostings')")
    assert "nowak-neu.example" in page.inner_text("[data-testid=contract-hostings]")
    screenshot(page, "63-contract-hostings")
    page.click(".nav-tabs a:has-text('Subscriptions')")
    # The tab is a page of its own that asks the sandbox; count its rows once it has loaded.
    page.wait_for_url(re.compile(r"/subscriptions/$"))
    assert page.locator("[data-testid=subscriptions]").count() == 1, page.inner_text("main")
    assert page.locator("[data-testid=not-in-mkm]").count() == 2
    assert page.locator("[data-testid=in-mkm]").count() == 2
    screenshot(page, "64-subscriptions")
    page.click("tr:has-text('kunde-alt.example') [data-testid=link-subscription]")
    assert "kunde-alt" in page.inner_text("[data-testid=subscription-facts]")
    page.select_option("select[name=end_customer]", label=NOWAK)
    page.select_option("select[name=product]", label="Hosting M Sandbox")
    screenshot(page, "65-subscription-link")
    page.click("[data-testid=subscription-save]")
    page.wait_for_url(re.compile(r"/hostings/\d+/$"))
    assert page.get_attribute("[data-testid=hosting-status]", "data-status") == "active"
    page.click(".small a:has-text('MKM hostings')")
    page.click(".nav-tabs a:has-text('Subscriptions')")
    page.wait_for_url(re.compile(r"/subscriptions/$"))
    assert page.locator("[data-testid=not-in-mkm]").count() == 1
    assert page.locator("[data-testid=in-mkm]").count() == 3

    # The customer's Products tab lists both hostings.
    page.goto(f"{base}/customers/?q=K-1005")
    page.click("tbody a:has-text('K-1005')")
    page.click(".nav-tabs a:has-text('Products')")
    products = page.inner_text("[data-testid=customer-products]")
    assert products.count("Reseller product") == 2 and "Hosting M Sandbox" in products
    screenshot(page, "66-customer-products")

    assert page.watcher.errors == [] and page.watcher.foreign == []


def test_open_plesk_lands_on_the_sandbox_plesk_logged_in(demo_sandbox, page, live_server):
    """The form POSTs to the portal, which redirects to the server's one-time login URL: the page's CSP
    must let that redirect through (the test client does not apply CSP; the browser does)."""
    base = live_server.url
    log_in(page, base, "reseller")
    page.goto(f"{base}/contracts/?q=o1441")
    page.click("tbody a:has-text('o1441')")
    with page.context.expect_page() as opened:
        page.click("[data-testid=open-plesk]")
    plesk = opened.value
    plesk.wait_for_load_state()
    assert plesk.url.startswith(demo_sandbox.url.split("/enterprise")[0])
    assert "Plesk sandbox — logged in as" in plesk.inner_text("body")


def test_the_reseller_cancels_a_failed_hosting_after_confirming(demo_sandbox, page, live_server, settings):
    """Stornieren asks first; confirmed, the job removes the Plesk customer the failed attempt created."""
    from contracts.models import Contract
    from products.models import ResellerProduct

    settings.LANGUAGE_CODE = "de"
    contract = Contract.objects.get(number="o1441")
    ResellerProduct.objects.create(
        account=contract.account,
        kind=ResellerProduct.Kind.RESELLER_HOSTING,
        contract=contract,
        plan_name="Webhosting S",
        name="Hosting S Sandbox",
        net_price="4.90",
    )
    base = live_server.url
    log_in(page, base, "reseller")
    page.goto(f"{base}/hostings/contracts/{contract.pk}/hostings/add/")
    page.select_option("select[name=end_customer]", label=NOWAK)
    page.select_option("select[name=product]", label="Hosting S Sandbox")
    page.fill("#id_domain", "kunde-alt.example")  # taken on the sandbox: step 2 fails
    customers_before = demo_sandbox.create_count("customer")  # the demo's own hosting made one
    page.click("[data-testid=hosting-create]")
    page.wait_for_selector("[data-testid=hosting-status][data-status=failed]", timeout=120_000)
    assert demo_sandbox.create_count("customer") == customers_before + 1
    # Dismissed, nothing happens; confirmed, the hosting is cancelled.
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("[data-testid=hosting-cancel]")
    assert page.get_attribute("[data-testid=hosting-status]", "data-status") == "failed"
    screenshot(page, "67-hosting-failed")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=hosting-cancel]")
    page.wait_for_selector("[data-testid=hosting-status][data-status=cancelled]", timeout=120_000)
    assert "storniert" in page.inner_text("[data-testid=hosting-status]")
    screenshot(page, "68-hosting-cancelled")
    assert demo_sandbox.delete_count("customer") == 1
    assert page.watcher.errors == [] and page.watcher.foreign == []


def test_the_reseller_creates_a_hosting_space_without_a_domain_and_adds_the_domain_later(
    demo_sandbox, page, live_server, settings
):
    """+ Hosting-Bereich erstellen on the customer's page: a plan from the dropdown, no domain, the summary left
    unchecked; the space waits with its Plesk login until Domain hinzufügen creates the subscription."""
    from contracts.models import Contract
    from products.models import ResellerProduct

    settings.LANGUAGE_CODE = "de"
    contract = Contract.objects.get(number="o1441")
    ResellerProduct.objects.create(
        account=contract.account,
        kind=ResellerProduct.Kind.RESELLER_HOSTING,
        contract=contract,
        plan_name="Webhosting S",
        name="Hosting S Sandbox",
        net_price="4.90",
    )
    base = live_server.url
    log_in(page, base, "reseller")
    page.goto(f"{base}/customers/?q=K-1005")
    page.click("tbody a:has-text('K-1005')")
    page.click("[data-testid=customer-actions] a:has-text('Hosting-Bereich erstellen')")
    page.select_option("select[name=product]", label="Webhosting S · Hosting S Sandbox · o1441")
    assert not page.is_checked("#id_send_summary")
    assert "Bereichszusammenfassung versenden" in page.inner_text("main form")
    screenshot(page, "69-hosting-space-add")
    webspaces_before = demo_sandbox.create_count("webspace")
    page.click("[data-testid=space-create]")
    page.wait_for_selector("[data-testid=hosting-status][data-status=prepared]", timeout=120_000)
    assert "vorbereitet, noch ohne Domain" in page.inner_text("[data-testid=hosting-status]")
    assert demo_sandbox.create_count("webspace") == webspaces_before
    screenshot(page, "70-hosting-space-prepared")
    page.click("[data-testid=hosting-add-domain]")
    page.fill("#id_domain", "nowak-später.example")
    page.click("[data-testid=hosting-add-domain-save]")
    page.wait_for_selector("[data-testid=hosting-status][data-status=active]", timeout=120_000)
    assert "nowak-später.example" in page.inner_text("h1")
    assert demo_sandbox.create_count("webspace") == webspaces_before + 1
    screenshot(page, "71-hosting-space-active")
    assert page.watcher.errors == [] and page.watcher.foreign == []
