"""The partner network's public face in a real browser (issue #20): a visitor finds the demo reseller in the
partner directory and sends an inquiry; the reseller opens Anfragen and turns it into an end customer."""

import pytest

from customers.models import EndCustomer
from profiles.models import Inquiry
from tests.browser import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "de": {
        "search": "Suchen",
        "send": "Anfrage absenden",
        "thanks": "Vielen Dank für Ihre Anfrage",
        "inquiries": "Anfragen",
        "add_customer": "Kunde hinzufügen",
        "added": "Der Kunde wurde angelegt.",
        "tab": "Anfragen",
        "profile": "Partnerprofil",
    },
    "en": {
        "search": "Search",
        "send": "Send inquiry",
        "thanks": "Thank you for your inquiry",
        "inquiries": "Inquiries",
        "add_customer": "Add customer",
        "added": "The customer has been added.",
        "tab": "Inquiries",
        "profile": "Partner profile",
    },
}


@pytest.mark.parametrize("language", ["de", "en"])
def test_a_visitor_sends_an_inquiry_and_the_reseller_turns_it_into_a_customer(
    page, live_server, settings, mailoutbox, language
):
    settings.LANGUAGE_CODE = language
    words = WORDS[language]
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])

    # A visitor, not logged in, searches the directory by service and city.
    page.goto(f"{base}/partner/")
    screenshot(page, f"60-partner-directory-{language}")
    page.select_option("#id_service", "webdesign")
    page.fill("#id_city", "Berlin")
    page.click(f"[data-testid=directory-search] button:has-text('{words['search']}')")
    page.wait_for_url("**/partner/?*")
    assert page.locator("[data-testid=partner-card]").count() == 1
    page.click("[data-testid=partner-card]:has-text('Webagentur Beispiel')")
    page.wait_for_url(f"{base}/partner/webagentur-beispiel/")
    # The honeypot is out of sight (robots fill it in, people never see it).
    assert page.locator("#id_homepage").bounding_box()["x"] < 0
    page.fill("#id_name", "Greta Gärtner")
    page.fill("#id_company", "Gärtnerei Grün")
    page.fill("#id_email", "greta@gaertnerei-gruen.test")
    page.fill("#id_phone", "030 4445566")
    page.fill("#id_message", "Wir brauchen eine neue Website mit Online-Shop.\nBitte rufen Sie uns an.")
    screenshot(page, f"61-partner-profile-{language}")
    page.click(f"button:has-text('{words['send']}')")
    # The form's own anchor (#inquiry, so that a refused form shows at its fields) stays with the redirect.
    page.wait_for_url(f"{base}/partner/webagentur-beispiel/sent/#inquiry")
    assert words["thanks"] in page.inner_text("main")
    screenshot(page, f"62-inquiry-sent-{language}")
    [mail] = mailoutbox
    assert mail.to == ["anfragen@webagentur-beispiel.example"] and "Greta Gärtner" in mail.body

    # The reseller sees the third open inquiry next to Anfragen and turns it into a customer.
    log_in(page, base, "reseller")
    link = page.locator("#sidebar a[href='/inquiries/']")
    assert words["inquiries"] in link.inner_text() and "3" in link.inner_text()
    link.click()
    page.wait_for_url(f"{base}/inquiries/")
    screenshot(page, f"63-inquiries-{language}")
    page.click("a:has-text('Greta Gärtner')")
    page.wait_for_selector("[data-testid=message]")
    screenshot(page, f"64-inquiry-{language}")
    page.click("[data-testid=add-customer]")
    assert page.input_value("#id_new-last_name") == "Gärtner"
    assert page.input_value("#id_new-company") == "Gärtnerei Grün"
    page.fill("#id_new-number", "K-2001")
    page.fill("#id_new-street", "Blumenweg 3")
    page.fill("#id_new-postal_code", "10115")
    page.fill("#id_new-city", "Berlin")
    page.fill("#id_new-mobile", "0170 5556677")
    screenshot(page, f"65-inquiry-add-customer-{language}")
    page.click("[data-testid=new-customer-form] button.btn-primary")
    page.wait_for_url(f"{base}/customers/*/")
    assert words["added"] in page.inner_text("main")
    page.click(f".nav-tabs a:has-text('{words['tab']}')")
    assert "Greta Gärtner" in page.inner_text("main")
    screenshot(page, f"66-customer-inquiries-{language}")

    customer = EndCustomer.objects.get(number="K-2001")
    inquiry = Inquiry.objects.get(name="Greta Gärtner")
    assert (inquiry.end_customer, inquiry.status) == (customer, Inquiry.Status.DONE)
    assert "2" in page.locator("#sidebar a[href='/inquiries/']").inner_text()

    # The profile page under Reseller, with its preview link.
    page.click(f"#sidebar a:has-text('{words['profile']}')")
    page.wait_for_selector("[data-testid=preview-link]")
    screenshot(page, f"67-partner-profile-edit-{language}")
    assert page.watcher.errors == [] and page.watcher.foreign == []
