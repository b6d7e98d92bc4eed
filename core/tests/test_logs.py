"""Logs in production: one JSON object a line, naming the request, the user and the account, never a secret."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from conftest import api_client, login
from core.logs import REQUEST_ID_HEADER, ContextFilter, JsonFormatter
from core.mail import send_email
from core.tests.test_health import closed_port

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
PASSWORD = "Geheimes-Passwort-4711"


@pytest.fixture
def json_log():
    """The records of the test as the production handler writes them (``settings.LOGGING`` with LOG_FORMAT=json):
    a function that returns them, each line parsed."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root, requests = logging.getLogger(), logging.getLogger("partnerportal.request")
    levels = root.level, requests.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    requests.setLevel(logging.INFO)

    def lines():
        text = stream.getvalue()
        assert text.endswith("\n")
        return [json.loads(line) for line in text.splitlines()]

    lines.text = stream.getvalue
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        requests.setLevel(levels[1])


def request_lines(lines):
    return [line for line in lines if line["logger"] == "partnerportal.request"]


def test_every_line_of_a_request_names_request_user_and_account(world, json_log):
    client = login(Client(), world.r1.owner)
    response = client.get("/customers/")
    assert response.status_code == 200
    [line] = request_lines(json_log())
    assert line["request_id"] == response[REQUEST_ID_HEADER]
    assert line["user_id"] == world.r1.owner.pk
    assert line["account_id"] == world.r1.account.pk
    assert line["route"] == "customers:endcustomer_list"
    assert (line["method"], line["status"], line["level"]) == ("GET", 200, "INFO")
    assert set(line) >= {"timestamp", "message", "duration_ms"}


def test_a_valid_incoming_request_id_is_kept_any_other_replaced(json_log):
    kept = Client().get("/login/", HTTP_X_REQUEST_ID="lb-0123456789abcdef")
    assert kept[REQUEST_ID_HEADER] == "lb-0123456789abcdef"
    for bad in ("short", "x" * 65, "abc def ghi jkl", 'id"}{"level":"ERROR', "ok-id-but\nnewline"):
        replaced = Client().get("/login/", HTTP_X_REQUEST_ID=bad)
        assert replaced[REQUEST_ID_HEADER] != bad
        assert len(replaced[REQUEST_ID_HEADER]) == 32
    ids = [line["request_id"] for line in request_lines(json_log())]
    assert ids[0] == "lb-0123456789abcdef"
    assert len(set(ids)) == 6


def test_a_failed_login_logs_no_password(world, json_log):
    response = Client().post("/login/", {"username": world.r1.owner.username, "password": PASSWORD})
    assert response.status_code == 200
    lines = json_log()
    assert any(line["logger"].startswith("axes") for line in lines)  # the failure is logged ...
    assert all(line["request_id"] == response[REQUEST_ID_HEADER] for line in lines)
    assert PASSWORD not in json_log.text()  # ... without the password


def test_authorization_headers_and_session_ids_are_not_logged(world, json_log):
    client = api_client(world.r1)
    key = client.defaults["HTTP_AUTHORIZATION"].removeprefix("Bearer ")
    assert client.get("/api/v1/me/").status_code == 200
    assert Client(HTTP_AUTHORIZATION="Bearer not-a-valid-token-secret").get("/api/v1/me/").status_code == 401
    session_client = login(Client(), world.r1.owner)
    session_id = session_client.cookies["sessionid"].value
    session_client.get("/customers/?q=geheim-in-der-query")
    text = json_log.text()
    token_line, refused_line, session_line = request_lines(json_log())
    assert (token_line["user_id"], token_line["account_id"]) == (world.r1.owner.pk, world.r1.account.pk)
    assert (refused_line["status"], refused_line["user_id"]) == (401, None)
    assert session_line["user_id"] == world.r1.owner.pk
    for secret in (key, "not-a-valid-token-secret", session_id, "geheim-in-der-query"):
        assert secret not in text


def test_tokens_in_links_are_masked(json_log):
    token = "Einladungs-Token-Geheim-123"
    response = Client().get(f"/account/invitation/{token}/")
    assert response.status_code == 404
    lines = json_log()
    assert token not in json_log.text()
    assert "/account/invitation/[masked]/" in request_lines(lines)[0]["message"]
    assert any(line["message"] == "Not Found: /account/invitation/[masked]/" for line in lines)
    # Django logs the 404 after the middleware have returned: the line still names its request.
    assert {line["request_id"] for line in lines} == {response[REQUEST_ID_HEADER]}


def test_a_newline_in_what_is_logged_stays_inside_its_line(json_log):
    # %0A: a newline in the path once decoded (the client itself would drop a raw one, as browsers do).
    response = Client().get('/nothing-here%0A{"level": "CRITICAL", "message": "forged"}/')
    assert response.status_code == 404
    lines = json_log()
    assert not any(line["level"] == "CRITICAL" for line in lines)
    [line] = request_lines(lines)
    assert '\n{"level": "CRITICAL"' in line["message"]


def test_records_of_a_task_name_the_task(settings, json_log):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    send_email.enqueue(subject="Aufgabe", text="t", html="<p>t</p>", to=["x@example.test"])
    failures = [line for line in json_log() if line["logger"] == "core.mail"]
    assert failures
    assert {line["task_name"] for line in failures} == {"core.mail.send_email"}
    assert all(line["task_id"] for line in failures)


@pytest.mark.parametrize(
    ("environment", "json_lines"),
    [
        ({"PARTNERPORTAL_ENV": "production"}, True),
        ({"LOG_FORMAT": "json"}, True),
        ({}, False),
    ],
)
def test_production_logs_json_development_text(environment, json_lines):
    env = {key: value for key, value in os.environ.items() if key not in {"PARTNERPORTAL_ENV", "LOG_FORMAT"}}
    env.update({"DJANGO_SETTINGS_MODULE": "partnerportal.settings", **environment})
    if environment.get("PARTNERPORTAL_ENV") == "production":
        from cryptography.fernet import Fernet

        env.update(
            {"SECRET_KEY": "s" * 60, "ENCRYPTION_KEYS": Fernet.generate_key().decode(), "ALLOWED_HOSTS": "p.example"}
        )
    code = "import django, logging; django.setup(); logging.getLogger('x').warning('line one\\nline two')"
    result = subprocess.run(  # noqa: S603 (our own interpreter with fixed arguments)
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    if json_lines:
        [line] = result.stderr.splitlines()
        assert json.loads(line)["message"] == "line one\nline two"
    else:
        assert result.stderr == "WARNING x: line one\nline two\n"
