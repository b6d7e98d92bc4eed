"""Tenant data is read only through the restriction, in every module that serves a request or does work.

The check reads the source of every module of our apps except models (which
define the managers), the operator admin (staff see every account), demo
loaders, migrations and tests: views, API endpoints, forms, filters, tables,
services, tasks, middleware, context processors, template tags and commands.
In them, every use of a tenant model's manager (``Model.objects``,
``_default_manager``, ``_base_manager``, also of a model from
``apps.get_model``) and every related manager that leads to tenant rows
(``customer.portal_users``) must

- call ``restrict`` (or ``none``, ``create``, ``bulk_create``) in the same
  expression, or
- be what it hands to the access helper (``access_queryset`` or
  ``access_object`` in ``core.access``), which restricts it.

A line that must read across accounts (authentication, a task acting for the
system, a check that spans every account by design) says why with
``# unrestricted: <reason>``. No function is exempt by its name.
"""

import ast
from pathlib import Path

from django.apps import apps
from django.conf import settings

from core.tenancy import TenantModel

SKIPPED_FILES = {"models.py", "admin.py", "demo.py", "apps.py", "conftest.py"}
SKIPPED_DIRS = {"migrations", "tests", "sandbox", ".venv"}
ALLOWED_CALLS = {"restrict", "none", "create", "bulk_create"}
ACCESS_HELPERS = {"access_queryset", "access_object"}
MANAGER_NAMES = {"objects", "_default_manager", "_base_manager"}
# What a related manager is used for; a plain attribute of the same name (a field, a list) is left alone.
QUERY_METHODS = {
    "all",
    "filter",
    "exclude",
    "get",
    "first",
    "last",
    "count",
    "exists",
    "select_related",
    "prefetch_related",
    "values",
    "values_list",
    "order_by",
    "annotate",
    "aggregate",
    "in_bulk",
    "iterator",
    "update",
    "delete",
    "select_for_update",
}
MARKER = "# unrestricted:"


def tenant_model_names() -> set[str]:
    return {model.__name__ for model in apps.get_models() if issubclass(model, TenantModel)}


def tenant_accessors() -> set[str]:
    """Names of the related managers that lead to tenant rows (``portal_users``, ``memberships``, …)."""
    names = set()
    for model in apps.get_models():
        for relation in model._meta.related_objects:
            if issubclass(relation.related_model, TenantModel) and relation.get_accessor_name():
                names.add(relation.get_accessor_name())
        for field in model._meta.many_to_many:
            if issubclass(field.related_model, TenantModel):
                names.add(field.name)
    return names


def checked_files() -> list[Path]:
    root = Path(settings.BASE_DIR)
    files = []
    for config in apps.get_app_configs():
        path = Path(config.path)
        if root not in path.parents or ".venv" in path.parts:
            continue
        for file in path.rglob("*.py"):
            relative = file.relative_to(root)
            if file.name in SKIPPED_FILES or SKIPPED_DIRS & set(relative.parts):
                continue
            files.append(file)
    files.extend((root / "partnerportal").glob("*.py"))
    return sorted(set(files))


def _is_manager_of_tenant_model(node: ast.Attribute, models: set[str]) -> bool:
    if node.attr not in MANAGER_NAMES:
        return False
    owner = node.value
    if isinstance(owner, ast.Name):
        return owner.id in models
    # apps.get_model(...)._default_manager: whatever model it names, it is read like any other.
    return isinstance(owner, ast.Call) and isinstance(owner.func, ast.Attribute) and owner.func.attr == "get_model"


def _is_related_manager_query(node: ast.Attribute, accessors: set[str], parents: dict) -> bool:
    if node.attr not in accessors:
        return False
    parent = parents.get(node)
    return isinstance(parent, ast.Attribute) and parent.attr in QUERY_METHODS


