"""The upload only keeps the file; a task reads it (issue #18 item 1). The import's page and the API say so while it
reads, then show the mapping step or why the file was refused; the file is deleted once read."""

import html
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import api_client, login
from customers import imports, tasks
from customers.models import CustomerImport, EndCustomer

pytestmark = pytest.mark.django_db

HEADER = "Kundennummer;Nachname;Vorname;Straße;PLZ;Ort;Telefon;Mobil;E-Mail"
ROW = "N-1;Muster;Max;Weg 1;10115;Berlin;030 1234567;0170 1234567;n-1@example.test"
WIDE = ";".join(["c"] * 51) + "\n" + ROW
REFUSED = {"de": "Die Datei hat mehr als 50 Spalten.", "en": "The file has more than 50 columns."}


def csv_file(text=f"{HEADER}\n{ROW}\n"):
    return SimpleUploadedFile("kunden.csv", text.encode(), "text/csv")


@pytest.fixture
def parsed(monkeypatch):
    """The files ``parse_upload`` has read so far."""
    calls = []
    parse = imports.parse_upload
    monkeypatch.setattr(imports, "parse_upload", lambda name, data: calls.append(name) or parse(name, data))
    return calls


@pytest.fixture
def owner(world):
    client = login(Client(), world.r1.owner)
    client.cookies["django_language"] = "de"
    return client


def upload(client, capture, file, url="/customers/import/"):
    """Upload without running the task; the answer, the job and the task that its commit enqueued."""
    with capture() as enqueued:
        response = client.post(url, {"file": file})
    (read,) = enqueued
    return response, CustomerImport.objects.get(), read


def refusal(page: str) -> str:
    return html.unescape(re.search(r'data-testid="import-refusal">([^<]*)</p>', page).group(1))


def test_the_upload_keeps_the_file_and_the_page_says_it_is_read_until_the_task_has_read_it(
    world, owner, parsed, django_capture_on_commit_callbacks
):
    response, job, read = upload(owner, django_capture_on_commit_callbacks, csv_file())
    assert response.status_code == 302 and response["Location"] == f"/customers/import/{job.pk}/"
    assert (job.status, job.header, job.rows, job.mapping, parsed) == ("reading", [], [], {}, [])
    assert default_storage.exists(job.source.name)
    page = owner.get(response["Location"]).content.decode()
    assert "Die Datei wird gelesen…" in page and ">wird gelesen</span>" in page
    assert f'hx-get="/customers/import/{job.pk}/progress/" hx-trigger="every 1s"' in page
    assert "Welche Spalte enthält welches Feld?" not in page
    progress = owner.get(f"/customers/import/{job.pk}/progress/")
    assert "Die Datei wird gelesen…" in progress.content.decode() and "HX-Refresh" not in progress

    read()
    job.refresh_from_db()
    assert (job.status, job.header, job.rows[0][0], job.mapping["email"], parsed) == (
        "uploaded",
        HEADER.split(";"),
        "N-1",
        8,
        ["kunden.csv"],
    )
    assert owner.get(f"/customers/import/{job.pk}/progress/")["HX-Refresh"] == "true"
    page = owner.get(response["Location"]).content.decode()
    assert "Welche Spalte enthält welches Feld?" in page and "n-1@example.test" in page


def test_the_api_answers_202_at_once_and_shows_the_columns_once_the_task_has_read_them(
    world, parsed, django_capture_on_commit_callbacks
):
    client = api_client(world.r1)
    response, job, read = upload(client, django_capture_on_commit_callbacks, csv_file(), "/api/v1/customer-imports/")
    assert response.status_code == 202
    answer = response.json()
    url = f"/api/v1/customer-imports/{job.pk}/"
    assert (answer["id"], answer["status"], answer["status_url"], answer["header"], parsed) == (
        job.pk,
        "reading",
        url,
        [],
        [],
    )
    assert client.get(url).json()["status"] == "reading"

    read()
    job = client.get(url).json()
    assert (job["status"], job["header"], job["mapping"]["number"], job["failure"]) == (
        "uploaded",
        HEADER.split(";"),
        0,
        "",
    )
    assert job["preview"][0]["number"] == "N-1" and job["preview"][0]["email"] == "n-1@example.test"


