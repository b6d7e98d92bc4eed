"""The tabs and the action buttons of a detail page, which apps higher up can add to.

A page owned by one app (the customer, the contract) shows tabs that other
apps provide (the customer's domains come from ``contracts``, the contract's
hostings from ``hosting``), and buttons that lead to other apps' pages (the
customer's "+ Hosting-Bereich erstellen"). The owner declares its ``Tabs`` and
``Actions``; the other apps register theirs from ``AppConfig.ready()``, so the
owner never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from django.urls import reverse

from core.access import refused_while_switched

if TYPE_CHECKING:
    from django.db import models
    from django.utils.functional import Promise

    from core.actor import Actor


def _always(actor: Actor, obj: models.Model) -> bool:
    return True


@dataclass(frozen=True)
class Tab:
    url_name: str  # a URL that takes the object's primary key as ``pk``
    label: Promise | str
    # Whether the actor sees this tab on this object.
    visible: Callable[[Actor, Any], bool] = _always


class Tabs:
    def __init__(self, *tabs: Tab):
        self.tabs = list(tabs)

    def register(self, tab: Tab, *, after: str | None = None) -> None:
        """Add ``tab`` after the tab named ``after`` (default: at the end), once."""
        if any(existing.url_name == tab.url_name for existing in self.tabs):
            return
        names = [existing.url_name for existing in self.tabs]
        self.tabs.insert(names.index(after) + 1 if after in names else len(names), tab)

    def for_object(self, actor: Actor, obj: models.Model) -> list[tuple[str, Promise | str, str]]:
        """``(url, label, url name)`` of the tabs the actor sees on ``obj``; none when that is only one."""
        shown = [tab for tab in self.tabs if tab.visible(actor, obj)]
        if len(shown) < 2:
            return []
        return [(reverse(tab.url_name, kwargs={"pk": obj.pk}), tab.label, tab.url_name) for tab in shown]


@dataclass(frozen=True)
class Action:
    url_name: str  # a URL that takes the object's primary key as ``pk``
    label: Promise | str
    icon: str  # a Bootstrap icon's name, without "bi-"
    # Whether the actor may use it on this object: the page it leads to refuses it otherwise.
    visible: Callable[[Actor, Any], bool] = _always
    # "post": a button that posts (with CSRF) to the URL, for an action that changes something; ``confirm`` is
    # the question asked first, if any.
    method: str = "get"
    confirm: Promise | str = ""


class ShownAction(NamedTuple):
    url: str
    label: Promise | str
    icon: str
    method: str
    confirm: Promise | str


class Actions:
    def __init__(self) -> None:
        self.actions: list[Action] = []

    def register(self, action: Action) -> None:
        if all(existing.url_name != action.url_name for existing in self.actions):
            self.actions.append(action)

    def for_object(self, actor: Actor, obj: models.Model) -> list[ShownAction]:
        """``(url, label, icon, method, confirm)`` of the actions the actor may use on ``obj``, also while working
        in another account (service access refuses some pages)."""
        return [
            ShownAction(
                reverse(action.url_name, kwargs={"pk": obj.pk}),
                action.label,
                action.icon,
                action.method,
                action.confirm,
            )
            for action in self.actions
            if action.visible(actor, obj) and not refused_while_switched(actor, action.url_name, action.method.upper())
        ]
