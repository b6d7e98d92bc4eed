"""Hostile import files (issue #18): a task reads each one and refuses it with a message on the import's page and in
the API, nothing is imported, the file is deleted, and upload and reading stay within bounded memory. The files are
generated here, never stored."""

import html
import io
import re
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import login
from customers import imports
from customers.models import CustomerImport, EndCustomer

pytestmark = pytest.mark.django_db

HEADER = "Kundennummer;Firma;Nachname;Vorname;Straße;PLZ;Ort;Telefon;Mobil;E-Mail"
ROW = "N-1;;Muster;Max;Weg 1;10115;Berlin;030 1234567;0170 1234567;n-1@example.test"
MEMORY_BOUND = 200 * 1024 * 1024


@pytest.fixture
def upload(world, django_capture_on_commit_callbacks):
    """Upload a file through the page in German and let the task read it; the answer and the peak memory of both."""
    client = login(Client(), world.r1.owner)
    client.cookies["django_language"] = "de"

    def upload(name, data):
        tracemalloc.start()
        try:
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post("/customers/import/", {"file": SimpleUploadedFile(name, data)})
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return response, peak

    return upload


@pytest.fixture
def api_upload(world, django_capture_on_commit_callbacks):
    """Upload a file through the API in German and let the task read it; the import as the API then shows it."""
    from customers.tests.test_api import api

    client = api(world.r1)
    client.cookies["django_language"] = "de"

    def upload(name, data):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/api/v1/customer-imports/", {"file": SimpleUploadedFile(name, data)})
        assert response.status_code == 202, response.content
        assert response.json()["status"] == "reading"
        return client.get(response.json()["status_url"]).json()

    return upload


def refusal_on_the_page(response) -> str:
    """The reason the import's page gives for refusing the file (the upload redirects there)."""
    assert response.status_code == 302
    page = response.client.get(response["Location"]).content.decode()
    return html.unescape(re.search(r'data-testid="import-refusal">([^<]*)</p>', page).group(1))


def assert_refused(response, peak, message):
    job = CustomerImport.objects.get()
    assert (job.status, job.header, job.rows) == ("refused", [], [])
    assert refusal_on_the_page(response) == message
    assert not job.source
    assert peak < MEMORY_BOUND
    assert not EndCustomer.objects.filter(number="N-1").exists()


def test_a_csv_with_200000_columns_is_refused_naming_the_limit(world, upload):
    data = ";".join(f"c{index}" for index in range(200_000)).encode() + b"\n" + ROW.encode() + b"\n"
    response, peak = upload("breit.csv", data)
    assert_refused(response, peak, "Die Datei hat mehr als 50 Spalten.")


def test_a_data_row_wider_than_the_limit_is_refused_too(world, upload):
    data = f"{HEADER}\n{ROW}{';x' * 60}\n".encode()
    response, peak = upload("breit.csv", data)
    assert_refused(response, peak, "Die Datei hat mehr als 50 Spalten.")


def test_empty_cells_after_the_last_column_do_not_count(world, upload):
    data = f"{HEADER}{';' * 500}\n{ROW}{';' * 500}\n".encode()
    response, _peak = upload("leer.csv", data)
    job = CustomerImport.objects.get()
    assert response["Location"] == f"/customers/import/{job.pk}/"
    assert len(job.header) == 10 and len(job.rows[0]) == 10


def test_the_api_shows_a_wide_file_refused_with_the_reason(world, api_upload):
    job = api_upload("breit.csv", ";".join(["c"] * 51).encode() + b"\n" + ROW.encode())
    assert (job["status"], job["failure"], job["header"], job["preview"]) == (
        "refused",
        "Die Datei hat mehr als 50 Spalten.",
        [],
        [],
    )


def test_bytes_that_are_neither_utf8_nor_cp1252_get_a_message(world, upload):
    data = f"{HEADER}\n{ROW}\n".encode() + b"\x81\x8d\x8f\x90\x9d\n"
    response, peak = upload("kaputt.csv", data)
    message = (
        "Die Zeichen der Datei können nicht gelesen werden. "
        "Speichern Sie sie als CSV UTF-8 und laden Sie sie erneut hoch."
    )
    assert_refused(response, peak, message)


def test_excel_unicode_text_in_utf16_with_bom_is_read(world, upload):
    text = f"{HEADER}\n{ROW}\n".replace(";", "\t").replace("Muster", "Müßig").replace("\n", "\r\n")
    response, _peak = upload("kunden.txt", text.encode("utf-16"))
    job = CustomerImport.objects.get()
    assert response["Location"] == f"/customers/import/{job.pk}/"
    assert job.header == HEADER.split(";")
    assert job.rows[0][2] == "Müßig" and job.mapping["email"] == 9


def test_utf16_big_endian_with_bom_is_read_too(world, upload):
    text = f"{HEADER}\n{ROW}\n".replace(";", "\t")
    upload("kunden.txt", b"\xfe\xff" + text.encode("utf-16-be"))
    assert CustomerImport.objects.get().rows[0][0] == "N-1"


