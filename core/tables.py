from collections.abc import Callable
from dataclasses import dataclass
from html import escape as escape_text

import django_tables2 as tables
from django.db import models
from django.template import Context
from django.template.base import render_value_in_context
from django.template.loader import get_template
from django.templatetags.l10n import localize, unlocalize
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise, cached_property
from django.utils.html import escape, format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.columns.manytomanycolumn import ManyToManyColumn
from django_tables2.data import TableQuerysetData
from django_tables2.templatetags.django_tables2 import table_page_range
from django_tables2.utils import Accessor, AttributeDict, signature


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
        """The ``<tr>`` of every row of the current page, as the stock template would render them.

        Each row is one ``format_html``: the cells give their markup as format
        strings and their values as arguments, so every value is escaped once.
        """
        context = getattr(self, "context", None) or Context()
        cells = [_CellRenderer(self, bound, context) for bound in self.columns]
        dynamic_rows = _has_callable(self.row_attrs)
        opening = {}  # even/odd class -> the static <tr>
        rows = []
        for row in self.paginated_rows:
            if dynamic_rows:
                markup, args = ["<tr {}>"], [row.attrs.as_html()]
            else:
                parity = row.get_even_odd_css_class()
                if parity not in opening:
                    opening[parity] = f"<tr {_braced(row.attrs.as_html())}>"
                markup, args = [opening[parity]], []
            for cell in cells:
                fragment, values = cell.content(row)
                if cell.td is None:
                    html = _format_html(fragment, values)
                    markup.append("<td {}>{}</td>")
                    args += (cell.dynamic_td(row, html), html)
                else:
                    markup += (cell.td, fragment, "</td>")
                    args += values
            markup.append("</tr>")
            rows.append(_format_html("".join(markup), args))
        return rows

    def header_row(self) -> SafeString:
        """The ``<th>`` of every column, with its sort link as ``{% querystring_replace %}`` writes it."""
        params = dict(self.request.GET)
        field = self.prefixed_order_by_field
        cells = []
        for bound in self.columns:
            attrs = self.column_attrs(bound)["th"].as_html()
            header = _escaped(bound.header)
            if bound.orderable:
                header = f'<a href="{_querystring(params, field, bound.order_by_alias.next)}">{header}</a>'
            cells.append(f'<th {attrs} scope="col">{header}</th>')
        return SafeString("\n".join(cells))

    def pagination_items(self) -> SafeString:
        """The pagination's ``<li>``: previous, the numbered pages (a gap as "…"), next."""
        params = dict(self.request.GET)
        field = self.prefixed_page_field
        page = self.page
        items = []
        if page.has_previous():
            link, label = _querystring(params, field, page.previous_page_number()), _escaped(_("Previous"))
            items.append(f'<li class="page-item"><a class="page-link" href="{link}">{label}</a></li>')
        for number in table_page_range(page, self.paginator):
            if number == "...":
                items.append('<li class="page-item"><span class="page-link">…</span></li>')
                continue
            active = " active" if number == page.number else ""
            link = _querystring(params, field, number)
            items.append(f'<li class="page-item{active}"><a class="page-link" href="{link}">{number}</a></li>')
        if page.has_next():
            link, label = _querystring(params, field, page.next_page_number()), _escaped(_("Next"))
            items.append(f'<li class="page-item"><a class="page-link" href="{link}">{label}</a></li>')
        return SafeString("\n".join(items))

    def column_attrs(self, bound) -> dict:
        """``bound.attrs`` (``th``, ``td``, ``tf``), computed once per table instead of on every access.

        Callables among them see no row here; cells with those compute theirs per row.
        """
        attrs = self.__dict__.setdefault("_column_attrs", {})
        if bound.name not in attrs:
            attrs[bound.name] = bound.attrs
        return attrs[bound.name]

    def url_for(self, viewname: str, kwarg: str | None = None) -> "PkUrl":
        """``reverse(viewname)`` for a row's primary key, reversed once for all rows of this table."""
        urls = self.__dict__.setdefault("_pk_urls", {})
        if (viewname, kwarg) not in urls:
            urls[viewname, kwarg] = PkUrl(viewname, kwarg)
        return urls[viewname, kwarg]


