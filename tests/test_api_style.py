"""One style for the whole API: every path ends with a slash, like the portal's pages; bodies are strict."""

import re

import pytest

from partnerportal.api import api


def test_every_api_path_ends_with_a_slash():
    paths = api.get_openapi_schema()["paths"]
    assert len(paths) > 20
    assert [path for path in paths if not path.endswith("/")] == []


def _body_operations():
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                yield path, method, schema["components"]["schemas"][body["schema"]["$ref"].split("/")[-1]]


def test_every_json_body_is_an_object_of_exactly_its_declared_fields():
    bodies = list(_body_operations())
    assert len(bodies) > 15
    loose = [(path, method) for path, method, body in bodies if body.get("additionalProperties") is not False]
    assert loose == []


@pytest.mark.django_db
def test_a_body_that_is_not_a_json_object_is_a_422_everywhere(world):
    from conftest import api_client

    client = api_client(world.r1)
    # The body is read before the endpoint runs, so any id in the path will do.
    for path, method, _body in _body_operations():
        url = re.sub(r"\{\w+\}", str(world.r1.customer.pk), path)
        for body in ('"AAA"', "[]", "1", "null"):
            response = client.generic(method.upper(), url, body, content_type="application/json")
            assert response.status_code == 422, (method, url, body, response.status_code)


OUT_OF_BOUNDS = ("offset=99999999999999999999", "offset=-1", "limit=0", "limit=1001", "limit=99999999999999999999")


def _list_paths():
    for path, operations in api.get_openapi_schema()["paths"].items():
        parameters = {parameter["name"] for parameter in operations.get("get", {}).get("parameters", [])}
        if {"limit", "offset"} <= parameters:
            yield path


@pytest.mark.django_db
def test_every_list_bounds_limit_and_offset_with_a_422(world):
    from conftest import api_client

    client = api_client(world.r1)
    lists = [re.sub(r"\{\w+\}", str(world.r1.customer.pk), path) for path in _list_paths()]
    assert len(lists) >= 10
    for url in lists:
        for query in OUT_OF_BOUNDS:
            response = client.get(f"{url}?{query}")
            assert response.status_code == 422, (url, query, response.status_code)
            assert response.json()["detail"][0]["loc"][-1] == query.split("=")[0]
        response = client.get(f"{url}?offset={2**63 - 1}&limit=1000")
        assert response.status_code in {200, 404}, (url, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["POST", "PATCH", "DELETE"])
@pytest.mark.parametrize("authorization", ["Bearer pp_not-a-token", "Bearer nonsense", None])
def test_a_bad_or_missing_token_is_a_401_for_every_method(world, method, authorization):
    from django.test import Client

    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    client = Client(enforce_csrf_checks=True, **headers)
    url = f"/api/v1/customers/{world.r1.customer.pk}/" + ("todos/" if method == "POST" else "")
    response = client.generic(method, url, '{"title": "T", "city": "Bonn"}', content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated."}


@pytest.mark.django_db
def test_a_session_without_its_csrf_token_is_still_refused(world):
    from django.test import Client

    from conftest import login

    client = login(Client(enforce_csrf_checks=True), world.r1.owner)
    response = client.patch(
        f"/api/v1/customers/{world.r1.customer.pk}/", '{"city": "Bonn"}', content_type="application/json"
    )
    assert response.status_code == 403


ERRORS = dict.fromkeys((400, 401, 403, 404, 429), "ErrorOut") | {422: "ValidationErrorOut"}


def test_every_operation_documents_its_error_answers_with_their_body():
    schema = api.get_openapi_schema()
    assert schema["components"]["schemas"]["ErrorOut"]["required"] == ["detail"]
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, name in ERRORS.items():
                answer = operation["responses"].get(status, {})
                if answer.get("content", {}).get("application/json", {}).get("schema") != {
                    "$ref": f"#/components/schemas/{name}"
                }:
                    missing.append((method, path, status))
    assert missing == []
    assert "Retry-After" in schema["paths"]["/api/v1/service-access/"]["post"]["responses"][429]["headers"]


@pytest.mark.django_db
def test_the_error_answers_have_the_documented_body(world):
    from django.test import Client

    from conftest import api_client
    from core.api import ErrorOut, ValidationErrorOut

    client = api_client(world.r1)
    ErrorOut.model_validate(Client().get("/api/v1/customers/").json(), strict=True)
    ErrorOut.model_validate(api_client(world.r2).get(f"/api/v1/customers/{world.r1.customer.pk}/").json())
    for response in (
        client.get("/api/v1/customers/?limit=0"),
        client.post("/api/v1/customers/", '"AAA"', content_type="application/json"),
        client.post("/api/v1/customers/", {"number": "R1-1"}, content_type="application/json"),
    ):
        assert response.status_code == 422
        ValidationErrorOut.model_validate(response.json())


@pytest.mark.django_db
def test_the_checks_of_the_schema_answer_in_the_readers_language(world):
    from conftest import api_client

    client = api_client(world.r1)
    client.cookies["django_language"] = "de"
    url = f"/api/v1/customers/{world.r1.customer.pk}/"
    response = client.patch(url, {"city": 5, "colour": "red"}, content_type="application/json")
    assert response.status_code == 422
    messages = {error["loc"][-1]: error["msg"] for error in response.json()["detail"]}
    assert messages == {"city": "Bitte Text eingeben.", "colour": "Dieses Feld ist hier nicht bekannt."}
    response = client.get("/api/v1/customers/?limit=0")
    assert [error["msg"] for error in response.json()["detail"]] == [
        "Stellen Sie sicher, dass der Wert größer oder gleich 1 ist."
    ]
    client.cookies["django_language"] = "en"
    english = client.patch(url, {"city": 5}, content_type="application/json")
    assert english.json()["detail"][0]["msg"] == "Enter text."
