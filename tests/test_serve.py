"""The production process set's own pieces (issue #22): `make serve`'s checks, its certificate, and the periodic
jobs as RQ runs them. `make serve` as a whole takes minutes on a busy machine (collectstatic compresses every
file); docs/operations.md and the issue's closing note say how it was run."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from cryptography import x509
from redis import Redis
from rq import Queue, SimpleWorker
from rq.cron import CronScheduler

from hosting import periodic

ROOT = Path(__file__).resolve().parent.parent
REDIS_DB = 1


def serve(**environment):
    return subprocess.run(  # noqa: S603 (our own script, no arguments)
        [ROOT / "scripts/serve.sh"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_refuses_to_start_without_a_database():
    result = serve()
    assert result.returncode == 2
    assert "serve: DATABASE_URL is required" in result.stderr


def test_serve_refuses_a_database_other_than_postgresql():
    result = serve(DATABASE_URL="sqlite:///var/other.sqlite3")
    assert result.returncode == 2
    assert "DATABASE_URL must be a PostgreSQL URL" in result.stderr


def make_certificate(directory, *names):
    cert, key = directory / "cert.pem", directory / "key.pem"
    script = [sys.executable, ROOT / "scripts/tls_cert.py", cert, key, *names]
    subprocess.run(script, check=True, timeout=60)  # noqa: S603 (our own script with fixed arguments)
    return cert, key


def test_the_certificate_covers_loopback_and_localhost_and_is_kept_for_later_starts(tmp_path):
    cert, key = make_certificate(tmp_path, "127.0.0.1", "localhost")
    names = x509.load_pem_x509_certificate(cert.read_bytes()).extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    assert [str(name.value) for name in names.value] == ["127.0.0.1", "localhost"]
    assert key.stat().st_mode & 0o777 == 0o600
    first = cert.read_bytes()
    make_certificate(tmp_path, "127.0.0.1", "localhost", "localhost")
    assert cert.read_bytes() == first
    make_certificate(tmp_path, "127.0.0.1", "localhost", "portal.test")
    assert cert.read_bytes() != first


def test_rq_cron_enqueues_the_three_periodic_jobs_on_their_own_queue():
    scheduler = CronScheduler(connection=Redis(db=REDIS_DB))
    scheduler.load_config_from_file("hosting.rq_cron")
    jobs = {job.func_name: (job.queue_name, job.interval, job.cron) for job in scheduler.get_jobs()}
    assert jobs == {
        "hosting.periodic.sweep_provisioning": ("periodic", 60, None),
        "hosting.periodic.sync_hostings": ("periodic", None, "7 * * * *"),
        "hosting.periodic.mail_usage_warnings": ("periodic", None, "30 6 * * *"),
    }


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_reachable(), reason="Redis is not running on 127.0.0.1:6379")
@pytest.mark.django_db
def test_a_periodic_job_runs_as_a_plain_rq_job_in_a_worker_without_django_tasks_job_class(capsys):
    connection = Redis(db=REDIS_DB)
    queue = Queue(f"periodic-test-{uuid.uuid4().hex}", connection=connection)
    job = queue.enqueue(periodic.sweep_provisioning)
    try:
        assert SimpleWorker([queue], connection=connection).work(burst=True)
        job.refresh()
        assert job.is_finished
        assert "0 provisioning job(s) enqueued again." in capsys.readouterr().out
    finally:
        job.delete()
        queue.delete()
