"""Browser smoke test: the demo reseller logs in, opens every navigation entry, switches language."""

import re

import pytest

from tests.browser import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_reseller_walks_through_the_portal(page, live_server, settings):
    settings.LANGUAGE_CODE = "de"
    base = live_server.url
    page.goto(f"{base}/login/")
    assert page.locator("html").get_attribute("lang") == "de"
    screenshot(page, "01-login")
    log_in(page, base, "reseller")
    assert "Webagentur Beispiel" in page.inner_text("[data-testid=account-switcher]")
    screenshot(page, "02-dashboard")

    links = page.eval_on_selector_all("#sidebar a.nav-link", "links => links.map(a => a.getAttribute('href'))")
    assert len(links) >= 4
    for index, href in enumerate(links, start=3):
        page.goto(base + href)
        assert page.locator("main h1").count() >= 1, href
        screenshot(page, f"{index:02d}-{href.strip('/').replace('/', '-') or 'dashboard'}")

    page.goto(f"{base}/")
    page.click("form.lang-switch button[value=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("text=Log out").count() == 1
    screenshot(page, "10-dashboard-english")

    assert page.watcher.foreign == []
    assert page.watcher.errors == []


def test_the_reseller_creates_a_token_and_calls_the_api(page, live_server):
    base = live_server.url
    log_in(page, base, "reseller")
    page.goto(f"{base}/profile/")
    page.fill("input[name=name]", "Browser-Test")
    page.click("text=Create token")
    key = page.input_value("[data-testid=token-key]")
    assert re.fullmatch(r"pp_[A-Za-z0-9_-]{40,}", key)
    screenshot(page, "11-token-created")
    response = page.request.get(f"{base}/api/v1/me/", headers={"Authorization": f"Bearer {key}"})
    assert response.status == 200
    assert response.json()["account"]["number"] == "10001"
    page.goto(f"{base}/profile/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=Revoke")
    page.wait_for_load_state()
    assert page.request.get(f"{base}/api/v1/me/", headers={"Authorization": f"Bearer {key}"}).status == 401
    assert page.watcher.errors == []


def test_an_employee_cannot_reach_member_management(page, live_server):
    base = live_server.url
    log_in(page, base, "mitarbeiter")
    page.goto(f"{base}/account/members/")
    assert page.locator("a[href$='/edit/']").count() == 0
    response = page.goto(f"{base}/account/settings/")
    assert response.status == 403
    screenshot(page, "12-employee-403")
