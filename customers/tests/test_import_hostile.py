"""Hostile import files (issue #18): each ends with a message at the file field, nothing is imported, and the
upload stays within bounded memory. The files are generated here, never stored."""

import html
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import login
from customers.models import CustomerImport, EndCustomer

pytestmark = pytest.mark.django_db

HEADER = "Kundennummer;Firma;Nachname;Vorname;Straße;PLZ;Ort;Telefon;Mobil;E-Mail"
ROW = "N-1;;Muster;Max;Weg 1;10115;Berlin;030 1234567;0170 1234567;n-1@example.test"
MEMORY_BOUND = 200 * 1024 * 1024


@pytest.fixture
def upload(world):
    """Upload a file through the page in German; the page, the file field's errors and the peak memory."""
    client = login(Client(), world.r1.owner)
    client.cookies["django_language"] = "de"

    def upload(name, data):
        tracemalloc.start()
        try:
            response = client.post("/customers/import/", {"file": SimpleUploadedFile(name, data)})
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return response, peak

    return upload


def api_upload(world, name, data):
    from customers.tests.test_api import api

    client = api(world.r1)
    client.cookies["django_language"] = "de"
    return client.post("/api/v1/customer-imports/", {"file": SimpleUploadedFile(name, data)})


def field_errors(response) -> list[str]:
    assert response.status_code == 200
    return [html.unescape(str(error)) for error in response.context["form"].errors.get("file", [])]


def assert_refused(response, peak, message):
    assert field_errors(response) == [message]
    assert peak < MEMORY_BOUND
    assert not CustomerImport.objects.exists()
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


def test_the_api_refuses_a_wide_file_at_the_file_field(world):
    response = api_upload(world, "breit.csv", ";".join(["c"] * 51).encode() + b"\n" + ROW.encode())
    assert response.status_code == 422
    assert [(error["loc"], error["msg"]) for error in response.json()["detail"]] == [
        (["file"], "Die Datei hat mehr als 50 Spalten.")
    ]
    assert not CustomerImport.objects.exists()


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
