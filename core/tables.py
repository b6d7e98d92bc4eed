from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db import models
    from django.utils.functional import Promise
    from django.utils.safestring import SafeString

    from core.actor import Actor
    from core.tenancy import TenantModel


class ObjectTable(tables.Table):
    """Base of every list's table, rendered by ``{% render_table %}`` with ``core/table.html``.

    Columns with ``exclude_from_export`` stay out of exports; columns named in
    ``export_only`` show only in data exports (``data_export``: copy, CSV,
    Excel), which is how resellers move their data, not on the page, in the
    PDF or in the print view. ``actor`` (the view passes it) decides which
    role-dependent buttons a row shows.
    """

    export_only: tuple[str, ...] = ()

    class Meta:
        attrs = {"class": "table table-hover table-sm align-middle mb-0"}
        empty_text = _("No entries found.")
        order_by_field = "sort"
        page_field = "page"
        per_page_field = "per_page"

    def __init__(self, *args: Any, actor: Actor | None = None, data_export: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        if not data_export:
            for name in self.export_only:
                self.columns.hide(name)


class DateTimeColumn(tables.DateTimeColumn):
    """Exports the value itself, which the export localises, instead of django-tables2's ISO text."""

    def value(self, value: object) -> object:
        return value


class DateColumn(tables.DateColumn):
    """Exports the value itself, which the export localises, instead of django-tables2's ISO text."""

    def value(self, value: object) -> object:
        return value


def _actions_column(kwargs: dict[str, Any]) -> dict[str, Any]:
    kwargs.setdefault("verbose_name", _("Actions"))
    kwargs.setdefault("orderable", False)
    kwargs.setdefault("exclude_from_export", True)
    kwargs.setdefault("attrs", {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}})
    return kwargs


class ActionsColumn(tables.TemplateColumn):
    """The buttons at the end of a row, from a template (for buttons that post forms); never exported, never
    sortable. The template sees the page's context (``actor``, ``perms_*``, ``csrf_token``) and ``record``."""

    def __init__(self, template_name: str, **kwargs: Any) -> None:
        super().__init__(template_name=template_name, **_actions_column(kwargs))


@dataclass(frozen=True)
class RowLink:
    """A button of a ``LinkActionsColumn``: a link to ``viewname`` with the row's primary key."""

    viewname: str
    label: Promise | str
    icon: str  # Bootstrap icon name
    style: str = "secondary"  # Bootstrap button variant
    # The action the actor's role must allow on the row's model; without an actor the button is left out.
    permission: str | None = None
    # Whether a row gets the button.
    condition: Callable[[models.Model], bool] | None = None

    def shown(self, record: TenantModel, actor: Actor | None) -> bool:
        if self.permission is not None and (actor is None or not actor.may(type(record), self.permission)):
            return False
        return self.condition is None or self.condition(record)


class LinkActionsColumn(tables.Column):
    """Link buttons at the end of a row; never exported, never sortable."""

    def __init__(self, *links: RowLink, **kwargs: Any) -> None:
        kwargs.setdefault("empty_values", ())
        super().__init__(**_actions_column(kwargs))
        self.links = links

    def render(self, record: TenantModel, table: ObjectTable) -> SafeString:
        return format_html_join(
            "\n",
            '<a class="btn btn-{} btn-sm" href="{}" title="{}" aria-label="{}"><i class="bi bi-{}"></i></a>',
            (
                (link.style, reverse(link.viewname, args=[record.pk]), link.label, link.label, link.icon)
                for link in self.links
                if link.shown(record, table.actor)
            ),
        )
