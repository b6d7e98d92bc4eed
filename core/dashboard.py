"""The dashboard's figures, which the apps provide.

The dashboard belongs to ``accounts``, its figures to the apps that own the
data (customers and to-dos, hostings, service accesses). Each app registers its
panels from ``AppConfig.ready()``, as with ``core.tabs``, so neither core nor
``accounts`` imports them.

A panel shows to an actor by the same rules as the page it leads to: the
model's rule (``Actor.may``, which ``core.access.require_action`` applies in
the view) and the pages refused while working through service access. Its
``figures`` function answers with a fixed number of queries, whatever the size
of the account, and reads only through the tenant restriction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.urls import reverse

from core.access import refused_while_switched
from core.tenancy import VIEW

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from core.actor import Actor


@dataclass(frozen=True)
class Figure:
    label: Promise | str
    value: int
    url: str = ""  # the list behind the number, filtered to it
    tone: str = ""  # a Bootstrap colour for what needs attention ("danger")


@dataclass(frozen=True)
class Panel:
    key: str
    title: Promise | str
    url_name: str  # the page the panel's title leads to; the panel shows only where that page lets the actor in
    figures: Callable[[Actor], list[Figure]]
    # The model ("app_label.Model") whose ``view`` rule the page applies, if it has one.
    model: str | None = None
    # Where it stands: what a reseller looks at first comes first.
    order: int = 100

    def shown_to(self, actor: Actor) -> bool:
        if not actor.has_account:
            return False
        if refused_while_switched(actor, self.url_name):
            return False
        return self.model is None or actor.may(apps.get_model(self.model), VIEW)


@dataclass(frozen=True)
class ShownPanel:
    key: str
    title: Promise | str
    url: str
    figures: list[Figure]


class Dashboard:
    def __init__(self) -> None:
        self.panels: list[Panel] = []

    def register(self, panel: Panel) -> None:
        """Add ``panel``, once."""
        if all(existing.key != panel.key for existing in self.panels):
            self.panels.append(panel)
            self.panels.sort(key=lambda registered: registered.order)

    def for_actor(self, actor: Actor) -> list[ShownPanel]:
        """The panels the actor may see, in their order, with their figures."""
        return [
            ShownPanel(panel.key, panel.title, reverse(panel.url_name), panel.figures(actor))
            for panel in self.panels
            if panel.shown_to(actor)
        ]


DASHBOARD = Dashboard()
