"""/healthz: for load balancers, through the whole middleware stack, saying nothing secret."""

import json
import socket
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from core.mail import send_email

pytestmark = pytest.mark.django_db

REDIS = ("127.0.0.1", 6379)
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": []}}


def closed_port() -> int:
    """A loopback port nothing listens on: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


def enqueue_mail():
    return send_email.enqueue(subject="Warten", text="t", html="<p>t</p>", to=["queue@example.test"])


def test_it_answers_ok_with_every_check_and_sets_no_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "queue": "ok"},
        "oldest_waiting_task_seconds": 0,
    }
    assert response.cookies == {}
    assert "no-store" in response["Cache-Control"]


def test_it_needs_no_login_and_answers_only_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_a_refused_host_gets_what_every_page_gets():
    unknown = Client(HTTP_HOST="unknown.example")
    probe, page = unknown.get("/healthz"), unknown.get("/login/")
    assert probe.status_code == page.status_code == 400
    assert probe["Content-Type"] == page["Content-Type"] == "text/html; charset=utf-8"
    assert b"database" not in probe.content


def test_it_fails_when_the_cache_does_not_answer_and_names_nothing(settings, caplog):
    port = closed_port()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}/2"}
    }
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"] == {"database": "ok", "cache": "fail", "queue": "ok"}
    assert str(port) not in response.content.decode()
    assert "127.0.0.1" not in response.content.decode()
    # What failed is in the log instead.
    assert "healthz: the cache check failed" in caplog.text
    assert str(port) in caplog.text


def test_it_fails_when_the_queues_redis_does_not_answer(settings):
    port = closed_port()
    settings.TASKS = RQ_TASKS
    settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{port}/2"}}
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "checks": {"database": "ok", "cache": "ok", "queue": "fail"},
        "oldest_waiting_task_seconds": None,
    }
    assert str(port) not in response.content.decode()


def test_a_redis_that_accepts_but_never_answers_fails_the_probe_instead_of_holding_it(settings):
    # Without the probe's own socket timeouts the request would wait for an answer forever.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.TASKS = RQ_TASKS
        settings.RQ_QUEUES = {"default": {"URL": f"redis://127.0.0.1:{silent.getsockname()[1]}/2"}}
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"] == "fail"


def test_it_reports_the_oldest_waiting_task_of_the_database_backend_without_failing(settings):
    settings.TASKS = DATABASE_TASKS
    enqueue_mail()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=10))
    # A retry waiting for its time does not count: it is not late.
    later = enqueue_mail()
    DBTaskResult.objects.filter(pk=later.id).update(
        enqueued_at=timezone.now() - timedelta(hours=5), run_after=timezone.now() + timedelta(minutes=5)
    )
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["queue"] == "ok"
    assert 600 <= body["oldest_waiting_task_seconds"] < 3600


@pytest.mark.skipif(not redis_reachable(), reason="Redis is not running on 127.0.0.1:6379")
def test_it_reports_the_oldest_waiting_job_of_rq(settings):
    settings.TASKS = RQ_TASKS
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:6379/2"}}
    import django_rq

    queue = django_rq.get_queue("default")
    queue.empty()
    try:
        enqueue_mail()
        response = Client().get("/healthz")
        assert response.status_code == 200
        body = response.json()
        assert body["checks"] == {"database": "ok", "cache": "ok", "queue": "ok"}
        assert 0 <= body["oldest_waiting_task_seconds"] < 600
        assert queue.count == 1
    finally:
        queue.empty()


def test_the_answer_is_json_without_versions_or_hosts(client):
    content = client.get("/healthz").content.decode()
    assert set(json.loads(content)) == {"status", "checks", "oldest_waiting_task_seconds"}