class PkUrl:
    """``reverse(viewname, args=[pk])`` (or ``kwargs={kwarg: pk}``) for many primary keys.

    The URL is reversed once for a placeholder and split there; an integer
    key is then put in as its digits. A second key checks that the path
    converter writes keys that way; where it does not, and for other keys,
    every call reverses.
    """

    PLACEHOLDER = 918273645

    def __init__(self, viewname: str, kwarg: str | None = None):
        self.viewname = viewname
        self.kwarg = kwarg
        self.head = self.tail = None
        try:
            head, found, tail = self.reverse(self.PLACEHOLDER).partition(str(self.PLACEHOLDER))
            if found and self.reverse(7) == f"{head}7{tail}":
                self.head, self.tail = head, tail
        except NoReverseMatch:
            pass  # then every row raises it, as the stock code does

    def reverse(self, pk) -> str:
        if self.kwarg:
            return reverse(self.viewname, kwargs={self.kwarg: pk})
        return reverse(self.viewname, args=[pk])

    def __call__(self, pk) -> str:
        if self.head is not None and type(pk) is int:
            return f"{self.head}{pk}{self.tail}"
        return self.reverse(pk)


def _escaped(value) -> str:
    """``conditional_escape(value)`` without the lazy-string wrapper of ``escape``, which cost a third of a
    page's cell rendering: markup (``__html__``) as it is, anything else as text, escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape_text(str(value))


def _format_html(format_string: str, args) -> SafeString:
    """``format_html(format_string, *args)``, with ``_escaped``."""
    return SafeString(format_string.format(*[_escaped(value) for value in args]))


def _querystring(params: dict, key: str, value) -> str:
    """What ``{% querystring_replace key=value %}`` writes for the request's ``dict(GET)``."""
    return escape("?" + urlencode({**params, key: value}, doseq=True))


def _has_callable(attrs) -> bool:
    return any(callable(value) or (isinstance(value, dict) and _has_callable(value)) for value in attrs.values())


def _braced(html: str) -> str:
    """``html`` as literal text of a ``format_html`` format string."""
    return html.replace("{", "{{").replace("}", "}}")


def _html_format(html: str, marker: str) -> str | None:
    """Markup rendered with ``marker`` in one place, as a format string with ``{}`` in that place."""
    before, found, after = html.partition(marker)
    if not found or marker in after:
        return None
    return f"{_braced(before)}{{}}{_braced(after)}"


def _resolve(accessor: Accessor, record):
    """``accessor.resolve(record, quiet=True)``, without its exception on the common path.

    django-tables2 first tries ``record[bit]``, which raises a ``TypeError``
    on every model instance before it falls back to the attribute.
    """
    if accessor.callable_args or accessor.callable_kwargs:
        return accessor.resolve(record, quiet=True)
    current = record
    for bit in accessor.bits:
        if not isinstance(current, models.Model) or hasattr(current, "__getitem__"):
            return accessor.resolve(record, quiet=True)
        try:
            current = getattr(current, bit)
        except Exception:
            return accessor.resolve(record, quiet=True)
        if callable(current):
            return accessor.resolve(record, quiet=True)
        if current is None:
            break
    return current


