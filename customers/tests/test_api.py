import pytest
from django.test import Client

from customers.models import CustomerImport, EndCustomer, PortalUser, Todo
from users.services import create_api_token

pytestmark = pytest.mark.django_db

BODY = {
    "number": "API-7",
    "last_name": "Neu",
    "first_name": "Nina",
    "street": "Weg 1",
    "postal_code": "10115",
    "city": "Berlin",
    "phone": "030 1234567",
    "mobile": "0170 1234567",
    "email": "nina@example.test",
}


def api(tenant, role=None):
    from core.roles import Role

    _token, key = create_api_token(tenant.actor(role or Role.OWNER), name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_list_search_and_filter_like_the_ui(world):
    client = api(world.r1)
    items = client.get("/api/v1/customers/").json()["items"]
    assert {item["number"] for item in items} == {"R1-1", "R1-2"}
    assert [i["number"] for i in client.get("/api/v1/customers/?q=Zweit").json()["items"]] == ["R1-2"]
    assert items[0]["user_count"] + items[1]["user_count"] == 1


def test_create_read_update_delete(world):
    client = api(world.r1)
    response = client.post("/api/v1/customers/", BODY, content_type="application/json")
    assert response.status_code == 201
    created = response.json()
    assert created["phone"] == "+49301234567" and created["product_count"] == 0
    url = f"/api/v1/customers/{created['id']}/"
    assert client.get(url).json()["number"] == "API-7"
    response = client.patch(url, {"city": "Bonn", "postal_code": "53111"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["city"] == "Bonn"
    assert client.delete(url).status_code == 204
    assert not EndCustomer.objects.filter(pk=created["id"]).exists()


def test_validation_errors_name_the_field_with_the_ui_message(world):
    client = api(world.r1)
    response = client.post(
        "/api/v1/customers/", {**BODY, "number": "R1-1", "postal_code": "1"}, content_type="application/json"
    )
    assert response.status_code == 422
    detail = {tuple(item["loc"]): item["msg"] for item in response.json()["detail"]}
    assert detail[("postal_code",)] == "A postal code in this country has 5 digits."
    response = client.post("/api/v1/customers/", {**BODY, "number": "R1-1"}, content_type="application/json")
    assert response.json()["detail"] == [
        {"loc": ["number"], "msg": "You already have a customer with this customer number."}
    ]


def test_the_deletion_guard_holds_in_the_api(world):
    response = api(world.r1).delete(f"/api/v1/customers/{world.r1.customer.pk}/")
    assert response.status_code == 422
    assert "1 user" in response.json()["detail"][0]["msg"]


def test_immutable_and_foreign_fields_are_refused_by_name(world):
    client = api(world.r1)
    url = f"/api/v1/customers/{world.r1.plain_customer.pk}/"
    response = client.patch(
        url, {"account": world.r2.account.pk, "id": 999, "created_at": "2000-01-01"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert sorted(item["loc"][-1] for item in response.json()["detail"]) == ["account", "created_at", "id"]
    customer = EndCustomer.objects.get(pk=world.r1.plain_customer.pk)
    assert customer.account == world.r1.account


def test_another_reseller_gets_404_on_every_nested_route(world):
    client = api(world.r2)
    pk = world.r1.customer.pk
    for url in (f"/api/v1/customers/{pk}/", f"/api/v1/customers/{pk}/users/", f"/api/v1/customers/{pk}/todos/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "ZZ-R1-MARKER" not in response.content.decode()
    response = client.post(f"/api/v1/customers/{pk}/todos/", {"title": "x"}, content_type="application/json")
    assert response.status_code == 404
    assert not Todo.objects.filter(title="x").exists()


def test_users_and_todos_are_created_through_the_api(world):
    client = api(world.r1)
    pk = world.r1.plain_customer.pk
    body = {
        "username": "api-user",
        "first_name": "A",
        "last_name": "B",
        "email": "a@example.test",
        "password": "a-long-secret-99",
    }
    response = client.post(f"/api/v1/customers/{pk}/users/", body, content_type="application/json")
    assert response.status_code == 201 and response.json()["active"] is True
    assert PortalUser.objects.get(user__username="api-user").user.check_password("a-long-secret-99")
    response = client.post(f"/api/v1/customers/{pk}/users/", body, content_type="application/json")
    assert response.json()["detail"] == [{"loc": ["username"], "msg": "This username is already taken."}]
    response = client.post(
        f"/api/v1/customers/{pk}/todos/", {"title": "T", "assignee": world.r2.owner.pk}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["assignee"]


def test_an_employee_token_cannot_delete(world):
    from core.roles import Role

    response = api(world.r1, Role.EMPLOYEE).delete(f"/api/v1/customers/{world.r1.plain_customer.pk}/")
    assert response.status_code == 403
    assert EndCustomer.objects.filter(pk=world.r1.plain_customer.pk).exists()


def test_portal_users_are_deactivated_reactivated_sent_a_link_and_deleted(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    client = api(world.r1)
    url = f"/api/v1/portal-users/{world.r1.portal_user.pk}/"
    assert client.patch(url, {"active": False}, content_type="application/json").json()["active"] is False
    world.r1.portal_user.user.refresh_from_db()
    assert not world.r1.portal_user.user.is_active
    assert client.patch(url, {"active": True}, content_type="application/json").json()["active"] is True
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{url}password-link/").status_code == 202
    assert [message.to for message in mailoutbox] == [[world.r1.portal_user.user.email]]
    assert client.patch(url, {"active": "maybe"}, content_type="application/json").status_code == 422
    assert api(world.r2).delete(url).status_code == 404
    assert client.delete(url).status_code == 204
    assert not PortalUser.objects.filter(pk=world.r1.portal_user.pk).exists()


def test_todos_are_changed_done_listed_as_mine_and_deleted(world):
    from core.roles import Role

    client = api(world.r1)
    url = f"/api/v1/todos/{world.r1.todo.pk}/"
    changed = client.patch(url, {"title": "Neu", "status": "done"}, content_type="application/json").json()
    assert (changed["title"], changed["status"], changed["customer"]) == ("Neu", "done", world.r1.customer.pk)
    world.r1.todo.refresh_from_db()
    assert world.r1.todo.status == Todo.Status.DONE
    assert client.patch(url, {"status": "someday"}, content_type="application/json").json()["detail"][0]["loc"] == [
        "status"
    ]
    # "Meine Aufgaben": the owner's, not the employee's.
    assert [todo["id"] for todo in client.get("/api/v1/todos/").json()["items"]] == [world.r1.todo.pk]
    assert api(world.r1, Role.EMPLOYEE).get("/api/v1/todos/").json()["items"] == []
    assert api(world.r2).patch(url, {"title": "x"}, content_type="application/json").status_code == 404
    assert client.delete(url).status_code == 204
    assert not Todo.objects.filter(pk=world.r1.todo.pk).exists()


def test_the_customer_export_streams_the_filtered_list_as_csv_or_excel(world):
    client = api(world.r1)
    response = client.get("/api/v1/customers/export/?q=Zweit")
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Customer number;")
    assert [line.split(";")[0] for line in lines[1:]] == ["R1-2"]
    excel = client.get("/api/v1/customers/export/?format=xlsx")
    assert excel["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert client.get("/api/v1/customers/export/?format=pdf").status_code == 422
    assert "R1-" not in b"".join(api(world.r2).get("/api/v1/customers/export/").streaming_content).decode()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Excel exports hold at most 1 rows. Narrow the filter, or export to CSV."),
        ("de", "Excel-Exporte enthalten höchstens 1 Zeilen. Bitte grenzen Sie die Liste mit dem Filter ein oder "),
    ],
)
def test_the_excel_export_refuses_more_rows_than_the_limit_with_a_clear_422(world, monkeypatch, language, message):
    from core import exports

    monkeypatch.setattr(exports, "XLSX_ROW_LIMIT", 1)
    client = api(world.r1)
    client.cookies["django_language"] = language
    response = client.get("/api/v1/customers/export/?format=xlsx")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["format"]
    assert error["msg"].startswith(message)
    assert client.get("/api/v1/customers/export/?format=xlsx&q=Zweit").status_code == 200
    assert client.get("/api/v1/customers/export/?format=csv").status_code == 200


def test_personal_data_and_erasure(world):
    from core.roles import Role

    client = api(world.r1)
    data = client.get(f"/api/v1/customers/{world.r1.customer.pk}/personal-data/").json()
    assert data["customer"]["number"] == "R1-1"
    assert api(world.r2).get(f"/api/v1/customers/{world.r1.customer.pk}/personal-data/").status_code == 404
    erase = f"/api/v1/customers/{world.r1.plain_customer.pk}/erase/"
    assert api(world.r1, Role.EMPLOYEE).post(erase).status_code == 403
    alias = client.post(erase).json()["alias"]
    assert alias and "Zweit" not in alias
    assert not EndCustomer.objects.filter(pk=world.r1.plain_customer.pk).exists()


def test_an_import_is_uploaded_checked_and_run(world, django_capture_on_commit_callbacks):
    client = api(world.r1)
    rows = [
        "Kundennummer;Nachname;Vorname;Straße;PLZ;Ort;Telefon;Mobil;E-Mail",
        "I-1;Imp;Ida;Weg 1;10115;Berlin;030 1234567;0170 1234567;ida@example.test",
        "I-2;Imp;Ivo;Weg 2;1;Berlin;030 1234567;0170 1234567;ivo@example.test",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        upload = client.post("/api/v1/customer-imports/", {"file": _file("k.csv", "\n".join(rows))})
    assert upload.status_code == 202, upload.content
    url = f"/api/v1/customer-imports/{upload.json()['id']}/"
    assert upload.json()["status_url"] == url
    job = client.get(url).json()
    assert job["status"] == "uploaded"
    assert job["header"][0] == "Kundennummer" and job["mapping"]["number"] == 0
    assert job["preview"][0]["number"] == "I-1"
    with django_capture_on_commit_callbacks(execute=True):
        checking = client.post(f"{url}check/", {"mapping": job["mapping"]}, content_type="application/json")
    assert checking.status_code == 202
    checked = client.get(url).json()
    assert (checked["status"], checked["valid_count"]) == ("validated", 1)
    assert [(error["row"], error["field"]) for error in checked["errors"]] == [(3, "postal_code")]
    refused = client.post(f"{url}run/", {"only_valid": False}, content_type="application/json")
    assert refused.status_code == 422
    with django_capture_on_commit_callbacks(execute=True):
        running = client.post(f"{url}run/", {"only_valid": True}, content_type="application/json")
    assert running.status_code == 202
    assert client.get(url).json()["created_count"] == 1
    assert EndCustomer.objects.filter(account=world.r1.account, number="I-1").exists()
    assert api(world.r2).get(url).status_code == 404


def test_a_file_of_another_kind_is_refused_next_to_the_file(world):
    response = api(world.r1).post("/api/v1/customer-imports/", {"file": _file("k.pdf", "%PDF")})
    assert response.status_code == 422
    assert [(error["loc"], error["msg"]) for error in response.json()["detail"]] == [
        (["file"], "Please upload a CSV or Excel (.xlsx) file.")
    ]
    assert not CustomerImport.objects.exists()


def test_a_file_that_is_no_table_is_refused_by_the_task_with_the_reason(world, django_capture_on_commit_callbacks):
    client = api(world.r1)
    with django_capture_on_commit_callbacks(execute=True):
        upload = client.post("/api/v1/customer-imports/", {"file": _file("k.csv", "\x00\x01" * 10)})
    job = client.get(upload.json()["status_url"]).json()
    assert (job["status"], job["failure"]) == ("refused", "Row 1 of the file contains a null character.")


def _file(name, text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.mark.parametrize("body", ['"AAA"', '["title"]', "null", '{"title": 1}', '{"title": "T", "titel": "T"}'])
def test_a_todo_body_must_be_an_object_of_the_declared_fields(world, body):
    before = Todo.objects.count()
    response = api(world.r1).post(
        f"/api/v1/customers/{world.r1.customer.pk}/todos/", body, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"]
    assert Todo.objects.count() == before


def test_false_is_not_a_number_and_a_typo_is_not_ignored(world):
    client = api(world.r1)
    url = f"/api/v1/customers/{world.r1.plain_customer.pk}/"
    before = EndCustomer.objects.values().get(pk=world.r1.plain_customer.pk)
    assert client.patch(url, {"citty": "Bonn"}, content_type="application/json").status_code == 422
    todo_url = f"/api/v1/customers/{world.r1.customer.pk}/todos/"
    response = client.post(todo_url, {"title": "T", "assignee": False}, content_type="application/json")
    assert response.status_code == 422
    assert [item["loc"][-1] for item in response.json()["detail"]] == ["assignee"]
    assert EndCustomer.objects.values().get(pk=world.r1.plain_customer.pk) == before


@pytest.mark.parametrize("website", ["[", "]", "http://[x]/", "https://[::1/"])
def test_a_website_with_a_bracket_is_a_field_error(world, website):
    url = f"/api/v1/customers/{world.r1.plain_customer.pk}/"
    response = api(world.r1).patch(url, {"website": website}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"] == [{"loc": ["website"], "msg": "Enter a valid web address."}]
    assert EndCustomer.objects.get(pk=world.r1.plain_customer.pk).website == ""
