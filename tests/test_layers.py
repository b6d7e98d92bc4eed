"""Layers (docs/architecture.md): an app does not import the apps above it.

Only the rules the code keeps today are checked here; the rest of the drawing is
import-linter's job once CI runs it.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

# app -> the apps of ours it must not import (its tests may).
FORBIDDEN = {
    "accounts": {"access"},
}


def imported_apps(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_does_not_import_the_apps_above_it(app):
    root = Path(settings.BASE_DIR) / app
    offending = {
        str(path.relative_to(settings.BASE_DIR)): sorted(imported_apps(path) & FORBIDDEN[app])
        for path in root.rglob("*.py")
        if "tests" not in path.relative_to(root).parts
    }
    assert {path: apps for path, apps in offending.items() if apps} == {}
