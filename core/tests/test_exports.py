"""Exports follow the list: same rows, same filter, visible columns, formulas neutralised (IV-04)."""

import csv
import io

import django_tables2 as tables
import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format
from pypdf import PdfReader

from accounts.models import Membership
from conftest import login, make_contract, make_customer, make_user
from contracts.models import Contract
from core import exports
from core.exports import neutralise
from core.roles import Role
from core.tables import LinkActionsColumn, ObjectTable, RowLink
from customers.models import EndCustomer
from customers.tables import EndCustomerTable

pytestmark = pytest.mark.django_db

HOSTILE = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1,1)",
    '=HYPERLINK("http://127.0.0.1:9/x","y")',
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
    'a";=1+1;"',
]
LIST = "/account/members/"


@pytest.fixture
def hostile_members(world):
    for index, name in enumerate(HOSTILE):
        user = make_user(f"hostile{index}", last_name=name)
        Membership.objects.create(account=world.r1.account, user=user, role=Role.EMPLOYEE)


def export(client, fmt, **params):
    response = client.get(LIST, {"export": fmt, **params})
    assert response.status_code == 200
    if response.streaming:
        return b"".join(response.streaming_content)
    if hasattr(response, "file_to_stream") and response.file_to_stream is not None:
        return b"".join(response.streaming_content)
    return response.content


class TestNeutralise:
    @pytest.mark.parametrize("value", HOSTILE[:-1])
    def test_formula_triggers_get_a_quote(self, value):
        assert neutralise(value) == "'" + value

    def test_plain_text_and_numbers_are_untouched(self):
        assert neutralise("Müller") == "Müller"
        assert neutralise('a";=1+1;"') == 'a";=1+1;"'
        assert neutralise(-5) == -5


class TestCsv:
    def test_csv_holds_exactly_the_visible_rows_with_neutralised_cells(self, world, hostile_members):
        client = login(Client(), world.r1.owner)
        text = export(client, "csv").decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert rows[0] == ["Username", "First name", "Last name", "E-mail", "Role", "Member since"]
        last_names = {row[2] for row in rows[1:]}
        assert {"'" + value for value in HOSTILE[:-1]} <= last_names
        assert 'a";=1+1;"' in last_names
        assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r", "＝")) for row in rows for cell in row)
        assert len(rows) == 1 + 3 + len(HOSTILE)
        assert "ZZ-R1-MARKER" not in text
        assert not any("r2-" in row[0] for row in rows)

    def test_csv_follows_the_filter_and_the_sort(self, world):
        client = login(Client(), world.r1.owner)
        rows = list(csv.reader(io.StringIO(export(client, "csv", role="admin").decode("utf-8-sig")), delimiter=";"))
        assert [row[0] for row in rows[1:]] == ["r1-admin"]
        rows = list(csv.reader(io.StringIO(export(client, "csv", sort="-username").decode("utf-8-sig")), delimiter=";"))
        assert [row[0] for row in rows[1:]] == ["r1-owner", "r1-employee", "r1-admin"]

    def test_another_account_exports_only_its_own_rows(self, world, hostile_members):
        text = export(login(Client(), world.r2.owner), "csv").decode("utf-8-sig")
        assert "hostile" not in text and "r1-" not in text
        assert text.count("\r\n") == 1 + 3

    def test_copy_is_tab_separated_text(self, world):
        text = export(login(Client(), world.r1.owner), "copy").decode()
        assert text.splitlines()[0].split("\t")[:2] == ["Username", "First name"]


