"""The partner invites (issue #20, way 1) in two real browsers: the reseller's owner invites a customer by mail,
the customer opens the mail's link, logs in, grants Teilzugriff on one contract; the reseller reviews the rights,
opens the customer's account and sees only that contract."""

import re

import pytest
from django.core import mail

from accounts.demo import owner_actor
from accounts.models import Account
from conftest import make_contract
from partners.models import Partnership
from partners.services import end_partnership
from tests.browser import PageWatcher, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^/\s]+(/partner-invitation/[A-Za-z0-9_-]+/)")


def test_the_reseller_invites_and_the_customer_grants_one_contract(page, live_server, settings):
    settings.LANGUAGE_CODE = "de"
    base = live_server.url
    kunde = Account.objects.get(number="10002")
    # The demo may already have made Webagentur Beispiel kunde's partner: kunde ends that first.
    for partnership in Partnership.objects.filter(account__number="10001", customer_account=kunde, ended_at=None):
        end_partnership(owner_actor(kunde), partnership)
    shared = make_contract(kunde, "o2501", note="Geteilter Vertrag")
    make_contract(kunde, "o2502", note="Nicht geteilt")
    reseller = page
    customer = page.context.browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    customer.watcher = PageWatcher(customer, base)

    # The reseller's owner: Verwaltete Kunden → Einen Kunden hinzufügen.
    log_in(reseller, base, "reseller")
    reseller.goto(f"{base}/managed-customers/")
    reseller.click("[data-testid=invite-customer]")
    reseller.fill("#id_email", "karl@baeckerei-krume.test")
    reseller.check("input[name=requested_full][value='0']")
    reseller.fill("#id_message", "Wir brauchen Zugriff auf Ihren Webhosting-Vertrag.")
    assert reseller.input_value("#id_sender_email") == "rita@webagentur-beispiel.test"
    screenshot(reseller, "50-invitation-form-de")
    reseller.click("[data-testid=send-invitation]")
    reseller.wait_for_selector("[data-testid=open-invitations]")
    assert "karl@baeckerei-krume.test" in reseller.inner_text("[data-testid=open-invitations]")
    screenshot(reseller, "51-open-invitation-de")

    # The customer opens the mail's link, logs in and comes back to it.
    (message,) = [m for m in mail.outbox if m.to == ["karl@baeckerei-krume.test"]]
    assert "Webagentur Beispiel" in message.subject
    path = LINK.search(message.body).group(1)
    customer.goto(f"{base}{path}")
    assert "Teilzugriff" in customer.inner_text("[data-testid=requested-access]")
    screenshot(customer, "52-invitation-link-logged-out-de")
    customer.click("[data-testid=login-to-answer]")
    customer.fill("#id_username", "kunde")
    customer.fill("#id_password", "demo")
    customer.click("form button.btn-primary")
    customer.wait_for_url(f"{base}{path}")

    # Teilzugriff, technisch on one contract only.
    customer.check("input[name=full][value='0']")
    customer.check(f"input[name='technical-contracts.Contract-{shared.pk}']")
    screenshot(customer, "53-invitation-answer-de")
    customer.click("[data-testid=accept-invitation]")
    customer.wait_for_selector("[data-testid=scope-form]")
    assert "Webagentur Beispiel (10001) ist jetzt Ihr Partner." in customer.inner_text("main")

    # The reseller sees the customer under Verwaltete Kunden, reviews the rights and opens the account.
    reseller.goto(f"{base}/managed-customers/")
    assert "Bäckerei Krume" in reseller.inner_text("table")
    review = reseller.inner_text("[data-testid=rights-review]")
    assert "Rechte prüfen" in review and "o2501" in review and "o2502" not in review
    screenshot(reseller, "54-managed-customers-review-de")
    reseller.click("[data-testid=confirm-rights]")
    reseller.wait_for_selector("text=Sie haben die Rechte von Bäckerei Krume (10002) bestätigt.")
    assert reseller.locator("[data-testid=rights-review]").count() == 0
    reseller.click("[data-testid=open-account]")
    reseller.wait_for_selector("[data-testid=service-access-banner]")
    reseller.goto(f"{base}/contracts/")
    contracts = reseller.inner_text("main")
    assert "o2501" in contracts and "o2502" not in contracts
    screenshot(reseller, "55-customer-account-one-contract-de")

    # The used link says so; English too.
    customer.goto(f"{base}{path}")
    assert "Diese Einladung wurde bereits angenommen." in customer.inner_text("main")
    screenshot(customer, "56-invitation-used-de")
    for context in (customer.context, reseller.context):
        context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    customer.goto(f"{base}{path}")
    assert "This invitation has already been accepted." in customer.inner_text("main")
    screenshot(customer, "57-invitation-used-en")
    reseller.click("[data-testid=service-access-banner] form button")  # back to its own account
    reseller.wait_for_selector("[data-testid=service-access-banner]", state="detached")
    reseller.goto(f"{base}/managed-customers/")
    screenshot(reseller, "58-managed-customers-en")
    reseller.goto(f"{base}/managed-customers/invite/")
    screenshot(reseller, "59-invitation-form-en")
    # The used link's page answers 410 Gone, which Chromium reports on the console; nothing else may be there.
    assert reseller.watcher.errors == []
    assert [error for error in customer.watcher.errors if "410 (Gone)" not in error] == []
    assert reseller.watcher.foreign == [] and customer.watcher.foreign == []
