"""Views, API endpoints, forms, filters and tables reach tenant data only through ``restrict``.

The check reads the source: every use of a tenant model's manager in those
modules must call ``restrict`` (or ``none``) in the same expression, or sit in
``get_base_queryset``, whose result the generic views restrict themselves. A
line that must read across accounts (authentication) says why with
``# unrestricted: <reason>``.
"""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

from core.tenancy import TenantModel

CHECKED_MODULES = ("views.py", "views_pages.py", "api.py", "forms.py", "filters.py", "tables.py")
ALLOWED_CALLS = {"restrict", "none"}
MANAGER_NAMES = {"objects", "_default_manager"}


def tenant_model_names() -> set[str]:
    return {model.__name__ for model in apps.get_models() if issubclass(model, TenantModel)}


def checked_files() -> list[Path]:
    root = Path(settings.BASE_DIR)
    files = []
    for config in apps.get_app_configs():
        path = Path(config.path)
        if root in path.parents and ".venv" not in path.parts:
            files.extend(p for p in path.rglob("*.py") if p.name in CHECKED_MODULES)
    files.extend(p for p in (root / "partnerportal").glob("*.py") if p.name in CHECKED_MODULES)
    return sorted(set(files))


def unrestricted_uses(source: str, models: set[str]) -> list[int]:
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    lines = source.splitlines()
    problems = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and node.attr in MANAGER_NAMES):
            continue
        if not (isinstance(node.value, ast.Name) and node.value.id in models):
            continue
        if "# unrestricted:" in lines[node.lineno - 1]:
            continue
        chain, current = set(), node
        while isinstance(parents.get(current), (ast.Attribute, ast.Call)):
            current = parents[current]
            if isinstance(current, ast.Attribute):
                chain.add(current.attr)
        if chain & ALLOWED_CALLS:
            continue
        function = node
        while function in parents and not isinstance(function, ast.FunctionDef):
            function = parents[function]
        if isinstance(function, ast.FunctionDef) and function.name == "get_base_queryset":
            continue
        problems.append(node.lineno)
    return problems


def test_the_checker_catches_an_unrestricted_query():
    source = "def view(request):\n    return Membership.objects.filter(pk=1)\n"
    assert unrestricted_uses(source, {"Membership"}) == [2]


def test_the_checker_accepts_restricted_and_base_querysets():
    source = (
        "def view(request):\n"
        "    return Membership.objects.select_related('user').restrict(request.actor)\n"
        "class V:\n"
        "    def get_base_queryset(self):\n"
        "        return Membership.objects.select_related('user')\n"
    )
    assert unrestricted_uses(source, {"Membership"}) == []


def test_no_view_api_form_filter_or_table_reads_tenant_data_unrestricted():
    models = tenant_model_names()
    assert "Membership" in models
    files = checked_files()
    assert any(f.name == "views.py" for f in files)
    offenders = [f"{path}:{line}" for path in files for line in unrestricted_uses(path.read_text(), models)]
    assert offenders == [], "Tenant data read without restrict():\n" + "\n".join(offenders)