class TestExcel:
    def test_every_cell_is_a_string_cell_and_no_formula(self, world, hostile_members):
        data = export(login(Client(), world.r1.owner), "xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        values = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert values[0][:3] == ["Username", "First name", "Last name"]
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
        assert "'=1+1" in [row[2] for row in values]
        assert len(values) == 1 + 3 + len(HOSTILE)


class TestPdfAndPrint:
    def test_the_pdf_shows_the_literal_text(self, world, hostile_members):
        data = export(login(Client(), world.r1.owner), "pdf")
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        assert "r1-owner" in text
        assert "HYPERLINK" in text
        assert "ZZ-R1-MARKER" not in text

    def test_the_print_view_lists_all_rows_without_actions(self, world):
        body = export(login(Client(), world.r1.owner), "print").decode()
        assert "r1-owner" in body and "r1-employee" in body
        assert "/edit/" not in body
        assert "Actions" not in body

    def test_an_unknown_format_is_a_clear_400(self, world):
        response = login(Client(), world.r1.owner).get(LIST, {"export": "exe"})
        assert response.status_code == 400


def test_pdf_and_print_refuse_lists_beyond_the_limit_with_a_clear_message(world, monkeypatch):
    monkeypatch.setattr(exports, "PAGED_ROW_LIMIT", 2)
    client = login(Client(), world.r1.owner)
    response = client.get(LIST, {"export": "pdf", "role": ""}, follow=True)
    assert "PDF and print hold at most 2 rows" in response.content.decode()
    assert response.redirect_chain[-1][0].startswith(LIST)
    assert "export=" not in response.redirect_chain[-1][0]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Excel exports hold at most 1 rows. Narrow the filter, or export to CSV."),
        ("de", "Excel-Exporte enthalten höchstens 1 Zeilen. Bitte grenzen Sie die Liste mit dem Filter ein"),
    ],
)
def test_excel_refuses_lists_beyond_the_limit_and_points_at_csv(world, monkeypatch, language, message):
    monkeypatch.setattr(exports, "XLSX_ROW_LIMIT", 1)
    client = login(Client(), world.r1.owner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/customers/", {"export": "xlsx", "country": "DE"}, follow=True)
    assert message in response.content.decode()
    assert response.redirect_chain == [("/customers/?country=DE", 302)]
    # Within the limit, and in CSV at any length, the export is given.
    one = client.get("/customers/", {"export": "xlsx", "q": "Zweit"})
    assert one["Content-Disposition"].endswith('.xlsx"')
    assert len(csv_rows(client, "/customers/")) == 3


def csv_rows(client, path, **params) -> list[list[str]]:
    response = client.get(path, {"export": "csv", **params})
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


class TestColumns:
    def test_the_export_has_the_lists_visible_exportable_columns(self, world):
        rows = csv_rows(login(Client(), world.r1.owner), "/contracts/")
        assert rows[0] == ["Contract", "Product", "Area", "Status", "Customer"]
        # An account without end customers sees no customer column in its contract list, nor in the export.
        assert csv_rows(login(Client(), world.c1.owner), "/contracts/")[0] == ["Contract", "Product", "Area", "Status"]

    def test_it_follows_the_sort_of_any_column(self, world):
        make_contract(world.r1.account, "oR1-x", end_customer=world.r1.plain_customer)
        client = login(Client(), world.r1.owner)
        assert [row[0] for row in csv_rows(client, "/customers/", sort="-product_count")[1:]] == ["R1-2", "R1-1"]
        assert [row[0] for row in csv_rows(client, "/customers/", sort="product_count")[1:]] == ["R1-1", "R1-2"]
        # The customer column sorts by the customer's number (its order_by), not by what it shows.
        Contract.objects.filter(pk=world.r1.contract.pk).update(end_customer=world.r1.customer)
        assert [row[0] for row in csv_rows(client, "/contracts/", sort="-end_customer")[1:]] == ["oR1-x", "o20001"]
        assert [row[0] for row in csv_rows(client, "/contracts/", sort="end_customer")[1:]] == ["o20001", "oR1-x"]

    def test_dates_are_localised(self, world):
        membership = Membership.objects.get(user=world.r1.owner)
        client = login(Client(), world.r1.owner)
        row = next(row for row in csv_rows(client, LIST)[1:] if row[0] == "r1-owner")
        assert row[5] == date_format(timezone.localtime(membership.created_at), "SHORT_DATETIME_FORMAT")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
        row = next(row for row in csv_rows(client, LIST)[1:] if row[0] == "r1-owner")
        assert row[5] == timezone.localtime(membership.created_at).strftime("%d.%m.%Y %H:%M")

    def test_numbers_stay_numbers_in_excel(self, world):
        make_contract(world.r1.account, "oR1-x", end_customer=world.r1.plain_customer)
        response = login(Client(), world.r1.owner).get("/customers/", {"export": "xlsx"})
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        counts = {row[0].value: row[4] for row in sheet.iter_rows(min_row=2)}
        assert counts["R1-2"].value == 1
        assert counts["R1-2"].data_type == "n"


class SampleTable(ObjectTable):
    number = tables.Column()
    company = tables.Column(default="none given")
    first_name = tables.Column()
    products = tables.Column(accessor="product_count")
    actions = LinkActionsColumn(RowLink("customers:endcustomer_detail", "Details", "search"))

    class Meta(ObjectTable.Meta):
        model = EndCustomer
        fields = ()
        order_by = ("number",)


class HookedTable(SampleTable):
    def value_first_name(self, value):
        return value.upper()


def test_a_columns_default_fills_its_empty_cells(world):
    make_customer(world.r1.account, "R1-3", company="")
    queryset = EndCustomer.objects.with_counts().restrict(world.r1.actor())
    for table in (SampleTable, HookedTable):
        with translation.override("en"):
            header, rows = exports.export_rows(table, queryset)
        assert header == ["Customer number", "Company", "First name", "Products"]
        assert [row[1] for row in rows] == ["ZZ-R1-MARKER Kundenfirma", "none given", "none given"]


def test_a_table_of_plain_columns_exports_what_django_tables2_gives_but_reads_only_those_columns(world, monkeypatch):
    """Plain columns are read with ``values_list``; forcing every column through ``Table.as_values()`` (as
    columns with a ``value_*`` method go) gives the same rows."""
    make_customer(world.r1.account, "R1-3", company="", last_name="=1+1")
    make_contract(world.r1.account, "oR1-x", end_customer=world.r1.plain_customer)
    queryset = EndCustomer.objects.with_counts().restrict(world.r1.actor())
    with CaptureQueriesContext(connection) as queries:
        header, rows = exports.export_rows(EndCustomerTable, queryset, {"order_by": "-last_name"})
        rows = list(rows)
    assert "street" not in queries.captured_queries[-1]["sql"]
    monkeypatch.setattr(exports, "_database_path", lambda *args: None)
    stock_header, stock_rows = exports.export_rows(EndCustomerTable, queryset, {"order_by": "-last_name"})
    assert (header, rows) == (stock_header, list(stock_rows))
    assert rows == [
        ["R1-2", "ZZ-R1-MARKER Zweit", "Karla", "", 1],
        ["R1-1", "Kunde", "Karla", "ZZ-R1-MARKER Kundenfirma", 0],
        ["R1-3", "'=1+1", "Karla", "", 0],
    ]


def test_the_selection_export_of_the_customer_list(world):
    client = login(Client(), world.r1.owner)
    response = client.post(
        "/customers/bulk/", {"action": "export", "selection": [world.r1.plain_customer.pk, world.r2.customer.pk]}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert [row[0] for row in rows] == ["Customer number", "R1-2"]
