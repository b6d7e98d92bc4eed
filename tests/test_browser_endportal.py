"""The end customer in a real browser: the demo's reseller portal on kunden.webagentur.localhost (Chromium
resolves *.localhost to this machine), its name and colours, the products and "Plesk öffnen" into the sandbox."""

import os

import pytest

from tests.browser import PageWatcher, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_sandbox(transactional_db):
    """A sandbox on a free port named "Sandbox" before ``load_demo`` runs (``page``), so the demo's hosting of
    K-1001 is provisioned on it (tasks run at once in the tests)."""
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


def css(page, selector, prop):
    return page.eval_on_selector(selector, f"e => getComputedStyle(e).{prop}")


def test_the_end_customer_uses_the_resellers_portal_and_opens_plesk(demo_sandbox, page, live_server):
    from django.core.files.base import ContentFile

    from portal.models import PortalTemplate
    from portal.tests.template_fixtures import image_bytes

    template = PortalTemplate.objects.get(host="kunden.webagentur.localhost")
    template.logo.save("logo.png", ContentFile(image_bytes(size=(120, 40))))
    base = f"http://kunden.webagentur.localhost:{live_server.url.rsplit(':', 1)[1]}"
    watcher = PageWatcher(page, base)
    page.goto(f"{base}/login/")
    # The reseller's logo, loaded from the portal's own host.
    assert page.eval_on_selector("[data-testid=portal-logo]", "img => img.complete && img.naturalWidth") == 120
    assert page.title() == "Log in · Webagentur Beispiel · Kundencenter"
    assert "Webagentur Beispiel" in page.inner_text("[data-testid=portal-brand]")
    assert "Partnerportal" not in page.content()
    # The template's colours, through its stylesheet: the header in colour 3, the button in colour 1.
    assert css(page, ".ep-header", "backgroundColor") == "rgb(19, 78, 74)"
    assert css(page, "form button.btn-primary", "backgroundColor") == "rgb(15, 118, 110)"
    screenshot(page, "90-endportal-login")

    page.fill("#id_username", "endkunde")
    page.fill("#id_password", "demo")
    page.click("form button.btn-primary")
    page.wait_for_url(f"{base}/")
    assert "Blumen Sonnenschein GmbH" in page.inner_text("[data-testid=customer-data]")
    assert css(page, ".nav-link.active", "backgroundColor") == "rgb(15, 118, 110)"
    screenshot(page, "91-endportal-overview")

    page.click(".navbar-nav a:has-text('Products')")
    products = page.inner_text("[data-testid=products]")
    assert "Business-Mail 50" in products
    assert "4,90 €" in products
    assert "MMS 50 G12" not in products
    screenshot(page, "92-endportal-products")

    page.click("[data-testid=product] a:has-text('Webhosting Start')")
    assert page.get_attribute("[data-testid=hosting-status] .badge", "data-status") == "active"
    screenshot(page, "93-endportal-hosting")
    with page.context.expect_page() as opened:
        page.click("[data-testid=open-plesk]")
    plesk = opened.value
    plesk.wait_for_load_state()
    assert "logged in as k10001-k-1001" in plesk.inner_text("body")
    assert watcher.errors == []
    assert watcher.foreign == []


def test_the_reseller_views_the_customers_portal_through_a_service_access(page, live_server, settings):
    """Profil → Service-Zugriff shows a code; the reseller redeems it in Servicezugänge, follows "Anmelden" onto
    the portal's host and sees the banner; the customer revokes, and the reseller's next page ends the view."""
    from portal.models import PortalTemplate

    settings.LANGUAGE_CODE = "de"
    port = live_server.url.rsplit(":", 1)[1]
    base = f"http://kunden.webagentur.localhost:{port}"
    # The demo's template points at port 8000; the link "Anmelden" makes must reach this server.
    PortalTemplate.objects.filter(host="kunden.webagentur.localhost").update(portal_url=f"{base}/")
    customer_watcher = PageWatcher(page, base)
    log_in(page, base, "endkunde")
    page.goto(f"{base}/profile/")
    code = page.inner_text("[data-testid=activation-code]")
    screenshot(page, "94-endportal-service-access-code")

    reseller = page.context.browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    reseller_watcher = PageWatcher(reseller, live_server.url)
    log_in(reseller, live_server.url, "reseller")
    reseller.goto(f"{live_server.url}/service-accesses/")
    reseller.click("[data-testid=activate-button]")
    reseller.fill("#id_code", code)
    reseller.click("#activate-modal button.btn-success")
    row = reseller.locator("tr:has-text('K-1001')")
    row.wait_for()
    assert "Endkunde" in row.inner_text()
    assert "endkunde" in row.inner_text()
    screenshot(reseller, "95-service-access-list-end-customer")

    row.locator("[data-testid=switch-in]").click()
    reseller.wait_for_url(f"{base}/")
    banner = reseller.inner_text("[data-testid=service-access-banner]")
    assert "Sie sehen das Portal als Blumen Sonnenschein GmbH" in banner
    assert "Beenden" in banner
    screenshot(reseller, "96-endportal-viewing-banner")
    # Nothing blocked on the way from the main host to the portal's (CSP, redirects); the 403 below is meant.
    assert reseller_watcher.errors == []
    reseller.goto(f"{base}/profile/password/")
    assert "Servicezugang" in reseller.inner_text("main")

    page.goto(f"{base}/profile/")
    assert page.locator("[data-testid=service-access-active]").count() == 1
    assert "reseller" in page.inner_text("[data-testid=service-access-history]")
    screenshot(page, "97-endportal-service-access-active")
    page.click("[data-testid=service-access-revoke]")
    page.wait_for_selector("[data-testid=activation-code]")

    reseller.goto(f"{base}/products/")
    assert reseller.url.startswith(f"{base}/login/")
    assert "Der Servicezugang wurde beendet." in reseller.inner_text("main")
    assert customer_watcher.errors == []
