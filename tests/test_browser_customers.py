"""The reseller's customer register in a real browser: create, find, edit, users, to-dos, import, export, delete."""

import pytest

from customers.models import EndCustomer
from tests.browser import log_in, screenshot
from users.models import User

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
    assert "1,000 customers imported." in page.inner_text("[data-testid=import-summary]")
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


def drawn(radio) -> dict:
    """What Chromium draws for a radio button: its size and whether its dot is painted."""
    return radio.evaluate(
        "r => { const b = r.getBoundingClientRect(); const s = getComputedStyle(r);"
        " return {width: b.width, height: b.height, dot: s.backgroundImage !== 'none'}; }"
    )


def test_the_portal_user_form_shows_which_access_is_chosen(page, live_server):
    base = live_server.url
    customer = EndCustomer.objects.get(number="K-1002")
    log_in(page, base, "reseller")
    page.goto(f"{base}/customers/{customer.pk}/users/add/")
    invite, password = page.locator("input[name=access]").nth(0), page.locator("input[name=access]").nth(1)
    for radio in (invite, password):
        box = drawn(radio)
        assert box["width"] < 30 and box["height"] < 30, box  # a radio button, not an empty box across the form
    assert drawn(invite)["dot"] and not drawn(password)["dot"]
    screenshot(page, "28-portal-user-access-invite")

    page.click("label:has-text('Set a password')")
    assert password.is_checked()
    assert drawn(password)["dot"] and not drawn(invite)["dot"]
    page.fill("#id_username", "deniz.web")
    page.fill("#id_first_name", "Deniz")
    page.fill("#id_last_name", "Öztürk")
    page.fill("#id_email", "deniz.web@example.test")
    page.fill("#id_password", "ein-langes-Passwort-2026")
    screenshot(page, "29-portal-user-access-password")
    page.click("form button.btn-primary")
    assert "deniz.web" in page.inner_text("main")
    assert User.objects.get(username="deniz.web").check_password("ein-langes-Passwort-2026")
    assert page.watcher.errors == [] and page.watcher.foreign == []


INSIDE_ITS_CARD = """selector => {
  const table = document.querySelector(selector);
  const scroller = table.closest('.table-responsive');
  const card = table.closest('.card').getBoundingClientRect();
  const box = scroller.getBoundingClientRect();
  return {inside: box.left >= card.left && box.right <= card.right,
          scrolls: scroller.scrollWidth > scroller.clientWidth,
          page: document.documentElement.scrollWidth <= window.innerWidth};
}"""


def test_the_import_tables_stay_in_their_cards_and_the_skipped_rows_stay_downloadable(page, live_server, tmp_path):
    base = live_server.url
    long_company = "Sehr lange Firmenbezeichnung Gesellschaft mit beschränkter Haftung und Compagnie KG " * 2
    rows = ["Kundennummer;Firma;Nachname;Vorname;Adresse;PLZ;Ort;Land;Telefon;Mobil;E-Mail;Webseite"]
    rows += [
        f"W-1;{long_company};Müller-Lüdenscheidt;Maximilian;Hauptstraße 123 Hinterhaus;10115;Berlin;DE;"
        "030 1234567;0170 1234567;maximilian.mueller-luedenscheidt@sehr-lange-domain-beispiel.test;"
        "https://www.sehr-lange-firmenbezeichnung-beispiel.test/unterseite/noch-eine-unterseite",
        "W-2;;Kurz;Ka;Weg 1;123;Ort;DE;030 1234567;0170 1234567;kurz@example.test;",
    ]
    path = tmp_path / "breit.csv"
    path.write_text("\n".join(rows), encoding="utf-8")

    log_in(page, base, "reseller")
    page.goto(f"{base}/customers/import/")
    page.set_input_files("#id_file", str(path))
    page.click("form button.btn-primary")
    assert page.evaluate(INSIDE_ITS_CARD, "[data-testid=import-preview] table") == {
        "inside": True,
        "scrolls": True,
        "page": True,
    }
    screenshot(page, "30-import-preview-scrolls")

    page.click("text=Check rows")
    page.wait_for_selector("[data-testid=import-errors]")
    page.click("text=Import only the 1 valid rows")
    page.wait_for_selector("[data-testid=import-summary]")
    # The skipped row stays on the import's page, in a table inside its card, and downloads.
    assert "W-2" in page.inner_text("[data-testid=import-errors]")
    geometry = page.evaluate(INSIDE_ITS_CARD, "[data-testid=import-errors]")
    assert geometry["inside"] and geometry["page"]
    screenshot(page, "31-import-skipped-rows")
    with page.expect_download() as download:
        page.click("[data-testid=skipped-csv]")
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].endswith(";Row;Errors") and "W-2;;Kurz" in text and "W-1" not in text
    assert page.watcher.errors == [] and page.watcher.foreign == []


def test_the_import_page_waits_for_the_file_to_be_read_then_shows_the_mapping_or_the_reason(
    page, live_server, tmp_path, monkeypatch
):
    from customers import tasks

    # The worker is this test: it reads each file once the page has shown that it waits.
    read_import, waiting = tasks.read_import, []
    monkeypatch.setattr(tasks, "read_import", type("Queue", (), {"enqueue": staticmethod(waiting.append)}))
    base = live_server.url
    header = "Kundennummer;Nachname;Vorname;Adresse;PLZ;Ort;Telefon;Mobil;E-Mail"
    good, wide = tmp_path / "kunden.csv", tmp_path / "breit.csv"
    good.write_text(f"{header}\nR-1;Lese;Lea;Weg 1;10115;Berlin;030 1234567;0170 1234567;lea@read.test\n")
    wide.write_text(";".join(["c"] * 51) + "\nR-1\n")

    log_in(page, base, "reseller")
    for path, outcome in ((good, "[data-testid=import-preview]"), (wide, "[data-testid=import-refusal]")):
        page.goto(f"{base}/customers/import/")
        page.set_input_files("#id_file", str(path))
        page.click("form button.btn-primary")
        page.wait_for_selector("text=Reading the file…")
        screenshot(page, f"32-import-reading-{path.stem}")
        read_import.call(waiting.pop())
        page.wait_for_selector(outcome)  # the page polls until the task has read the file
        screenshot(page, f"33-import-read-{path.stem}")
        if path == good:
            assert "lea@read.test" in page.inner_text(outcome) and page.is_visible("text=Check rows")
        else:
            assert page.inner_text(outcome) == "The file has more than 50 columns."
    assert page.watcher.errors == [] and page.watcher.foreign == []
