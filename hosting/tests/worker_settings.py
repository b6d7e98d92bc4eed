"""Settings for the separate worker processes of the kill test and the provisioning benchmark.

The real settings with the database backend (or RQ, from ``TASKS_BACKEND``) and
short bounds, so that a killed worker's lease and a back-off run out in
seconds rather than minutes. Each bound can be set from the environment.
"""

import os

os.environ.setdefault("TASKS_BACKEND", "database")

from partnerportal.settings import *  # noqa: F403

# As in production: with DEBUG every statement is also formatted and kept in a log.
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PLESK_ALLOW_PRIVATE_HOSTS = True

HOSTING_LEASE_SECONDS = float(os.environ.get("HOSTING_LEASE_SECONDS", "3"))
HOSTING_BACKOFF_BASE = float(os.environ.get("HOSTING_BACKOFF_BASE", "0.2"))
HOSTING_BACKOFF_CAP = float(os.environ.get("HOSTING_BACKOFF_CAP", "2"))
HOSTING_MAX_ATTEMPTS = int(os.environ.get("HOSTING_MAX_ATTEMPTS", "100"))
_deadline = float(os.environ.get("HOSTING_PLESK_DEADLINE", "1.0"))
HOSTING_PLESK_CLIENT_OPTIONS = {"deadline": _deadline, "read_timeout": _deadline, "connect_timeout": _deadline}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