def _handed_to_access_helper(node: ast.AST, parents: dict) -> bool:
    """Whether the expression containing ``node`` is the source argument of an access helper call."""
    current = node
    while current in parents:
        parent = parents[current]
        if isinstance(parent, ast.Call) and current in parent.args[:1]:
            name = parent.func.id if isinstance(parent.func, ast.Name) else getattr(parent.func, "attr", None)
            if name in ACCESS_HELPERS:
                return True
        if isinstance(parent, ast.Call) and current in parent.args[1:2]:
            name = parent.func.id if isinstance(parent.func, ast.Name) else getattr(parent.func, "attr", None)
            if name in ACCESS_HELPERS:
                return True
        if not isinstance(parent, (ast.Attribute, ast.Call)):
            return False
        current = parent
    return False


def _has_reason(lines: list[str], lineno: int) -> bool:
    """``# unrestricted: <reason>`` at the end of the line, or as the comment line just above it."""
    candidates = [lines[lineno - 1]]
    if lineno >= 2 and lines[lineno - 2].strip().startswith("#"):
        candidates.append(lines[lineno - 2])
    for line in candidates:
        marked = line.split(MARKER, 1)
        if len(marked) == 2 and marked[1].strip():
            return True
    return False


def unrestricted_uses(source: str, models: set[str], accessors: set[str] = frozenset()) -> list[int]:
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    lines = source.splitlines()
    problems = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        if not (_is_manager_of_tenant_model(node, models) or _is_related_manager_query(node, accessors, parents)):
            continue
        if _has_reason(lines, node.lineno):
            continue
        chain, current = set(), node
        while isinstance(parents.get(current), (ast.Attribute, ast.Call)):
            current = parents[current]
            if isinstance(current, ast.Attribute):
                chain.add(current.attr)
        if chain & ALLOWED_CALLS:
            continue
        if _handed_to_access_helper(node, parents):
            continue
        problems.append(node.lineno)
    return problems


def test_the_checker_catches_an_unrestricted_query():
    source = "def view(request):\n    return Membership.objects.filter(pk=1)\n"
    assert unrestricted_uses(source, {"Membership"}) == [2]


def test_the_checker_catches_a_base_queryset_by_any_name():
    source = "class V:\n    def get_base_queryset(self):\n        return Membership.objects.select_related('user')\n"
    assert unrestricted_uses(source, {"Membership"}) == [3]


def test_the_checker_catches_related_managers_and_models_from_the_registry():
    source = (
        "def service(actor, customer):\n"
        "    users = customer.portal_users.all()\n"
        "    return apps.get_model('hosting.ResellerHosting')._default_manager.filter(end_customer=customer)\n"
    )
    assert unrestricted_uses(source, set(), {"portal_users"}) == [2, 3]


def test_the_checker_accepts_the_restriction_the_access_helper_and_a_reason():
    source = (
        "def view(request):\n"
        "    a = Membership.objects.select_related('user').restrict(request.actor)\n"
        "    b = access_queryset(request.actor, Membership.objects.select_related('user'))\n"
        "    c = access_object(request.actor, Membership.objects.select_for_update(), 1, CHANGE)\n"
        "    d = Membership.objects.create(account=request.actor.account)\n"
        "    e = Membership.objects.filter(pk=1)  # unrestricted: joining is what makes it visible\n"
        "    # unrestricted: the comment line above says why\n"
        "    f = Membership.objects.filter(pk=1)\n"
        "    g = Membership.objects.filter(pk=1)  # unrestricted:\n"
    )
    assert unrestricted_uses(source, {"Membership"}) == [9]


def test_no_module_reads_tenant_data_unrestricted():
    models = tenant_model_names()
    accessors = tenant_accessors()
    assert {"Membership", "EndCustomer"} <= models
    assert {"portal_users", "memberships"} <= accessors
    files = checked_files()
    names = {f.name for f in files}
    assert {"views.py", "api.py", "services.py", "tasks.py", "context_processors.py"} <= names
    offenders = [f"{path}:{line}" for path in files for line in unrestricted_uses(path.read_text(), models, accessors)]
    assert offenders == [], "Tenant data read without restrict() or the access helper:\n" + "\n".join(offenders)
