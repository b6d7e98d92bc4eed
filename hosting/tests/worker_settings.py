"""Settings for the separate worker processes of the kill test and the provisioning benchmark.

The real settings with the database backend (or RQ, from ``TASKS_BACKEND``) and
short bounds, so that a killed worker's lease and a back-off run out in
seconds rather than minutes, yet none that a busy machine would overrun.
Each bound can be set from the environment.
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

# As in production, an attempt (at most six calls, each within the deadline) ends well within the lease, so a
# worker that is merely slow on a busy machine keeps its job; a killed worker's job is free again after the lease.
HOSTING_LEASE_SECONDS = float(os.environ.get("HOSTING_LEASE_SECONDS", "40"))
HOSTING_BACKOFF_BASE = float(os.environ.get("HOSTING_BACKOFF_BASE", "0.2"))
HOSTING_BACKOFF_CAP = float(os.environ.get("HOSTING_BACKOFF_CAP", "2"))
HOSTING_MAX_ATTEMPTS = int(os.environ.get("HOSTING_MAX_ATTEMPTS", "100"))
# Far above a real answer's time on a busy machine; the kill test holds its "timeout" answers back far longer.
_deadline = float(os.environ.get("HOSTING_PLESK_DEADLINE", "5.0"))
HOSTING_PLESK_CLIENT_OPTIONS = {"deadline": _deadline, "read_timeout": _deadline, "connect_timeout": _deadline}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
