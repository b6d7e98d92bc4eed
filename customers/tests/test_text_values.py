"""Control characters, text direction overrides and invisible names are refused in every customer field that
holds a name, number or address, whichever way the value comes in: the form, the import or the API (#18)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import login
from customers.models import CustomerImport, EndCustomer
from customers.tests.test_api import BODY, api
from customers.tests.test_customers import ADD, VALID

pytestmark = pytest.mark.django_db

CONTROL = "Steuerzeichen und Zeichen zur Textrichtung sind nicht erlaubt."
NUL = "Nullzeichen sind nicht erlaubt."
INVISIBLE = "Bitte geben Sie sichtbare Zeichen ein."
HOSTILE = [
    ("last_name", "Muster\x00", NUL),
    ("first_name", "Max\x1b[31m", CONTROL),
    ("company", "Firma\u202egnp.exe", CONTROL),
    ("street", "Weg\u2066 1", CONTROL),
    ("city", "Ber\u2069lin", CONTROL),
    ("postal_code", "1011\x005", NUL),
    ("phone", "030\x00 1234567", NUL),
    ("mobile", "0170\u202d1234567", CONTROL),
    ("last_name", "\u200b\u200c\u200d", INVISIBLE),
    ("first_name", "\u2060\ufeff", INVISIBLE),
    ("city", "\u200b \u200b", INVISIBLE),
]


def german(client):
    client.cookies["django_language"] = "de"
    return client


@pytest.mark.parametrize(("field", "value", "message"), HOSTILE)
def test_the_form_refuses_it(world, field, value, message):
    response = german(login(Client(), world.r1.employee)).post(ADD, {**VALID, field: value})
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not EndCustomer.objects.filter(number="K-1001").exists()


@pytest.mark.parametrize(("field", "value", "message"), HOSTILE)
def test_the_api_refuses_it(world, field, value, message):
    client = german(api(world.r1))
    response = client.post("/api/v1/customers/", {**BODY, field: value}, content_type="application/json")
    assert response.status_code == 422
    assert any(message in error["msg"] for error in response.json()["detail"] if error["loc"] == [field])
    assert not EndCustomer.objects.filter(number=BODY["number"]).exists()


IMPORT_HEADER = ["number", "company", "last_name", "first_name", "street", "postal_code", "city", "phone", "mobile"]
IMPORT_ROW = ["N-1", "", "Muster", "Max", "Weg 1", "10115", "Berlin", "030 1234567", "0170 1234567"]


def import_file(client, capture, field, value):
    header = ["Kundennummer", "Firma", "Nachname", "Vorname", "Straße", "PLZ", "Ort", "Telefon", "Mobil", "E-Mail"]
    cells = [*IMPORT_ROW, "n-1@example.test"]
    cells[IMPORT_HEADER.index(field)] = value
    data = ("\n".join(";".join(line) for line in (header, cells)) + "\n").encode()
    with capture(execute=True):
        return client.post("/customers/import/", {"file": SimpleUploadedFile("kunden.csv", data)})


@pytest.mark.parametrize(("field", "value", "message"), [case for case in HOSTILE if "\x00" in case[1]])
def test_the_import_refuses_a_file_with_a_null_character_when_it_reads_it(
    world, django_capture_on_commit_callbacks, field, value, message
):
    # PostgreSQL cannot keep NUL in the job's rows: the file is refused before any row is stored.
    client = german(login(Client(), world.r1.owner))
    response = import_file(client, django_capture_on_commit_callbacks, field, value)
    job = CustomerImport.objects.get()
    assert (job.status, job.rows) == ("refused", [])
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="import-refusal">Zeile 2 der Datei enthält ein Nullzeichen.</p>' in page


@pytest.mark.parametrize(("field", "value", "message"), [case for case in HOSTILE if "\x00" not in case[1]])
def test_the_import_refuses_it_in_its_row(world, django_capture_on_commit_callbacks, field, value, message):
    client = german(login(Client(), world.r1.owner))
    import_file(client, django_capture_on_commit_callbacks, field, value)
    job = CustomerImport.objects.get()
    mapping = {name: "" if index is None else str(index) for name, index in job.mapping.items()}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/customers/import/{job.pk}/", mapping)
    job.refresh_from_db()
    assert (job.status, job.valid_count) == ("validated", 0)
    assert any(error["field"] == field and message in error["message"]["de"] for error in job.errors)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/customers/import/{job.pk}/run/", {"only_valid": "1"})
    assert not EndCustomer.objects.filter(number="N-1").exists()


def test_ordinary_names_with_accents_and_joiners_are_kept(world):
    # A zero-width joiner inside a name is legitimate in some scripts; only a name of nothing else is refused.
    response = login(Client(), world.r1.employee).post(ADD, {**VALID, "last_name": "Müller-Ło\u200dś"})
    assert response.status_code == 302
    assert EndCustomer.objects.get(number="K-1001").last_name == "Müller-Ło\u200dś"


def test_the_import_keeps_the_e_mail_address_as_the_form_does(world, django_capture_on_commit_callbacks):
    client = login(Client(), world.r1.owner)
    header = "Kundennummer;Nachname;Vorname;Straße;PLZ;Ort;Telefon;Mobil;E-Mail"
    data = f"{header}\nN-1;Muster;Max;Weg 1;10115;Berlin;030 1234567;0170 1234567;Max.Mueller@Example.TEST\n"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/customers/import/", {"file": SimpleUploadedFile("kunden.csv", data.encode())})
    job = CustomerImport.objects.get()
    mapping = {name: "" if index is None else str(index) for name, index in job.mapping.items()}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/customers/import/{job.pk}/", mapping)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/customers/import/{job.pk}/run/", {"only_valid": ""})
    assert EndCustomer.objects.get(number="N-1").email == "max.mueller@example.test"


class TestPortalUsersAndTodos:
    """The same rule for the names of portal users (and every other user) and for to-dos."""

    def test_a_portal_users_name_with_a_direction_override_is_a_field_error(self, world):
        customer = world.r1.plain_customer
        data = {"username": "anna", "first_name": "Anna\u202e", "last_name": "A", "email": "anna@example.test"}
        response = german(login(Client(), world.r1.employee)).post(
            f"/customers/{customer.pk}/users/add/", {**data, "access": "invite"}
        )
        assert any(CONTROL in error for error in response.context["form"].errors["first_name"])
        response = german(api(world.r1)).post(
            f"/api/v1/customers/{customer.pk}/users/", {**data, "first_name": "Anna"}, content_type="application/json"
        )
        assert response.status_code == 201
        response = german(api(world.r1)).post(
            f"/api/v1/customers/{customer.pk}/users/",
            {**data, "username": "bea", "email": "bea@example.test", "last_name": "\u200b"},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert any(INVISIBLE in error["msg"] for error in response.json()["detail"] if error["loc"] == ["last_name"])

    def test_a_to_do_title_with_an_escape_sequence_is_refused_and_its_description_may_have_lines(self, world):
        client = german(api(world.r1))
        url = f"/api/v1/customers/{world.r1.customer.pk}/todos/"
        response = client.post(url, {"title": "Anrufen\x1b[2J"}, content_type="application/json")
        assert response.status_code == 422
        assert any(CONTROL in error["msg"] for error in response.json()["detail"] if error["loc"] == ["title"])
        response = client.post(
            url, {"title": "Anrufen", "description": "Erst\nzweitens\u202e"}, content_type="application/json"
        )
        assert response.status_code == 422
        response = client.post(
            url, {"title": "Anrufen", "description": "Erst\r\n\tzweitens"}, content_type="application/json"
        )
        assert response.status_code == 201
