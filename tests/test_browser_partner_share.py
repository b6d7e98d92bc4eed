"""The customer shares (issue #20, way 2) in two real browsers: the customer's owner finds the reseller by its
Kundennummer and shares Teilzugriff; the reseller sees the badge next to "Kunden", connects the share as a new
end customer and opens the customer's account, where only the shared contract exists."""

import pytest

from accounts.models import Account
from contracts.models import Contract, ShopProduct
from tests.browser import PageWatcher, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_customer_shares_and_the_reseller_connects_and_opens_the_account(page, live_server, settings):
    settings.LANGUAGE_CODE = "de"
    base = live_server.url
    bakery = Account.objects.get(number="10002")
    product = ShopProduct.objects.get(name="CS-Flex 2")
    shared = Contract.objects.create(account=bakery, number="o2201", shop_product=product, note="Website")
    kept = Contract.objects.create(account=bakery, number="o2202", shop_product=product, note="Intern")
    reseller = page.context.browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    reseller.watcher = PageWatcher(reseller, base)

    # The customer: Partner → Partner hinzufügen, found by its exact Kundennummer, Teilzugriff on one contract.
    log_in(page, base, "kunde")
    page.goto(f"{base}/account/partners/")
    page.click("[data-testid=add-partner]")
    page.fill("#id_q", "Webagentur")
    page.click("[data-testid=partner-search] button.btn-primary")
    page.wait_for_selector("[data-testid=no-partner]")
    page.fill("#id_q", "10001")
    page.click("[data-testid=partner-search] button.btn-primary")
    page.wait_for_selector("[data-testid=partner-results]")
    screenshot(page, "60-share-find-partner")
    page.click("[data-testid=choose-partner]")
    page.wait_for_selector("[data-testid=share-form]")
    assert "Zugriff freigeben für Webagentur Beispiel" in page.inner_text("main")
    page.check("#id_full_1")
    page.check(f"input[name='statistics-contracts.Contract-{shared.pk}']")
    page.check(f"input[name='technical-contracts.Contract-{shared.pk}']")
    page.fill("#id_message", "Bitte übernehmen Sie unsere Website.")
    screenshot(page, "61-share-form")
    page.click("[data-testid=share-submit]")
    page.wait_for_selector("[data-testid=sent-shares]")
    assert "wartet auf den Partner" in page.inner_text("[data-testid=sent-shares]")
    screenshot(page, "62-share-sent")

    # The reseller: two open shares (the demo's and this one) next to "Kunden".
    log_in(reseller, base, "reseller")
    badge = reseller.locator("nav.sidebar a[href='/customers/'] [data-testid=badge]")
    assert badge.inner_text() == "2"
    screenshot(reseller, "63-share-badge")
    reseller.click("nav.sidebar a[href='/customers/']")
    reseller.click("[data-testid=list-link]")
    row = reseller.locator("tr", has_text="Bäckerei Krume")
    assert "Teilzugriff" in row.inner_text()
    screenshot(reseller, "64-share-list")
    row.locator("[data-testid=connect-share]").click()
    reseller.wait_for_selector("[data-testid=connect-form]")
    # Taken over from the customer's account and its owner; the reseller completes the address.
    assert reseller.input_value("#id_new-number") == "10002"
    assert reseller.input_value("#id_new-company") == "Bäckerei Krume"
    assert reseller.input_value("#id_new-last_name") == "Kunde"
    assert reseller.input_value("#id_new-email") == "karl@baeckerei-krume.test"
    assert "o2201" in reseller.inner_text("[data-testid=share-summary]")
    reseller.fill("#id_new-street", "Ofenweg 3")
    reseller.fill("#id_new-postal_code", "10115")
    reseller.fill("#id_new-city", "Berlin")
    reseller.fill("#id_new-phone", "030 1234567")
    reseller.fill("#id_new-mobile", "0170 1234567")
    screenshot(reseller, "65-share-connect")
    reseller.click("[data-testid=connect-submit]")
    reseller.wait_for_url("**/customers/*/")
    assert "Bäckerei Krume ist verbunden" in reseller.inner_text("main")
    screenshot(reseller, "66-share-connected")
    assert reseller.locator("nav.sidebar a[href='/customers/'] [data-testid=badge]").inner_text() == "1"

    # Konto öffnen: inside the bakery's account, only the shared contract exists.
    reseller.goto(f"{base}/managed-customers/")
    reseller.locator("tr", has_text="Bäckerei Krume").locator("[data-testid=open-account]").click()
    reseller.wait_for_selector("[data-testid=service-access-banner]")
    reseller.goto(f"{base}/contracts/")
    contracts = reseller.inner_text("main")
    assert shared.number in contracts and kept.number not in contracts
    screenshot(reseller, "67-share-account-opened")

    assert page.watcher.foreign == [] and reseller.watcher.foreign == []


def test_the_pages_in_english(page, live_server):
    """The same pages for a reader of English (the screenshots are looked at)."""
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    log_in(page, base, "kunde")
    page.goto(f"{base}/account/partners/share/?partner={Account.objects.get(number='10001').pk}")
    page.wait_for_selector("[data-testid=share-form]")
    assert "Share access with Webagentur Beispiel" in page.inner_text("main")
    screenshot(page, "68-share-form-en")
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    log_in(page, base, "reseller")
    page.goto(f"{base}/customers/shares/?state=open")
    assert "Gärtnerei Grünhof" in page.inner_text("main")
    screenshot(page, "69-share-list-en")
    page.locator("[data-testid=decline-share]").first.click()
    page.wait_for_selector("[data-testid=decline-form]")
    screenshot(page, "70-share-decline-en")
    page.click("[data-testid=decline-submit]")
    page.wait_for_selector("text=has been declined")
    assert page.locator("nav.sidebar a[href='/customers/'] [data-testid=badge]").count() == 0
