"""Produktverwaltung and MKM products in a real browser: assign contracts, see them at the customer, brand a product."""

import pytest

from tests.browser import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PORTAL_CONTRACTS = ("o2411", "o2375", "o2374", "o1763", "o1604", "o1552", "o1441")
NOWAK = "K-1005 – Nowak, Piotr"


def message(page):
    return page.inner_text(".messages")


def open_customer_tab(page, base, number, tab):
    page.goto(f"{base}/customers/?q={number}")
    page.click(f"tbody a:has-text('{number}')")
    page.click(f".nav-tabs a:has-text('{tab}')")


def test_the_reseller_assigns_contracts_and_brands_a_product(page, live_server):
    base = live_server.url
    log_in(page, base, "reseller")
    page.click("#sidebar a:has-text('Product management')")
    listed = page.inner_text("main table")
    assert all(number in listed for number in PORTAL_CONTRACTS)
    assert "Reseller Webhosting" in listed and "Hinweis" not in listed
    screenshot(page, "30-product-management")

    # One contract through the detail's menu and its dialog, with the search box.
    page.click("tbody a:has-text('o2411')")
    page.click("[data-testid=object-menu]")
    page.click("text=Assign customer")
    dialog = page.locator("#assign-dialog")
    dialog.locator("input[type=search]").fill("nowak")
    assert dialog.locator("select option:not([hidden])").all_inner_texts() == ["– no customer –", NOWAK]
    screenshot(page, "31-assign-dialog")
    dialog.locator("button:has-text('Save')").click()
    page.wait_for_load_state()
    assert "o2411 is now assigned to K-1005" in message(page)
    assert page.inner_text("[data-testid=assigned-customer]") == NOWAK
    screenshot(page, "32-contract-detail")

    # A second one in bulk from the list.
    page.goto(f"{base}/contracts/?q=o2375")
    page.check("tbody input[name=selection]")
    page.select_option("#bulk-form select[name=end_customer]", label=NOWAK)
    page.click("#bulk-form button[value=assign]")
    assert "1 entry assigned to K-1005" in message(page)
    screenshot(page, "33-bulk-assigned")

    # The customer shows both at once: in its Products tab and in the list's count.
    page.goto(f"{base}/customers/?q=K-1005")
    assert page.inner_text("tbody tr td:nth-child(6)").strip() == "2"
    open_customer_tab(page, base, "K-1005", "Products")
    products = page.inner_text("[data-testid=customer-products]")
    assert "o2411" in products and "o2375" in products and "Provider product" in products
    screenshot(page, "34-customer-products")
    open_customer_tab(page, base, "K-1002", "Domains")
    assert "müller-bäckerei.de" in page.inner_text("[data-testid=customer-domains]")
    screenshot(page, "35-customer-domains")

    # Removing one assignment keeps the contract.
    page.goto(f"{base}/contracts/?q=o2375")
    page.click("tbody a:has-text('o2375')")
    page.click("[data-testid=object-menu]")
    page.click("text=Remove assignment")
    page.wait_for_load_state()
    assert "o2375 is no longer assigned" in message(page)
    page.goto(f"{base}/contracts/?assigned=no")
    assert "o2375" in page.inner_text("main table")
    open_customer_tab(page, base, "K-1005", "Products")
    products = page.inner_text("[data-testid=customer-products]")
    assert "o2411" in products and "o2375" not in products

    # The domains tab of the list, with umlaut domains shown in Unicode.
    page.goto(f"{base}/contracts/")
    page.click("[data-testid=list-tabs] a:has-text('Domains')")
    domains = page.inner_text("main table")
    assert "müller-bäckerei.de" in domains and "café-zuckerhut.de" in domains and "xn--" not in domains
    screenshot(page, "36-domains")

    # A branded product with a German price.
    page.click("#sidebar a:has-text('Products') >> nth=-1")
    screenshot(page, "37-products")
    page.click("[data-testid=add-button]")
    page.fill("input[data-search-for=id_shop_product]", "cloud")
    assert page.input_value("#id_shop_product") != ""
    page.fill("#id_name", "Cloud-Paket Agentur")
    page.fill("#id_description", "Speicher für Ihre Projekte")
    page.fill("#id_net_price", "1.234,5")
    assert not page.is_visible("#id_in_app_info")
    page.check("#id_in_app_prices")
    assert page.is_visible("#id_in_app_info")
    page.fill("#id_in_app_info", "Zusätzlicher Speicher wird extra berechnet.")
    screenshot(page, "38-product-form")
    page.click("main form button.btn-primary")
    page.wait_for_url(f"{base}/products/*/")
    assert page.inner_text("[data-testid=net-price]") == "1.234,50 €"
    assert page.inner_text("[data-testid=shop-product]") == "Cloud-Speicher FLEX G2"
    assert page.get_attribute("[data-testid=shop-link]", "href").startswith("https://shop.provider.test/")
    screenshot(page, "39-product-detail")

    page.click("a:has-text('Edit')")
    assert page.input_value("#id_net_price") == "1.234,50"
    page.fill("#id_net_price", "-1")
    page.click("main form button.btn-primary")
    assert "The price cannot be negative." in page.inner_text("main form")
    page.fill("#id_net_price", "99,9")
    page.click("main form button.btn-primary")
    page.wait_for_url(f"{base}/products/*/")
    assert page.inner_text("[data-testid=net-price]") == "99,90 €"

    # The type cannot be changed through the API either (browser session with its CSRF token).
    # (No ORM here: Playwright's event loop runs in this thread and would open a second connection.)
    product_url = page.url.replace("/products/", "/api/v1/products/")
    token = next(cookie["value"] for cookie in page.context.cookies() if cookie["name"].endswith("csrftoken"))
    response = page.request.patch(
        product_url, data={"kind": "reseller_hosting"}, headers={"X-CSRFToken": token, "Referer": page.url}
    )
    assert response.status == 422
    assert "cannot be changed after it was created" in response.json()["detail"][0]["msg"]
    assert page.request.get(product_url).json()["kind"] == "branded"

    # Exports of both lists.
    page.goto(f"{base}/products/")
    assert "Cloud-Paket Agentur" in page.inner_text("main table")
    with page.expect_download() as download:
        page.click("a:has-text('CSV')")
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert "Cloud-Paket Agentur" in text and "99.90" in text
    page.goto(f"{base}/contracts/?assigned=yes")
    with page.expect_download() as download:
        page.click("a:has-text('Excel')")
    assert download.value.suggested_filename == "contracts.xlsx"

    assert page.watcher.errors == [] and page.watcher.foreign == []


def href(page, url, link):
    page.goto(url)
    return page.get_attribute(f"tbody a:has-text('{link}')", "href")


def test_the_other_reseller_reaches_none_of_it(page, live_server):
    base = live_server.url
    log_in(page, base, "reseller")
    contract = href(page, f"{base}/contracts/", "o2411")
    domain = href(page, f"{base}/contracts/domains/", "müller-bäckerei.de")
    product = href(page, f"{base}/products/", "Business-Mail 50")
    page.context.clear_cookies()
    log_in(page, base, "reseller2")
    page.goto(f"{base}/contracts/")
    listed = page.inner_text("main")
    assert "o3101" in listed and not any(number in listed for number in PORTAL_CONTRACTS)
    page.goto(f"{base}/products/")
    assert "Business-Mail" not in page.inner_text("main")
    for url in (contract, f"{contract}assign/", domain, product, f"{product}edit/"):
        assert page.goto(base + url).status == 404, url
    screenshot(page, "40-other-reseller-404")
    assert page.request.get(f"{base}/api/v1{contract}").status == 404
    assert page.request.get(f"{base}/api/v1{product}").status == 404
    assert "K-10" not in page.request.get(f"{base}/contracts/customers/").text()
