"""Administration → Portal Templates in a real browser: the colour picker, an uploaded logo, the saved page."""

import pytest

from tests.browser import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def template(page):
    from accounts.models import Account
    from portal.models import PortalTemplate

    account = Account.objects.get(number="10001")
    found = PortalTemplate.objects.filter(account=account).first()
    return found or PortalTemplate.objects.create(
        account=account,
        portal_url="http://kunden.browser-test.localhost:8000",
        portal_name="Webagentur Beispiel",
        portal_name_2="Kundenportal",
    )


def test_the_reseller_picks_a_colour_and_uploads_a_logo(page, live_server, template, tmp_path):
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 40), (170, 51, 0)).save(logo)
    base = live_server.url
    log_in(page, base, "reseller")
    with page.expect_navigation():
        page.click("#sidebar a:has-text('Portal templates')")
    assert template.portal_url in page.inner_text("main table")
    with page.expect_navigation():
        page.click("main table a.btn-warning")
    assert page.input_value("[data-testid=portal-url]") == template.portal_url

    page.fill("input[data-colour-for=id_color_1]", "#aa3300")
    assert page.input_value("#id_color_1") == "#aa3300"
    page.fill("#id_color_2", "#224466")
    assert page.input_value("input[data-colour-for=id_color_2]") == "#224466"
    page.set_input_files("#id_logo", str(logo))
    with page.expect_navigation():
        page.click("form button.btn-primary:has-text('Save')")

    assert "Saved." in page.inner_text(".messages")
    assert page.input_value("#id_color_1") == "#aa3300"
    width = page.eval_on_selector("[data-testid=current-logo]", "image => image.naturalWidth")
    assert width == 120
    assert page.watcher.errors == [] and page.watcher.foreign == []
    screenshot(page, "60-portal-template-edit")
    template.refresh_from_db()
    assert (template.color_1, template.color_2) == ("#aa3300", "#224466")

    # Enter in a text field saves: the connection test is the form's second button, not its first.
    page.fill("#id_title", "Per Enter")
    with page.expect_navigation():
        page.press("#id_title", "Enter")
    assert "Saved." in page.inner_text(".messages")
    assert page.locator("[data-testid=mail-test-result]").count() == 0
    template.refresh_from_db()
    assert template.title == "Per Enter"
