"""The customer list's copy, CSV and Excel exports hold the master data; page, PDF and print keep the list's
columns (#17 item 12). Exports are how resellers move their data: an export imports again."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from conftest import api_client, login, make_customer
from core import exports
from core.roles import Role
from customers.models import CustomerImport, EndCustomer
from customers.tables import EndCustomerTable

pytestmark = pytest.mark.django_db

LIST = "/customers/"
HEADER_EN = [
    "Customer number",
    "Last name",
    "First name",
    "Company",
    "Products",
    "Address",
    "Postal code",
    "City",
    "Country",
    "Phone",
    "Mobile",
    "E-mail",
    "Website",
]


def csv_rows(client, **params):
    response = client.get(LIST, {"export": "csv", **params})
    assert response.status_code == 200 and response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))


@pytest.fixture
def vienna(world):
    return make_customer(
        world.r1.account,
        "R1-3",
        company="Wiener Werkstatt OG",
        street="Mariahilfer Straße 88",
        postal_code="1060",
        city="Wien",
        country="AT",
        phone="+4315867788",
        mobile="+436641234567",
        website="https://wiener-werkstatt.test",
    )


@pytest.mark.parametrize("role", ["employee", "admin", "owner"])
def test_csv_holds_the_master_data_for_every_member(world, vienna, role):
    rows = csv_rows(login(Client(), getattr(world.r1, role)))
    assert rows[0] == HEADER_EN
    assert rows[-1] == [
        "R1-3",
        "Kunde",
        "Karla",
        "Wiener Werkstatt OG",
        "0",
        "Mariahilfer Straße 88",
        "1060",
        "Wien",
        "Austria",
        "'+4315867788",  # neutralised: a leading "+" is a formula trigger (IV-04)
        "'+436641234567",
        "r1-3@example.test",
        "https://wiener-werkstatt.test",
    ]
    assert [row[0] for row in rows[1:]] == ["R1-1", "R1-2", "R1-3"]


def test_german_headers_and_country_names(world, vienna):
    client = login(Client(), world.r1.owner)
    client.cookies["django_language"] = "de"
    rows = csv_rows(client)
    assert rows[0][5:] == ["Adresse", "PLZ", "Ort", "Land", "Telefon", "Mobil", "E-Mail", "Webseite"]
    assert rows[-1][8] == "Österreich"


def test_excel_and_copy_hold_them_too_and_follow_the_filter(world, vienna):
    client = login(Client(), world.r1.owner)
    response = client.get(LIST, {"export": "xlsx", "country": "AT"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADER_EN
    assert [row[0] for row in values[1:]] == ["R1-3"] and values[1][6] == "1060"
    copied = b"".join(client.get(LIST, {"export": "copy"}).streaming_content).decode()
    assert copied.splitlines()[0].split("\t") == HEADER_EN


def test_the_page_pdf_and_print_keep_the_list_columns(world, vienna):
    client = login(Client(), world.r1.owner)
    page = client.get(LIST).content.decode()
    assert "Mariahilfer" not in page and ">Address<" not in page
    pdf = client.get(LIST, {"export": "pdf"}).content
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "R1-3" in text and "Mariahilfer" not in text
    printed = client.get(LIST, {"export": "print"}).content.decode()
    assert "R1-3" in printed and "Mariahilfer" not in printed


def test_the_selection_export_holds_the_master_data(world, vienna):
    client = login(Client(), world.r1.owner)
    response = client.post("/customers/bulk/", {"action": "export", "selection": [vienna.pk, world.r2.customer.pk]})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == HEADER_EN and [row[0] for row in rows[1:]] == ["R1-3"]


def test_another_account_exports_only_its_own_and_a_plain_account_has_none(world, vienna):
    text = "\n".join(";".join(row) for row in csv_rows(login(Client(), world.r2.owner)))
    assert "R2-1" in text and "R1-" not in text and "Mariahilfer" not in text
    assert login(Client(), world.c1.owner).get(LIST, {"export": "csv"}).status_code == 404


def test_the_export_reads_every_column_in_one_query_and_does_not_grow_with_rows(world, vienna):
    client = login(Client(), world.r1.owner)
    csv_rows(client)  # warm: session and content types

    def queries():
        with CaptureQueriesContext(connection) as context:
            csv_rows(client)
        return context.captured_queries

    few = queries()
    for index in range(100):
        make_customer(world.r1.account, f"MORE-{index:03d}", street=f"Weg {index}")
    many = queries()
    assert len(few) == len(many)
    export_sql = [q["sql"] for q in many if '"customers_endcustomer"."street"' in q["sql"]]
    assert len(export_sql) == 1 and '"customers_endcustomer"."website"' in export_sql[0]


def test_the_values_path_gives_what_django_tables2_gives(world, vienna, monkeypatch):
    """The export reads plain columns with ``values_list`` (a choice field through its labels); forcing every
    column through ``Table.as_values()`` gives the same rows."""
    queryset = EndCustomer.objects.with_counts().restrict(world.r1.actor())
    header, rows = exports.export_rows(EndCustomerTable, queryset, {"data_export": True})
    rows = list(rows)
    monkeypatch.setattr(exports, "_database_path", lambda *args: None)
    stock_header, stock_rows = exports.export_rows(EndCustomerTable, queryset, {"data_export": True})
    assert (header, rows) == (stock_header, list(stock_rows))


@pytest.mark.parametrize("language", ["de", "en"])
def test_an_export_imports_again(world, vienna, django_capture_on_commit_callbacks, language):
    source = login(Client(), world.r1.owner)
    source.cookies["django_language"] = language
    exported = b"".join(source.get(LIST, {"export": "csv"}).streaming_content)
    # Into the other reseller, whose customer numbers differ.
    target = login(Client(), world.r2.owner)
    with django_capture_on_commit_callbacks(execute=True):
        target.post("/customers/import/", {"file": SimpleUploadedFile("export.csv", exported, "text/csv")})
    job = CustomerImport.objects.get(account=world.r2.account)
    mapping = {field: "" if index is None else str(index) for field, index in job.mapping.items()}
    with django_capture_on_commit_callbacks(execute=True):
        target.post(f"/customers/import/{job.pk}/", mapping)
    job.refresh_from_db()
    assert job.errors == []
    with django_capture_on_commit_callbacks(execute=True):
        target.post(f"/customers/import/{job.pk}/run/")
    fields = ["company", "last_name", "first_name", "street", "postal_code", "city", "country", "phone", "mobile"]
    fields += ["email", "website"]
    copied = EndCustomer.objects.get(account=world.r2.account, number="R1-3")
    assert {f: getattr(copied, f) for f in fields} == {f: getattr(vienna, f) for f in fields}


def test_the_api_export_is_the_same_file(world, vienna):
    page = b"".join(login(Client(), world.r1.owner).get(LIST, {"export": "csv"}).streaming_content)
    response = api_client(world.r1, Role.EMPLOYEE).get("/api/v1/customers/export/", {"format": "csv"})
    assert b"".join(response.streaming_content) == page