class _CellRenderer:
    """One column's cells for any row: what ``BoundRow.get_cell`` and the stock template do, with the
    column's signature, ``<td>`` attributes, link and choices lookup worked out once per render instead of
    per cell.
    """

    def __init__(self, table, bound, context):
        self.table = table
        self.bound = bound
        self.column = column = bound.column
        self.context = context
        self.accessor = Accessor(bound.accessor)
        self.empty_values = column.empty_values
        self.default = bound.default
        self.localize = bound.localize
        # Link columns with text and many-to-many columns have value rules of their own.
        self.stock = isinstance(column, (BaseLinkColumn, ManyToManyColumn))
        self.plain = getattr(bound.render, "__func__", None) is tables.Column.render  # returns the value as is
        self.args, self.catch_all = ((), None) if self.plain else signature(bound.render)
        dynamic = _has_callable(table.attrs) or _has_callable(column.attrs)
        self.td = None if dynamic else _braced(f"<td {table.column_attrs(bound)['td'].as_html()}>")
        self.displays = {}  # record type -> whether the field has choices (get_FOO_display())
        self.numbers = {}  # int -> as written on this page
        # A column with ``cell_markup(table)`` writes every cell of the page from the record alone.
        self.own = column.cell_markup(table) if hasattr(column, "cell_markup") else None
        self.checkbox = _checkbox_format(bound) if self.localize is None else None
        self.link = _PkLink.for_link(table, bound.link)

    def value(self, record):
        key = type(record)
        if key not in self.displays:
            self.displays[key] = bool(getattr(self.accessor.get_field(record), "choices", ()))
        if self.displays[key]:
            penultimate, remainder = self.accessor.penultimate(record)
            if isinstance(penultimate, models.Model) and hasattr(penultimate, f"get_{remainder}_display"):
                return getattr(penultimate, f"get_{remainder}_display")()
        return _resolve(self.accessor, record)

    def content(self, row) -> tuple[str, list]:
        """The cell's markup as a ``format_html`` format string, and its arguments."""
        record = row.record
        if self.own is not None:
            return self.own(record)
        if self.stock:
            cell = row.get_cell(self.bound.name)
        else:
            value = self.value(record)
            if value in self.empty_values:
                cell = self.default
            elif self.checkbox is not None:
                return self.checkbox, [value]
            elif self.plain and self.link is not None and self.localize is None:
                return self.link.markup, [self.link.url(record), value]
            else:
                cell = self.call_render(row, value)
        if self.localize is not None:
            cell = localize(cell) if self.localize else unlocalize(cell)
        # Text is escaped by format_html; anything else is first written as {{ … }} writes it.
        if isinstance(cell, str):
            return "{}", [cell]
        if type(cell) is int:  # counts repeat down a page, and localising a number is slow
            if cell not in self.numbers:
                self.numbers[cell] = render_value_in_context(cell, self.context)
            return "{}", [self.numbers[cell]]
        return "{}", [render_value_in_context(cell, self.context)]

    def call_render(self, row, value):
        if self.plain:
            content = value
        else:
            kwargs = self.kwargs(row, value)
            if self.catch_all:
                content = self.bound.render(**kwargs)
            elif all(arg in kwargs for arg in self.args):
                content = self.bound.render(**{arg: kwargs[arg] for arg in self.args})
            else:
                content = None
        if self.link is not None:
            return self.link(content, row.record)
        if self.bound.link:
            return self.bound.link(content, **self.kwargs(row, value))
        return content

    def kwargs(self, row, value) -> dict:
        return {
            "value": value,
            "record": row.record,
            "column": self.column,
            "bound_column": self.bound,
            "bound_row": row,
            "table": self.table,
        }

    def dynamic_td(self, row, content) -> str:
        """The ``<td>`` attributes computed for this cell."""
        self.bound.current_value, self.bound.current_record = content, row.record
        return self.bound.attrs["td"].as_html()


def _checkbox_format(bound) -> str | None:
    """A checkbox column's ``<input>`` as a format string for the value, when nothing else differs by row."""
    column = bound.column
    if not isinstance(column, tables.CheckBoxColumn) or bound.render != column.render or bound.link:
        return None
    if callable(column.checked) or _has_callable(column.attrs):
        return None
    marker = "\x00value\x00"
    return _html_format(column.render(value=marker, bound_column=bound, record=None), marker)