def test_a_refused_file_reads_in_the_readers_language_on_the_page_and_in_the_api(
    world, owner, django_capture_on_commit_callbacks
):
    response, job, read = upload(owner, django_capture_on_commit_callbacks, csv_file(WIDE))
    read()
    api = api_client(world.r1)
    for language, message in REFUSED.items():
        owner.cookies["django_language"] = api.cookies["django_language"] = language
        page = owner.get(response["Location"]).content.decode()
        assert refusal(page) == message
        assert 'href="/customers/import/"' in page and "Welche Spalte" not in page
        assert api.get(f"/api/v1/customer-imports/{job.pk}/").json()["failure"] == message
    job.refresh_from_db()
    assert (job.status, job.rows) == ("refused", [])
    assert not EndCustomer.objects.filter(number="N-1").exists()


def test_the_file_is_deleted_when_it_is_refused(world, owner, django_capture_on_commit_callbacks):
    _response, job, read = upload(owner, django_capture_on_commit_callbacks, csv_file(WIDE))
    name = job.source.name
    read()
    job.refresh_from_db()
    assert job.status == "refused" and not job.source
    assert not default_storage.exists(name)


def test_the_file_is_deleted_once_read_and_stays_gone_through_the_import(
    world, owner, django_capture_on_commit_callbacks
):
    _response, job, read = upload(owner, django_capture_on_commit_callbacks, csv_file())
    name = job.source.name
    read()
    job.refresh_from_db()
    mapping = {field: "" if index is None else str(index) for field, index in job.mapping.items()}
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(f"/customers/import/{job.pk}/", mapping)
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(f"/customers/import/{job.pk}/run/", {"only_valid": ""})
    job.refresh_from_db()
    assert (job.status, job.created_count) == ("done", 1)
    assert not job.source and not default_storage.exists(name)


def test_another_account_gets_404_for_an_import_being_read(world, owner, django_capture_on_commit_callbacks):
    _response, job, _read = upload(owner, django_capture_on_commit_callbacks, csv_file())
    for tenant in (world.r2, world.c1):
        other = login(Client(), tenant.owner)
        assert other.get(f"/customers/import/{job.pk}/").status_code == 404
        assert other.get(f"/customers/import/{job.pk}/progress/").status_code == 404
        assert api_client(tenant).get(f"/api/v1/customer-imports/{job.pk}/").status_code == 404


def test_an_import_being_read_cannot_be_checked_yet(world, owner, django_capture_on_commit_callbacks):
    _response, job, _read = upload(owner, django_capture_on_commit_callbacks, csv_file())
    response = api_client(world.r1).post(
        f"/api/v1/customer-imports/{job.pk}/check/", {"mapping": {"number": 0}}, content_type="application/json"
    )
    assert response.status_code == 422
    job.refresh_from_db()
    assert job.status == "reading"


def test_reading_twice_reads_once(world, owner, parsed, django_capture_on_commit_callbacks):
    _response, job, read = upload(owner, django_capture_on_commit_callbacks, csv_file())
    read()
    tasks.read_import.call(job.pk)
    job.refresh_from_db()
    assert (job.status, parsed) == ("uploaded", ["kunden.csv"])


def test_a_file_lost_before_it_is_read_fails_the_import_instead_of_reading_forever(
    world, owner, django_capture_on_commit_callbacks
):
    response, job, read = upload(owner, django_capture_on_commit_callbacks, csv_file())
    default_storage.delete(job.source.name)
    with pytest.raises(FileNotFoundError):
        tasks.read_import.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.source.name) == ("failed", "")
    owner.cookies["django_language"] = "en"
    assert "The import failed; nothing was imported." in owner.get(response["Location"]).content.decode()


def test_a_second_worker_that_finds_the_file_already_read_leaves_the_import_as_the_first_left_it(
    world, owner, monkeypatch, django_capture_on_commit_callbacks
):
    _response, job, _read = upload(owner, django_capture_on_commit_callbacks, csv_file())
    read = imports.read

    def raced(job):
        read(CustomerImport.objects.get(pk=job.pk))  # another worker reads it meanwhile and deletes the file
        read(job)

    monkeypatch.setattr(imports, "read", raced)
    with pytest.raises(FileNotFoundError):
        tasks.read_import.call(job.pk)
    job.refresh_from_db()
    assert (job.status, job.rows[0][0], job.failure) == ("uploaded", "N-1", "")
