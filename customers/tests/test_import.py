import csv
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEntry
from conftest import login
from customers import imports
from customers.models import CustomerImport, EndCustomer

pytestmark = pytest.mark.django_db

HEADER = "Kundennummer;Firma;Nachname;Vorname;Straße;PLZ;Ort;Telefon;Mobil;E-Mail"


def row(number, postal_code="10115", phone="030 1234567"):
    return f"{number};;Muster;Max;Weg 1;{postal_code};Berlin;{phone};0170 1234567;{number.lower()}@example.test"


def csv_file(*rows, header=HEADER):
    return SimpleUploadedFile("kunden.csv", ("\n".join([header, *rows]) + "\n").encode("utf-8"), "text/csv")


@pytest.fixture
def importer(world, django_capture_on_commit_callbacks):
    client = login(Client(), world.r1.owner)

    def upload(file):
        """Upload, and let the task read the file as a worker would once the upload is committed."""
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/customers/import/", {"file": file})
        return response, CustomerImport.objects.order_by("-pk").first()

    def check(job):
        mapping = {field: "" if index is None else str(index) for field, index in job.mapping.items()}
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/customers/import/{job.pk}/", mapping)
        job.refresh_from_db()
        return job

    def run(job, only_valid=False):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/customers/import/{job.pk}/run/", {"only_valid": "1" if only_valid else ""})
        job.refresh_from_db()
        return client.get(f"/customers/import/{job.pk}/")

    importer = type("Importer", (), {})()
    importer.client, importer.upload, importer.check, importer.run = client, upload, check, run
    return importer


def test_the_columns_are_recognised_by_their_german_names(world, importer):
    response, job = importer.upload(csv_file(row("N-1")))
    assert response["Location"] == f"/customers/import/{job.pk}/"
    assert job.mapping["number"] == 0 and job.mapping["email"] == 9 and job.mapping["website"] is None
    page = importer.client.get(f"/customers/import/{job.pk}/").content.decode()
    assert "N-1" in page and "n-1@example.test" in page


def test_a_valid_file_is_checked_and_imported_with_a_summary(world, importer):
    _response, job = importer.upload(csv_file(row("N-1"), row("N-2"), row("N-3")))
    job = importer.check(job)
    assert (job.status, job.valid_count, job.errors) == ("validated", 3, [])
    response = importer.run(job)
    assert "3 customers imported." in response.content.decode()
    assert set(EndCustomer.objects.filter(account=world.r1.account).values_list("number", flat=True)) >= {
        "N-1",
        "N-2",
        "N-3",
    }
    assert EndCustomer.objects.get(number="N-1").phone == "+49301234567"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATE, object_repr__startswith="N-").count() == 3
    assert AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT).count() == 1


def test_errors_are_listed_by_row_and_nothing_is_imported_unless_chosen(world, importer):
    rows = [row("N-1"), row("N-2", postal_code="123"), row("R1-1"), row("N-1"), row("N-5", phone="x")]
    _response, job = importer.upload(csv_file(*rows))
    job = importer.check(job)
    found = {(error["row"], error["field"]) for error in job.errors}
    assert found == {(3, "postal_code"), (4, "number"), (5, "number"), (6, "phone")}
    page = importer.client.get(f"/customers/import/{job.pk}/").content.decode()
    assert "4 rows have errors; 1 rows are valid." in page
    response = importer.run(job)
    assert "invalid rows" in response.content.decode()
    assert not EndCustomer.objects.filter(number="N-1").exists()
    response = importer.run(job, only_valid=True)
    assert "1 customer imported." in response.content.decode()
    assert list(EndCustomer.objects.filter(number__startswith="N-").values_list("number", flat=True)) == ["N-1"]


def test_the_error_table_names_each_field_in_the_readers_language(world, importer):
    _response, job = importer.upload(csv_file(row("N-1", postal_code="123"), row("N-2", phone="x")))
    job = importer.check(job)
    for language, labels in (("de", ["PLZ", "Telefon"]), ("en", ["Postal code", "Phone"])):
        importer.client.cookies["django_language"] = language
        page = importer.client.get(f"/customers/import/{job.pk}/").content.decode()
        table = page[page.index('data-testid="import-errors"') :]
        fields = re.findall(r"<tr><td>\d+</td><td>[^<]*</td><td>([^<]*)</td>", table)
        assert fields == labels


def test_the_activity_says_how_many_customers_an_import_created(world, importer):
    _response, job = importer.upload(csv_file(row("N-1"), row("N-2")))
    importer.run(importer.check(job))
    importer.client.cookies["django_language"] = "de"
    page = importer.client.get("/activity/", {"action": "import"}).content.decode()
    assert re.search(r"Importierte Kunden:</span>\s*0 → 2", page)


