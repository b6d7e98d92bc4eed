"""/metrics: for Prometheus with its bearer token only; request latency by view, failed mail, the task queue."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from core.mail import send_email
from core.tests.test_health import DATABASE_TASKS, closed_port, enqueue_mail

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-for-the-tests-0123456789"
ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(token=TOKEN) -> str:
    response = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert response.cookies == {}
    assert "no-store" in response["Cache-Control"]
    return response.content.decode()


def sample(body: str, name: str, **labels) -> float | None:
    """The value of ``name`` with exactly these labels in the exposition ``body``."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in body.splitlines():
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        if match and match[1] == name and (match[2] or "") == wanted:
            return float(match[3])
    return None


def test_without_a_token_configured_it_does_not_exist(settings):
    settings.METRICS_TOKEN = ""
    assert Client().get("/metrics").status_code == 404
    assert Client(HTTP_AUTHORIZATION="Bearer ").get("/metrics").status_code == 404


@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer wrong", f"Basic {TOKEN}", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}"]
)
def test_a_missing_or_wrong_token_is_refused(token, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = Client(**headers).get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"partnerportal_" not in response.content


def test_it_answers_only_get_and_head(token):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.head("/metrics").status_code == 200
    assert client.post("/metrics").status_code == 405


def test_request_latency_is_labelled_by_view_never_by_path(token):
    Client().get("/customers/")  # anonymous: redirected to the login page
    Client().get("/no-such-page/secret-looking-path/")
    body = scrape()
    assert (
        sample(
            body,
            "partnerportal_http_request_duration_seconds_count",
            view="customers:endcustomer_list",
            method="GET",
            status="3xx",
        )
        >= 1
    )
    assert (
        sample(
            body, "partnerportal_http_request_duration_seconds_count", view="<unresolved>", method="GET", status="4xx"
        )
        >= 1
    )
    assert "secret-looking-path" not in body
    assert "/customers/" not in body


def test_unusual_methods_share_one_label(token):
    Client().generic("PROPFIND", "/login/")
    body = scrape()
    assert (
        sample(
            body, "partnerportal_http_request_duration_seconds_count", view="users:login", method="other", status="4xx"
        )
        >= 1
    )
    assert 'method="PROPFIND"' not in body


def test_a_failed_mail_is_counted(token, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    before = REGISTRY.get_sample_value("partnerportal_mail_failures_total", {"server": "provider"}) or 0
    # The immediate backend of the tests runs every attempt at once: four, all refused.
    send_email.enqueue(subject="Fehlschlag", text="t", html="<p>t</p>", to=["x@example.test"])
    body = scrape()
    assert sample(body, "partnerportal_mail_failures_total", server="provider") == before + 4


def test_the_task_queue_is_read_at_scrape_time(token, settings):
    settings.TASKS = DATABASE_TASKS
    assert sample(scrape(), "partnerportal_task_queue_waiting", queue="default") == 0
    enqueue_mail()
    enqueue_mail()
    body = scrape()
    assert sample(body, "partnerportal_task_queue_up") == 1
    assert sample(body, "partnerportal_task_queue_waiting", queue="default") == 2
    assert sample(body, "partnerportal_task_queue_scheduled", queue="default") == 0
    assert sample(body, "partnerportal_task_queue_oldest_waiting_seconds", queue="default") < 600


def test_an_unreachable_queue_is_reported_not_an_error(token, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": []}}
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{closed_port()}/2"}}
    body = scrape()
    assert sample(body, "partnerportal_task_queue_up") == 0
    assert "partnerportal_task_queue_waiting" not in body


def test_a_request_whose_error_page_fails_too_is_counted_as_a_server_error(token, settings, monkeypatch):
    from core import metrics

    def broken():
        raise RuntimeError("the registry broke")

    monkeypatch.setattr(metrics, "scrape_registry", broken)
    # The exception leaves Django as when the error page itself fails; the server answers 500.
    settings.DEBUG_PROPAGATE_EXCEPTIONS = True
    labels = {"view": "metrics", "method": "GET", "status": "5xx"}
    before = REGISTRY.get_sample_value("partnerportal_http_request_duration_seconds_count", labels) or 0
    with pytest.raises(RuntimeError):
        Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/metrics")
    assert REGISTRY.get_sample_value("partnerportal_http_request_duration_seconds_count", labels) == before + 1


def test_in_multiprocess_mode_a_scrape_adds_up_every_process(tmp_path):
    """As under gunicorn with several workers: each process writes its values to PROMETHEUS_MULTIPROC_DIR, and the
    process that answers the scrape reads them all (and the queue, itself)."""
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "partnerportal.settings_test",
    }
    setup = "import django; django.setup(); "
    record = setup + (
        "from core.metrics import REQUEST_DURATION; "
        "REQUEST_DURATION.labels(view='users:login', method='GET', status='2xx').observe(0.1)"
    )
    scrape = setup + (
        "from prometheus_client import generate_latest; from core.metrics import scrape_registry; "
        "print(generate_latest(scrape_registry()).decode())"
    )

    def run(code: str) -> str:
        result = subprocess.run(  # noqa: S603 (our own interpreter with fixed arguments)
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120
        )
        return result.stdout

    run(record)
    run(record)
    body = run(scrape)
    count = "partnerportal_http_request_duration_seconds_count"
    assert sample(body, count, view="users:login", method="GET", status="2xx") == 2
    assert sample(body, "partnerportal_task_queue_up") == 1
