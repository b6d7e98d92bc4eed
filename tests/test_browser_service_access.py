"""Service access in two real browsers: the customer shares a code, the reseller works in its account."""

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, PageWatcher, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_customer_shares_and_revokes_while_the_reseller_works_inside(page, live_server, settings):
    settings.LANGUAGE_CODE = "de"
    base = live_server.url
    browser = page.context.browser
    reseller = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    reseller.watcher = PageWatcher(reseller, base)
    assert CHROMIUM and CHROMIUM_ARGS  # the same Chromium as the `page` fixture

    log_in(page, base, "kunde")
    page.goto(f"{base}/profile/service-access/")
    code = page.inner_text("[data-testid=activation-code]")
    screenshot(page, "30-customer-code")

    log_in(reseller, base, "reseller")
    reseller.goto(f"{base}/service-accesses/")
    reseller.click("[data-testid=activate-button]")
    for wrong, message in (
        ("", "Bitte einen Aktivierungscode eingeben."),
        ("ABCD-EFGH-JKMN-P", "Der eingegebene Aktivierungscode wurde nicht gefunden."),
    ):
        reseller.fill("#id_code", wrong)
        reseller.click("#activate-modal button.btn-success")
        reseller.wait_for_selector(f"text={message}")
    screenshot(reseller, "31-activation-error")
    reseller.fill("#id_code", code.lower().replace("-", ""))
    reseller.click("#activate-modal button.btn-success")
    reseller.wait_for_selector("[data-testid=switch-in]")
    screenshot(reseller, "32-service-access-list")

    # The same code a second time: already used.
    reseller.click("[data-testid=activate-button]")
    reseller.fill("#id_code", code)
    reseller.click("#activate-modal button.btn-success")
    reseller.wait_for_selector("text=Dieser Aktivierungscode wurde bereits verwendet.")
    reseller.goto(f"{base}/service-accesses/")

    reseller.click("[data-testid=switch-in]")
    reseller.wait_for_selector("[data-testid=service-access-banner]")
    assert "10002" in reseller.inner_text("[data-testid=service-access-banner]")
    screenshot(reseller, "33-switched-in")
    reseller.goto(f"{base}/profile/")
    # The profile cannot be changed from inside the customer's account: the form is shown disabled, with why.
    assert reseller.is_disabled("#id_first_name")
    assert "nicht verfügbar" in reseller.inner_text("[data-testid=not-while-switched]")
    assert reseller.locator("nav.sidebar a[href='/account/settings/']").count() == 0
    response = reseller.goto(f"{base}/account/settings/")
    assert response.status == 403

    page.goto(f"{base}/")
    assert page.locator("[data-testid=access-badge]").count() == 1
    page.goto(f"{base}/profile/service-access/")
    assert page.locator("[data-testid=access-active]").count() == 1
    assert "reseller" in page.inner_text("[data-testid=access-record]")
    screenshot(page, "34-customer-sees-access")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=Servicezugang löschen")
    page.wait_for_selector("[data-testid=activation-code]")

    reseller.goto(f"{base}/")
    assert reseller.locator("[data-testid=service-access-banner]").count() == 0
    assert "Servicezugang wurde beendet" in reseller.inner_text("main")
    reseller.goto(f"{base}/service-accesses/")
    assert reseller.locator("[data-testid=switch-in]").count() == 0
    screenshot(reseller, "35-access-revoked")
    assert reseller.watcher.foreign == [] and page.watcher.foreign == []
