"""The reseller's customer register in a real browser: create, find, edit, users, to-dos, import, export, delete."""

import pytest

from tests.browser import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_customer(page, number):
    page.fill("#id_number", number)
    page.fill("#id_company", "Browser & Söhne")
    page.fill("#id_last_name", "Brause")
    page.fill("#id_first_name", "Bernd")
    page.fill("#id_street", "Chromweg 1")
    page.fill("#id_postal_code", "10115")
    page.fill("#id_city", "Berlin")
    page.fill("#id_phone", "030 9876543")
    page.fill("#id_mobile", "0170 7654321")
    page.fill("#id_email", "bernd@brause.test")


def test_the_reseller_manages_a_customer_end_to_end(page, live_server, tmp_path):
    base = live_server.url
    log_in(page, base, "reseller")
    page.goto(f"{base}/customers/")
    screenshot(page, "20-customers")

    page.click("[data-testid=add-button]")
    fill_customer(page, "K 9")  # a space is not allowed
    page.click("form button.btn-primary")
    assert page.locator(".invalid-feedback").first.is_visible()
    screenshot(page, "21-customer-form-error")
    page.fill("#id_number", "K-9")
    page.click("form button.btn-primary")
    page.wait_for_url(f"{base}/customers/*/")
    assert "030 9876543" in page.inner_text("main")
    screenshot(page, "22-customer-detail")

    page.click("text=Edit")
    page.fill("#id_city", "Potsdam")
    page.fill("#id_postal_code", "14467")
    page.click("form button.btn-primary")
    assert "14467 Potsdam" in page.inner_text("main")

    page.click(".nav-tabs a:has-text('Users')")
    page.click("text=Add user")
    page.fill("#id_username", "bernd.brause")
    page.fill("#id_first_name", "Bernd")
    page.fill("#id_last_name", "Brause")
    page.fill("#id_email", "bernd@brause.test")
    page.click("form button.btn-primary")
    assert "bernd.brause" in page.inner_text("main")
    screenshot(page, "23-customer-users")

    page.click(".nav-tabs a:has-text('To-dos')")
    page.click("text=Add to-do")
    page.fill("#id_title", "Rückruf vereinbaren")
    page.click("form button.btn-primary")
    assert "Rückruf vereinbaren" in page.inner_text("main")

    page.click(".nav-tabs a:has-text('Activity')")
    activity = page.inner_text("main")
    assert "K-9" in activity and "bernd.brause" in activity and "Rückruf vereinbaren" in activity
    screenshot(page, "24-customer-activity")

    page.goto(f"{base}/customers/?q=Brause")
    assert page.locator("tbody tr").count() == 1
    with page.expect_download() as download:
        page.click("a:has-text('CSV')")
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert "K-9" in text and "K-1001" not in text

    assert page.watcher.errors == [] and page.watcher.foreign == []


def test_the_reseller_imports_a_thousand_customers(page, live_server, tmp_path):
    base = live_server.url
    rows = ["Kundennummer;Nachname;Vorname;Adresse;PLZ;Ort;Telefon;Mobil;E-Mail"]
    rows += [
        f"I-{i:04d};Import;Ida;Weg {i};10115;Berlin;030 1234567;0170 1234567;i{i}@import.test" for i in range(1000)
    ]
    path = tmp_path / "kunden.csv"
    path.write_text("\n".join(rows), encoding="utf-8")

    log_in(page, base, "reseller")
    page.goto(f"{base}/customers/import/")
    page.set_input_files("#id_file", str(path))
    page.click("form button.btn-primary")
    screenshot(page, "25-import-mapping")
    page.click("text=Check rows")
    page.wait_for_selector("text=All 1000 rows are valid.")
    page.click("text=Import 1000 customers")
    page.wait_for_selector("[data-testid=import-summary]")
    assert "1000 customers imported." in page.inner_text("[data-testid=import-summary]")
    screenshot(page, "26-import-done")
    page.goto(f"{base}/customers/?q=I-0999")
    assert page.locator("tbody tr").count() == 1


def test_the_employee_cannot_delete_and_the_other_reseller_sees_nothing(page, live_server):
    base = live_server.url
    log_in(page, base, "mitarbeiter")
    page.goto(f"{base}/customers/")
    assert page.locator("a[href$='/delete/']").count() == 0
    assert page.goto(f"{base}/customers/2/delete/").status == 403

    page.context.clear_cookies()
    log_in(page, base, "reseller2")
    page.goto(f"{base}/customers/")
    assert "K-1001" not in page.inner_text("main")
    assert page.goto(f"{base}/customers/1/").status == 404
    screenshot(page, "27-other-reseller-404")
