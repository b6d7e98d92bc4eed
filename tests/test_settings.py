import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_check(extra_env, *args):
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "ENCRYPTION_KEYS"}}
    env.update({"DJANGO_SETTINGS_MODULE": "partnerportal.settings", "PARTNERPORTAL_ENV": "production", **extra_env})
    return subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
        [sys.executable, "manage.py", "check", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check({"ALLOWED_HOSTS": "portal.example.com"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_the_development_encryption_key():
    result = run_check({"SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "portal.example.com"})
    assert result.returncode != 0
    assert "ENCRYPTION_KEYS" in result.stderr


def test_the_documented_production_settings_pass_the_deploy_check():
    from cryptography.fernet import Fernet

    result = run_check(
        {
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "portal.example.com",
            "SITE_URL": "https://portal.example.com",
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def database_session_of(command: str) -> tuple[str, str]:
    """``synchronous_commit`` and psycopg's ``prepare_threshold`` on the database connection of a process
    started as ``manage.py <command>``."""
    code = (
        f"import sys; sys.argv = ['manage.py', {command!r}]; import django; django.setup(); "
        "from django.db import connection; cursor = connection.cursor(); "
        "cursor.execute('SHOW synchronous_commit'); "
        "print(cursor.fetchone()[0], connection.connection.prepare_threshold)"
    )
    # The server's maintenance database: the test database of this run is not there yet in every case.
    server = urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "partnerportal.settings", "DATABASE_URL": urlunsplit(server)}
    result = subprocess.run(  # noqa: S603 (our own interpreter with a fixed script)
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return tuple(result.stdout.split())


@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="a PostgreSQL setting")
def test_task_workers_connect_like_web_processes_with_durable_commits():
    """What a task writes (timeline rows, audit entries, mails) survives a crash of the database server."""
    assert database_session_of("db_worker") == ("on", "None")
    assert database_session_of("rqworker") == ("on", "None")
    assert database_session_of("runserver") == ("on", "None")


def test_collectstatic_works_in_production(tmp_path):
    """The hashed file names of production rewrite every reference in CSS and JS; one to a file that is not
    there (a vendored library's source map) stops the deployment."""
    from cryptography.fernet import Fernet

    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "ENCRYPTION_KEYS"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "partnerportal.settings",
            "PARTNERPORTAL_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "portal.example.com",
            "SITE_URL": "https://portal.example.com",
            "STATIC_ROOT": str(tmp_path / "static"),
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    manifest = (tmp_path / "static" / "staticfiles.json").read_text()
    assert "vendor/bootstrap/bootstrap.min.css" in manifest


def test_production_refuses_to_start_without_the_main_hosts():
    from cryptography.fernet import Fernet

    keys = {"SECRET_KEY": secrets.token_urlsafe(64), "ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    result = run_check({**keys, "ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr
