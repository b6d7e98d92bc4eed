"""The end customer in a real browser: the demo's reseller portal on kunden.webagentur.localhost (Chromium
resolves *.localhost to this machine), its name and colours, the products and "Plesk öffnen" into the sandbox."""

import os

import pytest

from tests.browser import PageWatcher, screenshot

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