class _PkLink:
    """A ``linkify=(viewname, [A("pk")])`` link (or with ``{"pk": A("pk")}``) with the URL reversed once per page:
    the markup of django-tables2's ``LinkTransform``, as a format string for the URL and the content."""

    def __init__(self, url: PkUrl, accessor: Accessor, markup: str):
        self.pk_url = url
        self.accessor = accessor
        self.markup = markup

    @classmethod
    def for_link(cls, table, link) -> "_PkLink | None":
        if not link or link.url or _has_callable(link.attrs or {}):
            return None
        params = link.reverse_args
        args, kwargs = params.get("args") or [], params.get("kwargs") or {}
        if set(params) - {"viewname", "args", "kwargs"} or type(params.get("viewname")) is not str:
            return None
        if len(args) + len(kwargs) != 1:
            return None
        kwarg, accessor = next(iter(kwargs.items())) if kwargs else (None, args[0])
        marker = "\x00href\x00"
        attrs = AttributeDict({**(link.attrs or {}), "href": marker})
        tag = _html_format(format_html("<a {}>", attrs.as_html()), marker)
        if not isinstance(accessor, Accessor) or tag is None:
            return None
        return cls(table.url_for(params["viewname"], kwarg), accessor, f"{tag}{{}}</a>")

    def url(self, record) -> str:
        return self.pk_url(_resolve(self.accessor, record))

    def __call__(self, content, record) -> str:
        return format_html(self.markup, self.url(record), content)


class PageAnnotatedQuerysetData(TableQuerysetData):
    """Table data that computes the queryset's annotations for the shown page's rows only.

    A deep page is read in two queries: the primary keys of its rows from the
    queryset without its unused annotations (an annotation that filters or
    sorts stays in that query, so such pages are still right), then the
    annotated rows for those keys. PostgreSQL otherwise computes correlated
    subqueries for every row an ``OFFSET`` skips.
    """

    # Below this offset the database computes the annotations of the few skipped
    # rows faster than a second query would take: early pages are one query.
    SPLIT_FROM_OFFSET = 1000

    def __getitem__(self, key):
        if isinstance(key, slice) and (key.start or 0) >= self.SPLIT_FROM_OFFSET:
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


def _actions_column(kwargs: dict) -> dict:
    kwargs.setdefault("verbose_name", _("Actions"))
    kwargs.setdefault("orderable", False)
    kwargs.setdefault("exclude_from_export", True)
    kwargs.setdefault("attrs", {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}})
    return kwargs


class ActionsColumn(PageContextTemplateColumn):
    """The buttons at the end of a row, from a template (for buttons that post forms); never exported, never
    sortable. ``LinkActionsColumn`` is the cheaper choice for plain links."""

    def __init__(self, template_name, **kwargs):
        super().__init__(template_name=template_name, **_actions_column(kwargs))


@dataclass(frozen=True)
class RowLink:
    """A button of a ``LinkActionsColumn``: a link to ``viewname`` with the row's primary key."""

    viewname: str
    label: Promise | str
    icon: str  # Bootstrap icon name
    style: str = "secondary"  # Bootstrap button variant
    # The action the actor's role must allow on the table's model; without an actor the button is left out.
    permission: str | None = None
    # Whether a row gets the button.
    condition: Callable[[models.Model], bool] | None = None


class LinkActionsColumn(tables.Column):
    """The link buttons at the end of a row; never exported, never sortable.

    Each page translates the labels, checks the permissions and reverses the
    URLs once, so a row costs only its conditions.
    """

    def __init__(self, *links: RowLink, **kwargs):
        kwargs.setdefault("empty_values", ())
        super().__init__(**_actions_column(kwargs))
        self.links = links

    def cell_markup(self, table) -> Callable[[models.Model], tuple[str, list]]:
        """The cell of any record of ``table``, as a ``format_html`` format string and its arguments."""
        actor = getattr(getattr(table, "request", None), "actor", None)
        buttons = []
        for link in self.links:
            if link.permission and (actor is None or not actor.may(table._meta.model, link.permission)):
                continue
            marker = "\x00href\x00"
            html = format_html(
                '<a class="btn btn-{} btn-sm" href="{}" title="{}" aria-label="{}"><i class="bi bi-{}"></i></a>',
                link.style,
                marker,
                link.label,
                link.label,
                link.icon,
            )
            buttons.append((link.condition, table.url_for(link.viewname), _html_format(html, marker)))

        def markup(record) -> tuple[str, list]:
            shown = [(html, url) for condition, url, html in buttons if condition is None or condition(record)]
            return "\n".join(html for html, _url in shown), [url(record.pk) for _html, url in shown]

        return markup

    def render(self, record, table):
        markup, urls = self.cell_markup(table)(record)
        return format_html(markup, *urls)
