"""Kontenzusammenfassung anzeigen in a real browser: from the customer's page to the preview, sent to the
customer's mailbox over SMTP (issue #21)."""

import email
from email import policy

import pytest

from tests.browser import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_reseller_previews_and_sends_the_account_summary(page, live_server, settings, smtp_server):
    settings.LANGUAGE_CODE = "de"
    base = live_server.url
    log_in(page, base, "reseller")
    page.goto(f"{base}/customers/")
    page.click("text=K-1001")
    page.click("[data-testid=customer-actions] a:has-text('Kontenzusammenfassung anzeigen')")
    page.wait_for_selector("[data-testid=summary-preview]")
    assert page.inner_text("[data-testid=summary-recipient]") == "info@blumen-sonnenschein.test"
    preview = page.inner_text("[data-testid=summary-text]")
    assert "Benutzername: endkunde (Lena Sommer)" in preview
    assert "„Passwort vergessen?“" in preview
    screenshot(page, "45-account-summary")

    page.click("[data-testid=summary-send]")
    page.wait_for_selector("text=Die Kontenzusammenfassung wurde an info@blumen-sonnenschein.test gesendet.")
    (envelope,) = smtp_server.messages
    assert envelope.rcpt_tos == ["info@blumen-sonnenschein.test"]
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.strip() == preview.strip()
    assert "/password/reset/" not in text
    assert page.watcher.errors == [] and page.watcher.foreign == []
