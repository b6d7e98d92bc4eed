"""Exports follow the list: same rows, same filter, visible columns, formulas neutralised (IV-04)."""

import csv
import io

import openpyxl
import pytest
from django.test import Client
from pypdf import PdfReader

from accounts.models import Membership
from conftest import login, make_user
from core.exports import neutralise
from core.roles import Role

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


def test_pdf_and_print_refuse_lists_beyond_the_limit_with_a_clear_message(world, settings, monkeypatch):
    from core import exports

    monkeypatch.setattr(exports, "PAGED_ROW_LIMIT", 2)
    client = login(Client(), world.r1.owner)
    response = client.get(LIST, {"export": "pdf", "role": ""}, follow=True)
    assert "PDF and print hold at most 2 rows" in response.content.decode()
    assert response.redirect_chain[-1][0].startswith(LIST)
    assert "export=" not in response.redirect_chain[-1][0]