def test_excel_files_import_too(world, importer):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append(row("X-1").split(";"))
    data = io.BytesIO()
    workbook.save(data)
    _response, job = importer.upload(SimpleUploadedFile("kunden.xlsx", data.getvalue()))
    job = importer.check(job)
    importer.run(job)
    assert EndCustomer.objects.filter(account=world.r1.account, number="X-1").exists()


def test_a_file_of_another_kind_is_refused_at_the_file_field_before_anything_is_kept(world, importer):
    response, _job = importer.upload(SimpleUploadedFile("kunden.pdf", b"%PDF"))
    assert response.context["form"].errors["file"] == ["Please upload a CSV or Excel (.xlsx) file."]
    assert not CustomerImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused_at_the_file_field_unread(world, importer, monkeypatch):
    monkeypatch.setattr(imports, "parse_upload", None)  # reading it would fail the test
    response, _job = importer.upload(SimpleUploadedFile("kunden.csv", b"x" * (imports.MAX_BYTES + 1)))
    assert response.context["form"].errors["file"] == ["The file is larger than 32 MB."]
    assert not CustomerImport.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (csv_file(), "The file has no rows below the header."),
        (SimpleUploadedFile("kunden.xlsx", b"not a zip"), "This Excel file cannot be read."),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_on_the_imports_page(world, importer, upload, message):
    response, job = importer.upload(upload)
    assert response["Location"] == f"/customers/import/{job.pk}/"
    assert (job.status, job.header, job.rows) == ("refused", [], [])
    page = importer.client.get(response["Location"]).content.decode()
    assert f'data-testid="import-refusal">{message}</p>' in page
    assert not EndCustomer.objects.filter(account=world.r1.account, last_name="Muster").exists()


def test_another_reseller_cannot_see_or_run_the_import(world, importer):
    _response, job = importer.upload(csv_file(row("N-1")))
    other = login(Client(), world.r2.owner)
    assert other.get(f"/customers/import/{job.pk}/").status_code == 404
    assert other.post(f"/customers/import/{job.pk}/run/").status_code == 404


def make_job(world, prefix, count):
    header = HEADER.split(";")
    rows = [
        [
            f"{prefix}-{i}",
            "",
            "Muster",
            "Max",
            "Weg 1",
            "10115",
            "Berlin",
            "030 1234567",
            "0170 1234567",
            f"{prefix}{i}@x.test",
        ]
        for i in range(count)
    ]
    return CustomerImport.objects.create(
        account=world.r1.account,
        created_by=world.r1.owner,
        file_name="big.csv",
        header=header,
        rows=rows,
        mapping=imports.guess_mapping(header),
        status=CustomerImport.Status.VALIDATING,
    )


def queries(function):
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


def checked(job):
    """The job checked and handed to the import task, as ``services.run_import`` hands it."""
    imports.check(job)
    job.status, job.processed = CustomerImport.Status.IMPORTING, 0
    job.save(update_fields=["status", "processed"])
    return job


class Statements:
    """Statements per batch of an import: those the cursor runs, and the bulk inserts (``COPY`` on PostgreSQL
    passes no execute wrapper)."""

    def __init__(self, monkeypatch):
        self.inserts = 0
        self.context = CaptureQueriesContext(connection)
        insert_rows = imports.insert_rows

        def counted(*args, **kwargs):
            self.inserts += 1
            return insert_rows(*args, **kwargs)

        monkeypatch.setattr(imports, "insert_rows", counted)

    def of(self, function) -> int:
        self.inserts = 0
        with self.context:
            function()
        return len(self.context.captured_queries) + self.inserts


def test_a_large_import_costs_queries_per_batch_not_per_row(world):
    one, three = make_job(world, "A", imports.BATCH_SIZE), make_job(world, "B", 3 * imports.BATCH_SIZE)
    check_one, check_three = queries(lambda: imports.check(one)), queries(lambda: imports.check(three))
    assert (one.valid_count, three.valid_count) == (imports.BATCH_SIZE, 3 * imports.BATCH_SIZE)
    assert check_three - check_one == 2  # one progress update per extra batch
    actor = world.r1.actor()
    for job in (one, three):
        job.status, job.processed = CustomerImport.Status.IMPORTING, 0
        job.save(update_fields=["status", "processed"])
    run_one = queries(lambda: imports.run(one, actor))
    run_three = queries(lambda: imports.run(three, actor))
    per_batch = (run_three - run_one) // 2
    assert run_three == run_one + 2 * per_batch
    # A batch is a fixed handful of statements, never one per row.
    assert per_batch <= 12
    assert EndCustomer.objects.filter(number__startswith="B-").count() == 3 * imports.BATCH_SIZE


