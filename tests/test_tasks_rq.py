"""The scale-out task backend: RQ on Redis, with a worker in another process (docs/operations.md)."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_reachable(), reason="Redis is not running on 127.0.0.1:6379")
def test_a_task_enqueued_with_the_rq_backend_runs_in_a_separate_worker(smtp_server, settings, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "partnerportal.settings",
        "TASKS_BACKEND": "rq",
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'rq.sqlite3'}",
        "EMAIL_URL": f"smtp://127.0.0.1:{settings.EMAIL_PORT}",
    }

    def manage(*args):
        result = subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    manage(
        "shell",
        "-c",
        "from core.mail import send_email; "
        "send_email.enqueue(subject='Über RQ', text='t', html='<p>h</p>', to=['rq@example.test'], account_id=None)",
    )
    assert smtp_server.messages == []  # nothing runs until a worker takes it
    manage("rqworker", "default", "--burst", "--job-class", "django_tasks_rq.backend.Job")
    [message] = smtp_server.messages
    assert message.rcpt_tos == ["rq@example.test"]
    assert "Subject: =?utf-8?q?=C3=9Cber_RQ?=" in message.content.decode()
