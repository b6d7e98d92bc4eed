"""Kontakt in a real browser: from a page of the portal to support's mailbox and the sender's own list."""

import pytest

from support.models import SupportRequest
from tests.browser import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_reseller_writes_to_support_from_the_customer_list(page, live_server, settings, mailoutbox):
    settings.LANGUAGE_CODE = "de"
    settings.SUPPORT_EMAIL = "hilfe@provider.test"
    base = live_server.url
    log_in(page, base, "reseller")
    page.goto(f"{base}/customers/")
    page.click("#sidebar a[href='/support/new/']")
    page.wait_for_selector("h1:text('Kontakt')")
    page.select_option("#id_topic", "customer_not_deletable")
    page.fill("#id_message", "K-1001 lässt sich nicht löschen.\nWarum?")
    page.fill("#id_object_label", "K-1001")
    screenshot(page, "40-support-form")
    page.click("form button.btn-primary")
    page.wait_for_selector("text=An den Support gesendet.")
    assert page.inner_text("[data-testid=status]") == "offen"
    screenshot(page, "41-support-request")

    sent = SupportRequest.objects.get()
    assert (sent.page, sent.object_label, sent.sender.username) == ("/customers/", "K-1001", "reseller")
    [mail] = mailoutbox
    assert mail.to == ["hilfe@provider.test"]
    assert "10001" in mail.body
    assert f"{settings.SITE_URL}/customers/" in mail.body

    page.click("text=Meine Supportanfragen")
    page.wait_for_selector("h1:text('Meine Supportanfragen')")
    assert "Kunde kann nicht gelöscht werden" in page.inner_text("table")
    screenshot(page, "42-support-list")
    assert page.watcher.foreign == []
    assert page.watcher.errors == []