def test_the_statements_of_a_batch_do_not_grow_with_the_batch_size(world, monkeypatch):
    statements = Statements(monkeypatch)
    per_batch = {}
    for size in (10, 100):
        monkeypatch.setattr(imports, "BATCH_SIZE", size)
        one, three = checked(make_job(world, f"S{size}", size)), checked(make_job(world, f"T{size}", 3 * size))
        run_one = statements.of(lambda job=one: imports.run(job, world.r1.actor()))
        run_three = statements.of(lambda job=three: imports.run(job, world.r1.actor()))
        assert (run_three - run_one) % 2 == 0
        per_batch[size] = (run_three - run_one) // 2
        assert three.created_count == 3 * size
    assert per_batch[10] == per_batch[100] <= 12
    audited = AuditEntry.objects.filter(action="create", object_repr__startswith="T100-")
    assert audited.count() == 300 and audited.filter(user=world.r1.owner, account=world.r1.account).count() == 300
    customer = EndCustomer.objects.get(number="T100-7")
    assert (customer.phone, customer.email) == ("+49301234567", "t1007@x.test")
    assert audited.get(object_id=str(customer.pk)).object_repr == str(customer)


def test_the_import_page_shows_the_rows_done_after_each_batch(world, importer, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_SIZE", 2)
    _response, job = importer.upload(csv_file(*(row(f"P-{i}") for i in range(5))))
    job = importer.check(job)
    importer.client.cookies["django_language"] = "de"
    seen = []
    create_batch = imports._create_batch

    def observed(job, actor, batch, **kwargs):
        page = importer.client.get(f"/customers/import/{job.pk}/progress/").content.decode()
        seen.append(re.search(r'data-testid="import-progress">([^<]*)<', page)[1])
        return create_batch(job, actor, batch, **kwargs)

    monkeypatch.setattr(imports, "_create_batch", observed)
    importer.run(job)
    assert seen == [f"Zeilen werden importiert: {done} von 5" for done in (0, 2, 4)]
    assert (job.status, job.processed, job.created_count) == ("done", 5, 5)


def test_a_number_taken_after_the_check_is_skipped_as_an_error_row(world, importer):
    _response, job = importer.upload(csv_file(row("M-1"), row("M-2"), row("M-3")))
    job = importer.check(job)
    EndCustomer.objects.create(account=world.r1.account, **imports.mapped(job.rows[1], job.mapping) | {"number": "m-2"})
    page = importer.run(job).content.decode()
    assert (job.status, job.created_count, job.error_rows) == ("done", 2, 1)
    assert job.errors[0]["row"] == 3 and job.errors[0]["field"] == "number"
    assert "You already have a customer with this customer number." in page
    numbers = EndCustomer.objects.filter(number__istartswith="M-").values_list("number", flat=True)
    assert sorted(numbers) == ["M-1", "M-3", "m-2"]


class WorkerStopped(BaseException):
    """A worker killed mid-import: not an error the task could record."""


def test_a_second_run_after_a_stopped_worker_goes_on_without_duplicates(world, monkeypatch):
    monkeypatch.setattr(imports, "BATCH_SIZE", 10)
    job = checked(make_job(world, "W", 35))
    create_batch, calls = imports._create_batch, []

    def stops_in_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise WorkerStopped
        return create_batch(*args, **kwargs)

    monkeypatch.setattr(imports, "_create_batch", stops_in_the_third)
    with pytest.raises(WorkerStopped):
        imports.run(job, world.r1.actor())
    job = CustomerImport.objects.get(pk=job.pk)
    assert (job.status, job.processed, job.created_count) == ("importing", 20, 20)
    assert imports.run(job, world.r1.actor()) == 35
    assert EndCustomer.objects.filter(number__startswith="W-").count() == 35
    assert AuditEntry.objects.filter(action="create", object_repr__startswith="W-").count() == 35
    assert CustomerImport.objects.get(pk=job.pk).status == "done"


# --- The skipped rows stay on the import's page and download as CSV or Excel (#17 item 12) -------------------


@pytest.fixture
def finished(world, importer):
    """An import of five rows that skipped three: a short postal code, a taken number, a bad phone."""
    rows = [row("N-1"), row("N-2", postal_code="123"), row("R1-1"), row("N-4", phone="+49 x"), row("N-5")]
    _response, job = importer.upload(csv_file(*rows))
    importer.run(importer.check(job), only_valid=True)
    job.refresh_from_db()
    assert job.status == "done" and job.created_count == 2
    return job


def skipped(client, job, fmt="csv"):
    return client.get(f"/customers/import/{job.pk}/skipped/", {"export": fmt})


def test_after_the_import_its_page_still_lists_the_skipped_rows(world, importer, finished):
    importer.client.cookies["django_language"] = "de"
    page = importer.client.get(f"/customers/import/{finished.pk}/").content.decode()
    assert "Übersprungene Zeilen mit Fehlern: 3." in page
    table = page[page.index('data-testid="import-errors"') :]
    assert re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td>", table) == [
        ("3", "N-2", "PLZ"),
        ("4", "R1-1", "Kundennummer"),
        ("5", "N-4", "Telefon"),
    ]
    assert f'href="/customers/import/{finished.pk}/skipped/?export=csv"' in page


