import django_tables2 as tables
from django.db import models
from django.template import Context
from django.template.base import render_value_in_context
from django.template.loader import get_template
from django.templatetags.l10n import localize, unlocalize
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.columns.manytomanycolumn import ManyToManyColumn
from django_tables2.data import TableQuerysetData
from django_tables2.utils import Accessor, signature


class ObjectTable(tables.Table):
    """Base of every list's table. Columns with ``exclude_from_export`` stay out of exports.

    ``core/table.html`` takes the body from ``html_rows``, which renders the
    cells with django-tables2's own column code but without its per-cell
    template, attribute and signature work.
    """

    class Meta:
        attrs = {"class": "table table-hover table-sm align-middle mb-0"}
        empty_text = _("No entries found.")
        order_by_field = "sort"
        page_field = "page"
        per_page_field = "per_page"

    def html_rows(self) -> list[str]:
        """The ``<tr>`` of every row of the current page, as the stock template would render them."""
        context = getattr(self, "context", None) or Context()
        cells = [_CellRenderer(self, bound, context) for bound in self.columns]
        # One format_html per row: every argument is escaped unless already safe.
        row_html = "<tr {}>" + "<td {}>{}</td>" * len(cells) + "</tr>"
        rows = []
        for row in self.paginated_rows:
            args = [row.attrs.as_html()]
            for cell in cells:
                args += cell.render(row)
            rows.append(format_html(row_html, *args))
        return rows


def _has_callable(attrs) -> bool:
    return any(callable(value) or (isinstance(value, dict) and _has_callable(value)) for value in attrs.values())


class _CellRenderer:
    """One column's ``<td>`` for any row: what ``BoundRow.get_cell`` and the stock template do, with the
    column's signature, ``<td>`` attributes and choices lookup worked out once per render instead of per cell.
    """

    def __init__(self, table, bound, context):
        self.table = table
        self.bound = bound
        self.column = bound.column
        self.context = context
        self.accessor = Accessor(bound.accessor)
        self.default = bound.default
        self.localize = bound.localize
        # Link columns with text and many-to-many columns have value rules of their own.
        self.stock = isinstance(self.column, (BaseLinkColumn, ManyToManyColumn))
        self.args, self.catch_all = signature(bound.render)
        dynamic = _has_callable(table.attrs) or _has_callable(self.column.attrs)
        self.td = None if dynamic else bound.attrs["td"].as_html()
        self.displays = {}  # record type -> whether the value is the field's get_FOO_display()

    def value(self, record):
        penultimate, remainder = self.accessor.penultimate(record)
        if isinstance(penultimate, models.Model):
            key = type(record)
            if key not in self.displays:
                field = self.accessor.get_field(record)
                self.displays[key] = bool(getattr(field, "choices", ())) and hasattr(
                    penultimate, f"get_{remainder}_display"
                )
            if self.displays[key]:
                return getattr(penultimate, f"get_{remainder}_display")()
        return self.accessor.resolve(record, quiet=True)

    def content(self, row):
        if self.stock:
            return row.get_cell(self.bound.name)
        record = row.record
        value = self.value(record)
        if value in self.column.empty_values:
            return self.default
        kwargs = {
            "value": value,
            "record": record,
            "column": self.column,
            "bound_column": self.bound,
            "bound_row": row,
            "table": self.table,
        }
        if self.catch_all:
            content = self.bound.render(**kwargs)
        elif all(arg in kwargs for arg in self.args):
            content = self.bound.render(**{arg: kwargs[arg] for arg in self.args})
        else:
            content = None
        return self.bound.link(content, **kwargs) if self.bound.link else content

    def render(self, row) -> tuple[str, str]:
        """The ``<td>`` attributes and the cell's HTML."""
        cell = self.content(row)
        td = self.td
        if td is None:
            self.bound.current_value, self.bound.current_record = cell, row.record
            td = self.bound.attrs["td"].as_html()
        if self.localize is not None:
            cell = localize(cell) if self.localize else unlocalize(cell)
        return td, render_value_in_context(cell, self.context)


class PageAnnotatedQuerysetData(TableQuerysetData):
    """Table data that computes the queryset's annotations for the shown page's rows only.

    A page is read in two queries: the primary keys of its rows from the
    queryset without its unused annotations (an annotation that filters or
    sorts stays in that query, so such pages are still right), then the
    annotated rows for those keys. PostgreSQL otherwise computes correlated
    subqueries for every row an ``OFFSET`` skips.
    """

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _PageRecords(self.data, key)
        return super().__getitem__(key)


class _PageRecords:
    """The records of one page, fetched when first iterated (django-tables2 may page a table twice)."""

    def __init__(self, queryset, key):
        self.queryset = queryset
        self.key = key

    @cached_property
    def records(self):
        pks = list(self.queryset.values_list("pk", flat=True)[self.key])
        if not pks:
            return []
        by_pk = {record.pk: record for record in self.queryset.order_by().filter(pk__in=pks)}
        return [by_pk[pk] for pk in pks]

    def __iter__(self):
        return iter(self.records)

    def __len__(self):
        return len(self.records)

    def __getitem__(self, index):
        return self.records[index]


class PageContextTemplateColumn(tables.TemplateColumn):
    """A template column rendered inside the page's already-built context.

    django-tables2 renders each cell with the request, which runs every
    context processor again for every row; the page context already holds
    what the cell needs (``actor``, ``perms_*``, ``csrf_token``).
    """

    def render(self, record, table, value, bound_column, **kwargs):
        parent = getattr(table, "context", None)
        if parent is None or not self.template_name:
            return super().render(record, table, value, bound_column, **kwargs)
        data = self.get_context_data(record=record, table=table, value=value, bound_column=bound_column, **kwargs)
        with parent.push(data):
            return self.compiled_template.render(parent)

    @cached_property
    def compiled_template(self):
        return get_template(self.template_name).template


class ActionsColumn(PageContextTemplateColumn):
    """The buttons at the end of a row; never exported, never sortable."""

    def __init__(self, template_name, **kwargs):
        kwargs.setdefault("verbose_name", _("Actions"))
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("exclude_from_export", True)
        kwargs.setdefault("attrs", {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}})
        super().__init__(template_name=template_name, **kwargs)