def test_cr_only_line_endings_are_read(world, upload):
    response, _peak = upload("mac.csv", f"{HEADER}\r{ROW}\r{ROW.replace('N-1', 'N-2')}\r".encode())
    job = CustomerImport.objects.get()
    assert response["Location"] == f"/customers/import/{job.pk}/"
    assert [row[0] for row in job.rows] == ["N-1", "N-2"]


def test_a_csv_the_csv_reader_refuses_gets_a_message(world, upload):
    # A field longer than the csv module's limit (128 KiB) is an error of the reader, not of the server.
    data = f'{HEADER}\n"{"x" * 200_000}";a\n'.encode()
    response, peak = upload("lang.csv", data)
    assert_refused(response, peak, "Diese CSV-Datei kann nicht gelesen werden.")


# A workbook written part by part, so the tests can build what Excel never writes (and what openpyxl would take
# minutes to write): the sheet's XML is streamed into the archive row by row.
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
ROOT_RELS = (
    f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
    f'Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{RELATIONSHIPS}">'
    '<sheets><sheet name="Kunden" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
    f'Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def workbook(rows) -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            for row in rows:
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
    return data.getvalue()


def text_row(number, cells) -> bytes:
    inline = "".join(f'<c t="inlineStr"><is><t>{html.escape(cell)}</t></is></c>' for cell in cells)
    return f'<row r="{number}">{inline}</row>'.encode()


def test_a_compressible_workbook_is_refused_before_it_is_unpacked(world, upload):
    # 20,001 rows of 500 equal cells: about 1 MB packed, over 100 MB of XML unpacked.
    cells = b"<c><v>1</v></c>" * 500
    data = workbook(b"<row>" + cells + b"</row>" for _row in range(20_001))
    assert len(data) < 2 * 1024 * 1024
    response, peak = upload("bombe.xlsx", data)
    assert_refused(response, peak, "Die Excel-Datei ist entpackt größer als 50 MB.")


def test_the_api_shows_a_compressible_workbook_refused_with_the_reason(world, api_upload):
    job = api_upload("bombe.xlsx", workbook(b"<row>" + b"<c><v>1</v></c>" * 500 + b"</row>" for _row in range(20_001)))
    assert (job["status"], job["failure"]) == ("refused", "Die Excel-Datei ist entpackt größer als 50 MB.")
    assert not CustomerImport.objects.get().source


def test_a_row_of_many_empty_cells_is_refused_before_openpyxl_parses_it(world, upload):
    # openpyxl parses a row whole: 100,000 empty cells (400 KB of XML) would cost it about 30 MB.
    data = workbook([text_row(1, HEADER.split(";")), text_row(2, ROW.split(";"))[:-6] + b"<c/>" * 100_000 + b"</row>"])
    response, peak = upload("leer.xlsx", data)
    assert_refused(response, peak, "Eine Zeile der Datei hat mehr als 1000 Zellen.")


def test_more_cells_than_the_limit_are_refused(world, upload, monkeypatch):
    # The limit is rows times columns (5,000,050); a smaller one shows the same counting in a fraction of the time.
    monkeypatch.setattr(imports, "MAX_CELLS", 10_000)
    data = workbook([text_row(1, HEADER.split(";")), *(b"<row>" + b"<c/>" * 1000 + b"</row>" for _row in range(11))])
    response, peak = upload("zellen.xlsx", data)
    assert_refused(response, peak, "Die Datei hat mehr als 10000 Zellen.")


def test_more_shared_strings_than_cells_are_refused(world, upload, monkeypatch):
    monkeypatch.setattr(imports, "MAX_CELLS", 10_000)
    data = workbook([text_row(1, HEADER.split(";")), text_row(2, ROW.split(";"))])
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        strings = b"<si><t>x</t></si>" * 10_001
        archive.writestr("xl/sharedStrings.xml", b'<sst xmlns="urn:x">' + strings + b"</sst>")
    response, peak = upload("texte.xlsx", buffer.getvalue())
    assert_refused(response, peak, "Die Datei hat mehr als 10000 Zellen.")


def test_a_row_number_beyond_excels_last_row_is_refused(world, upload):
    # openpyxl yields an empty row for every number skipped; 10**12 of them would never end.
    data = workbook([text_row(1, HEADER.split(";")), text_row(2_000_000, ROW.split(";"))])
    response, peak = upload("sprung.xlsx", data)
    assert_refused(response, peak, "Diese Excel-Datei kann nicht gelesen werden.")


def test_a_workbook_within_the_limits_is_read_whatever_size_it_states(world, upload):
    rows = [text_row(1, HEADER.split(";")), text_row(2, ROW.split(";"))]
    data = workbook(rows).replace(b"<sheetData>", b'<dimension ref="A1:XFD1048576"/><sheetData>')
    response, _peak = upload("kunden.xlsx", data)
    job = CustomerImport.objects.get()
    assert response["Location"] == f"/customers/import/{job.pk}/"
    assert job.header == HEADER.split(";") and job.rows == [ROW.split(";")]