@pytest.mark.parametrize("role", ["employee", "admin", "owner"])
def test_the_skipped_rows_download_as_the_file_had_them_with_their_errors(world, finished, role):
    client = login(Client(), getattr(world.r1, role))
    client.cookies["django_language"] = "de"
    response = skipped(client, finished)
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    assert f'filename="import-{finished.pk}-skipped-rows.csv"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == [*HEADER.split(";"), "Zeile", "Fehler"]
    assert [(r[0], r[-2]) for r in rows[1:]] == [("N-2", "3"), ("R1-1", "4"), ("N-4", "5")]
    assert rows[1][:-2] == row("N-2", postal_code="123").split(";")
    # The field and the message in the reader's language.
    assert rows[1][-1] == "PLZ: Eine Postleitzahl in diesem Land hat 5 Stellen."
    # The phone as the file had it, neutralised for spreadsheets ("+49 x" would be a formula).
    assert rows[3][7] == "'+49 x" and rows[3][-1].startswith("Telefon: ")


def test_the_skipped_rows_download_as_excel(world, finished):
    response = skipped(login(Client(), world.r1.employee), finished, "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in r] for r in sheet.iter_rows()]
    assert values[0][-2:] == ["Row", "Errors"]
    assert [r[0] for r in values[1:]] == ["N-2", "R1-1", "N-4"]
    assert all(cell.data_type != "f" for r in sheet.iter_rows() for cell in r)


def test_a_corrected_download_imports_again(world, importer, finished):
    text = b"".join(skipped(importer.client, finished).streaming_content).decode("utf-8-sig")
    fixed = text.replace(";123;", ";10115;").replace("R1-1;", "N-3;").replace("'+49 x", "+49 30 1234567")
    _response, job = importer.upload(SimpleUploadedFile("korrigiert.csv", fixed.encode("utf-8"), "text/csv"))
    job = importer.check(job)
    assert (job.errors, job.valid_count) == ([], 3)
    importer.run(job)
    assert set(EndCustomer.objects.filter(number__in=["N-2", "N-3", "N-4"]).values_list("number", flat=True)) == {
        "N-2",
        "N-3",
        "N-4",
    }


def test_another_account_gets_404_and_an_unknown_format_400(world, finished):
    assert skipped(login(Client(), world.r2.owner), finished).status_code == 404
    assert skipped(login(Client(), world.c1.owner), finished).status_code == 404
    assert skipped(login(Client(), world.r1.owner), finished, "pdf").status_code == 400


def test_a_long_list_says_the_download_holds_every_row(world, importer, finished, monkeypatch):
    from customers import views

    monkeypatch.setattr(views, "SHOWN_ERRORS", 2)
    page = importer.client.get(f"/customers/import/{finished.pk}/").content.decode()
    assert "The first 2 of 3 errors; the download holds every skipped row." in page
    assert page.count("<tr><td>") == 2


def test_the_error_messages_read_in_the_readers_language_whoever_checked_the_file(world, importer, settings):
    settings.LANGUAGE_CODE = "de"  # the worker checks in the portal's default language
    importer.client.cookies["django_language"] = "de"
    _response, job = importer.upload(csv_file(row("N-1", postal_code="123")))
    job = importer.check(job)
    messages = {
        "de": "Eine Postleitzahl in diesem Land hat 5 Stellen.",
        "en": "A postal code in this country has 5 digits.",
    }
    for language, message in messages.items():
        importer.client.cookies["django_language"] = language
        page = importer.client.get(f"/customers/import/{job.pk}/").content.decode()
        table = page[page.index('data-testid="import-errors"') :]
        assert message in table
        assert messages["de" if language == "en" else "en"] not in table
    from conftest import api_client

    api = api_client(world.r1)
    api.cookies["django_language"] = "en"
    detail = api.get(f"/api/v1/customer-imports/{job.pk}/").json()
    assert [error["message"] for error in detail["errors"]] == [messages["en"]]


def test_a_website_with_a_bracket_is_a_row_error_in_the_readers_language(world, importer):
    header = HEADER + ";Website"
    _response, job = importer.upload(csv_file(row("N-1") + ";[", row("N-2") + ";example.de", header=header))
    job = importer.check(job)
    assert (job.status, job.valid_count) == ("validated", 1)
    assert [(error["row"], error["field"]) for error in job.errors] == [(2, "website")]
    importer.client.cookies["django_language"] = "de"
    assert (
        "Geben Sie eine gültige Webadresse ein." in importer.client.get(f"/customers/import/{job.pk}/").content.decode()
    )
