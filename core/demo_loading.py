"""The demo data's registry: each app that has demo data gives a ``demo`` module with a ``load()``.

``manage.py load_demo`` calls them in ``INSTALLED_APPS`` order, which lists
every app after the apps it builds on, so core needs to know none of them.
Each ``load()`` is idempotent and returns the logins it made, as
``(username, description)`` pairs, all with ``DEMO_PASSWORD``.
"""

from collections.abc import Callable
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps

DEMO_PASSWORD = "demo"  # noqa: S105 (published in the README; load_demo refuses to run in production)

Loader = Callable[[], list[tuple[str, str]] | None]


def loaders() -> list[Loader]:
    found = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.demo"
        if find_spec(module_name) is not None:
            found.append(import_module(module_name).load)
    return found
