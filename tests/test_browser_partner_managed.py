"""Managed customers in two real browsers: the reseller's owner assigns one to its employee, who then sees
exactly that one under Meine Kunden and works in its account under the banner (issue #20)."""

import pytest

from accounts.models import Account, Membership
from conftest import make_user
from core.actor import Actor
from core.roles import Role
from partners.services import grant_partnership
from tests.browser import PageWatcher, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def owner_actor(number: str) -> Actor:
    account = Account.objects.get(number=number)
    owner = Membership.objects.get(account=account, role=Role.OWNER).user
    return Actor(user=owner, account=account, role=Role.OWNER, ip="127.0.0.1")


def new_page(page, base, language):
    context = page.context.browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    other = context.new_page()
    other.watcher = PageWatcher(other, base)
    return other


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_owner_assigns_a_managed_customer_and_the_employee_works_in_it(page, live_server, language):
    base = live_server.url
    reseller = Account.objects.get(number="10001")
    # The demo's Bäckerei Krume (kunde) shares one contract with the reseller (Teilzugriff); a second customer
    # lets it in with full access.
    second = Account.objects.create(number="10077", name="Café Zweitkunde")
    Membership.objects.create(account=second, user=make_user("zweitkunde"), role=Role.OWNER)
    grant_partnership(owner_actor("10077"), reseller, full=True, notify=False)
    words = {
        "de": {"mine": "Meine Kunden", "saved": "Die Mitarbeitenden für Bäckerei Krume wurden gespeichert."},
        "en": {"mine": "My customers", "saved": "The employees of Bäckerei Krume have been saved."},
    }[language]

    owner = new_page(page, base, language)
    log_in(owner, base, "reseller")
    owner.goto(f"{base}/managed-customers/")
    assert "Café Zweitkunde" in owner.inner_text("main")
    screenshot(owner, f"60-managed-list-{language}")
    owner.click("main a:has-text('Bäckerei Krume')")
    owner.wait_for_selector("[data-testid=assign-form]")
    owner.check("[data-testid=assign-form] label:has-text('Mitarbeiter') >> xpath=../input")
    owner.click("[data-testid=assign-save]")
    owner.wait_for_selector(f"text={words['saved']}")
    screenshot(owner, f"61-managed-detail-{language}")
    # The managed customer linked to the reseller's own MKM customer: its page opens the account and lists the
    # products of the account shared with the reseller.
    owner.select_option("#id_end_customer", index=1)
    owner.click("[data-testid=link-save]")
    owner.click("[data-testid=linked-customer]")
    owner.wait_for_selector("[data-testid=customer-actions]")
    actions = owner.inner_text("[data-testid=customer-actions]")
    assert {"de": "Auf das Konto des Kunden zugreifen", "en": "Access the customer's account"}[language] in actions
    owner.click(".nav-tabs a[href$='/products/']")
    owner.wait_for_selector("[data-testid=shared-products]")
    assert "o5001" in owner.inner_text("[data-testid=shared-products]")
    assert "o5002" not in owner.inner_text("[data-testid=shared-products]")
    screenshot(owner, f"64-end-customer-shared-products-{language}")

    employee = new_page(page, base, language)
    log_in(employee, base, "mitarbeiter")
    employee.click(f"nav.sidebar a:has-text('{words['mine']}')")
    rows = employee.locator("main table tbody tr")
    assert rows.count() == 1
    assert "Bäckerei Krume" in rows.first.inner_text()
    assert "Café Zweitkunde" not in employee.inner_text("main")
    screenshot(employee, f"62-my-customers-{language}")
    rows.first.locator("[data-testid=open-account]").click()
    employee.wait_for_selector("[data-testid=service-access-banner]")
    assert "10002" in employee.inner_text("[data-testid=service-access-banner]")
    screenshot(employee, f"63-employee-switched-in-{language}")
    assert owner.watcher.errors == [] and employee.watcher.errors == []
    assert owner.watcher.foreign == [] and employee.watcher.foreign == []
