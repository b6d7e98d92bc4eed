import os
import secrets
import subprocess
import sys
from pathlib import Path

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
