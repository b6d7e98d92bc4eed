"""The lint refuses private API outside tests (issue #16): ruff's SLF001 and PLC2701, as configured in pyproject.toml.

Each test lints a few lines as if they were a file at the given path, with the project's configuration.
"""

import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PRIVATE_API_RULES = {"SLF001", "PLC2701"}


def violations(source: str, path: str) -> list[str]:
    result = subprocess.run(  # noqa: S603 (our own interpreter running ruff with fixed arguments)
        [sys.executable, "-m", "ruff", "check", "--output-format=json", "--stdin-filename", path, "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=Path(settings.BASE_DIR),
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    # Only the private-API rules: the probes need not satisfy the rest of the lint.
    return [v["code"] for v in json.loads(result.stdout) if v["code"] in PRIVATE_API_RULES]


def test_a_private_attribute_of_a_django_object_fails():
    source = "def cached(request, queryset):\n    return request._cached_user, queryset._result_cache\n"
    assert violations(source, "core/probe.py") == ["SLF001", "SLF001"]


def test_a_private_name_imported_from_a_library_fails():
    source = "from django.db.models.query import _GLOBAL_CUSTOM\n\nprint(_GLOBAL_CUSTOM)\n"
    assert violations(source, "hosting/probe.py") == ["PLC2701"]


def test_a_private_name_imported_from_another_of_our_packages_fails():
    source = "from plesk.transport import _shared_transports\n\nprint(_shared_transports)\n"
    assert violations(source, "hosting/probe.py") == ["PLC2701"]


def test_djangos_documented_underscore_attributes_pass():
    source = "def names(obj):\n    return obj._meta, obj._default_manager, obj._base_manager, obj._state\n"
    assert violations(source, "core/probe.py") == []


def test_tests_may_reach_into_internals():
    source = "from plesk.transport import _shared_transports\n\nprint(_shared_transports, object()._x)\n"
    assert violations(source, "plesk/tests/test_probe.py") == []
    assert violations(source, "tests/test_probe.py") == []
