"""Settings for the test suite: the real settings, with tasks run immediately and fast hashing."""

import os

os.environ.setdefault("TASKS_BACKEND", "immediate")

from partnerportal.settings import *  # noqa: F403

# Password hashing is not what the suite tests; Argon2 would cost seconds per login.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TEST_OUTPUT_DIR = BASE_DIR / "test-output"  # noqa: F405
# Tests read English; tests/test_i18n.py checks that German is the real default
# and that the German catalogue is complete.
LANGUAGE_CODE = "en"
# Uploaded import files live until a task reads them; in memory, each test process keeps its own.
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}  # noqa: F405
