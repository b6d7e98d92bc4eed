"""Hosting-Pläne in a real browser (issue #21): the reseller's owner creates a plan within its package on the
sandbox Plesk and sees it in the list, read live from the server; a plan too big for what is left of the
package is refused with the error next to its field."""

import os
import re

import pytest

from tests.browser import log_in, screenshot
from tests.test_browser_hosting import demo_sandbox  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sandbox_plans(sandbox) -> dict:
    """The demo reseller's plans as the sandbox holds them."""
    from hosting.tests.helpers import RESELLER_LOGIN
    from plesk import PleskClient

    password = os.environ.get("SANDBOX_RESELLER_PASSWORD", "sandbox-reseller")
    with PleskClient(sandbox.url, login=RESELLER_LOGIN, password=password, allow_insecure_http=True) as client:
        return {plan.name: plan for plan in client.get_service_plans()}


def test_the_reseller_creates_a_hosting_plan_and_one_too_big_is_refused(
    demo_sandbox,  # noqa: F811
    page,
    live_server,
    settings,
):
    settings.LANGUAGE_CODE = "de"
    base = live_server.url
    log_in(page, base, "reseller")

    # MKM → Hosting-Pläne: the sandbox's plans of the demo reseller, read live.
    page.click("#sidebar a:has-text('Hosting-Pläne')")
    page.wait_for_url(f"{base}/hostings/plans/")
    page.wait_for_selector("tr[data-plan='Webhosting S']")

    page.click("[data-testid=add-button]:has-text('Hosting-Plan erstellen')")
    page.wait_for_url(f"{base}/hostings/plans/add/")
    page.select_option("#id_contract", label=page.locator("#id_contract option", has_text="o1441").inner_text())
    page.fill("#id_name", "Browser Start")
    for field, value in {
        "disk_space_gb": "10",
        "traffic_gb": "100",
        "domains": "2",
        "mailboxes": "10",
        "mailbox_size_mb": "500",
        "databases": "2",
    }.items():
        page.fill(f"#id_{field}", value)
    screenshot(page, "69-plan-add")
    page.click("[data-testid=plan-save]")
    page.wait_for_url(f"{base}/hostings/plans/")
    row = page.locator("tr[data-plan='Browser Start']")
    row.wait_for()
    assert row.locator("[data-testid=made-in-portal]").count() == 1
    cells = [cell.strip() for cell in row.locator("td").all_inner_texts()]
    assert cells[:2] == ["o1441", "Browser Start"]
    assert cells[3:8] == ["10", "100", "2", "10", "2"]  # disk space, traffic, domains, mailboxes, databases
    made = sandbox_plans(demo_sandbox)["Browser Start"]
    assert made.limits["disk_space"] == 10 * 1024**3
    screenshot(page, "70-plan-list")

    # A plan bigger than what is left of the package: the field says how much is left, nothing reaches Plesk.
    page.click("[data-testid=add-button]")
    page.wait_for_url(f"{base}/hostings/plans/add/")
    page.select_option("#id_contract", label=page.locator("#id_contract option", has_text="o1441").inner_text())
    page.fill("#id_name", "Browser Riesig")
    page.fill("#id_disk_space_gb", "999999")
    page.click("[data-testid=plan-save]")
    error = page.locator("div.mb-3:has(> #id_disk_space_gb) .invalid-feedback")
    error.wait_for()
    assert re.fullmatch(r"Speicherplatz: höchstens \d+ GB frei im Paket", error.inner_text().strip())
    assert page.locator("div.mb-3:has(> #id_traffic_gb) .invalid-feedback").count() == 0
    assert page.input_value("#id_disk_space_gb") == "999999"
    screenshot(page, "71-plan-too-big")
    assert "Browser Riesig" not in sandbox_plans(demo_sandbox)
    assert demo_sandbox.create_count("service-plan") == 1

    assert page.watcher.errors == [] and page.watcher.foreign == []
