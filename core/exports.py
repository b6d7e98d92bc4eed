"""Export of any list: copy (TSV), CSV, Excel, PDF and a print view.

Every export renders the table's exportable columns over the same filtered,
restricted queryset the list shows. Rows are read in chunks with
``iterator()``; CSV streams, Excel writes in XlsxWriter's constant-memory
mode, so memory stays flat however long the list is.

Cells a spreadsheet would run as a formula are neutralised (OWASP CSV
injection; SECURITY-TESTS IV-04): a leading ``= + - @``, tab or CR, or their
full-width forms, gets a ``'`` prefix. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import datetime
import io
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import django_tables2 as tables
import xlsxwriter
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from core.tables import DateColumn, DateTimeColumn

if TYPE_CHECKING:
    from django.db.models import QuerySet

FORMATS = ("copy", "csv", "xlsx", "pdf")
# The formats data moves in: they hold a table's ``export_only`` columns too (``core.tables.ObjectTable``).
DATA_FORMATS = ("copy", "csv", "xlsx")
CHUNK_SIZE = 2000
PAGED_ROW_LIMIT = 5000
# Excel is written whole (to a temporary file, in constant memory) before the first byte goes out: 100,000
# customers took 19-21 s and made 10 MB here, a million took 219-225 s (docs/performance.md), holding a web
# worker for minutes with the user looking at nothing, past any proxy's timeout. CSV streams any length.
XLSX_ROW_LIMIT = 100_000
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# Columns whose export value is their accessor's value as it is (dates are localised like any other).
PLAIN_COLUMNS = (tables.Column, DateColumn, DateTimeColumn)

# What an exported cell holds: numbers stay numbers, everything else is text.
Cell: TypeAlias = str | int | float | Decimal
_V = TypeVar("_V")


def neutralise(value: _V) -> _V | str:
    """Make a cell value safe for spreadsheets; non-strings pass through unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def restore(value: str) -> str:
    """A cell ``neutralise`` quoted, as it was before: how an import reads back what an export wrote."""
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def _cell(value: object, default: object) -> Cell:
    """A value as a spreadsheet cell: numbers stay numbers, dates are localised, text is neutralised."""
    if value is None:
        value = "" if default is None else default
    if isinstance(value, str):  # most cells: checked first
        return neutralise(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return neutralise(str(value))


def cells(rows: Iterable[Iterable[object]]) -> Iterator[list[Cell]]:
    """Rows of plain values (not from a table) as export cells: text neutralised, numbers kept, lazily."""
    for row in rows:
        yield [_cell(value, "") for value in row]


def sorted_queryset(table: tables.Table, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """``queryset`` in ``table``'s order: each sorted column's ``order_by`` (its accessor unless it declares
    others), as django-tables2 sorts the page."""
    keys = []
    for alias in table.order_by or ():
        keys += [str(key).replace(".", "__") for key in table.columns[alias.lstrip("-")].order_by]
    return queryset.order_by(*keys) if keys else queryset


def _database_path(table: tables.Table, bound: tables.columns.BoundColumn, queryset: QuerySet[Any]) -> str | None:
    """Where a column's export value lies in the database, for a column that exports its accessor's value as
    it is (or, for a field with choices, its label: ``_choice_labels``): a plain column without
    ``value_<name>``/``render_<name>`` whose accessor names an annotation or a field that is no relation."""
    if type(bound.column) not in PLAIN_COLUMNS:
        return None
    if hasattr(table, f"value_{bound.name}") or hasattr(table, f"render_{bound.name}"):
        return None
    path = str(bound.accessor).replace(".", "__")
    try:
        queryset.values_list(path)
    except FieldError:
        return None  # a property or method of the record
    model = queryset.model
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return path  # an annotation of the queryset
        model = field.related_model
    return None if field.is_relation else path


def _choice_labels(queryset: QuerySet[Any], path: str) -> dict[Any, Any] | None:
    """The labels of the choices of the field at ``path`` (as django-tables2 exports them), or None."""
    model = queryset.model
    field = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None  # an annotation
        model = field.related_model
    return dict(field.flatchoices) if field is not None and field.choices else None


def export_rows(
    table_class: type[tables.Table], queryset: QuerySet[Any], table_kwargs: dict[str, Any] | None = None
) -> tuple[list[str], Iterator[list[Cell]]]:
    """Header and a lazy iterator of rows: the table's visible, exportable columns over ``queryset``, in the
    table's order (``table_kwargs["order_by"]``, else its default).

    Each column gives what django-tables2's ``Table.as_values()`` gives (``value_<name>``, the column's
    ``value()``, a choice's label), and the column's ``default`` where that is empty. When every column
    exports a database value as it is, those values are read with ``values_list`` instead: model instances
    and django-tables2's work per cell would cost a 100,000-row export many times its query.
    """
    # A request would page the table; this one only sorts.
    table_kwargs = {key: value for key, value in (table_kwargs or {}).items() if key != "request"}
    table = table_class(queryset.none(), **table_kwargs)
    columns = [c for c in table.columns if c.visible and not c.column.exclude_from_export]
    header = [str(c.header) for c in columns]
    defaults = [c.column.default for c in columns]
    queryset = sorted_queryset(table, queryset)
    paths = [_database_path(table, c, queryset) for c in columns]
    fields = [path for path in paths if path is not None]  # values() runs only when that is every path

    def values() -> Iterator[list[Cell]]:
        empty = [c.column.empty_values for c in columns]
        labels = [_choice_labels(queryset, path) or {} for path in fields]
        for row in queryset.values_list(*fields).iterator(chunk_size=CHUNK_SIZE):
            yield [
                _cell(None if value in blank else label.get(value, value), default)
                for value, blank, label, default in zip(row, empty, labels, defaults, strict=True)
            ]

    def table_values() -> Iterator[list[Cell]]:
        hidden = [c.name for c in table.columns.iterall() if not c.visible]
        records = queryset.iterator(chunk_size=CHUNK_SIZE)
        while chunk := list(islice(records, CHUNK_SIZE)):
            # The chunk is already in export order: its table must not sort it again.
            rows = table_class(chunk, **{**table_kwargs, "order_by": ()}).as_values(exclude_columns=hidden)
            next(rows)  # the header
            for row in rows:
                yield [_cell(value, default) for value, default in zip(row, defaults, strict=True)]

    return header, values() if paths and None not in paths else table_values()


def _delimited(header: list[str], rows: Iterable[list[Cell]], delimiter: str) -> Iterator[str]:
    # One string per chunk of rows, not per row: the response encodes and sends every string on its own.
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    yield "\ufeff"  # Excel reads UTF-8 CSV only with a BOM.
    writer.writerow(header)
    rows = iter(rows)
    while True:
        writer.writerows(islice(rows, CHUNK_SIZE))
        text = buffer.getvalue()
        if not text:
            return
        yield text
        buffer.seek(0)
        buffer.truncate()


def csv_response(filename: str, header: list[str], rows: Iterable[list[Cell]]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_delimited(header, rows, ";"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def copy_response(header: list[str], rows: Iterable[list[Cell]]) -> StreamingHttpResponse:
    """Tab-separated text for the clipboard ("Kopieren")."""
    body = (line.lstrip("\ufeff") for line in _delimited(header, rows, "\t"))
    return StreamingHttpResponse(body, content_type="text/plain; charset=utf-8")


def xlsx_refusal(queryset: QuerySet[Any]) -> str | None:
    """Why ``queryset`` is too long for an Excel export, in the reader's language; None when it is not."""
    if queryset.count() <= XLSX_ROW_LIMIT:
        return None
    message = _("Excel exports hold at most %(limit)s rows. Narrow the filter, or export to CSV.")
    return message % {"limit": number_format(XLSX_ROW_LIMIT, force_grouping=True)}


def xlsx_response(filename: str, header: list[str], rows: Iterable[list[Cell]]) -> FileResponse:
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook = xlsxwriter.Workbook(
        spool,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "in_memory": False},
    )
    sheet = workbook.add_worksheet()
    bold = workbook.add_format({"bold": True})
    for col, title in enumerate(header):
        sheet.write_string(0, col, title, bold)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, (int, float, Decimal)):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, value)
    workbook.close()
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def pdf_response(
    filename: str, title: str, header: list[str], rows: Iterable[list[Cell]], note: str = ""
) -> HttpResponse:
    """A landscape A4 table. ReportLab draws text only and fetches nothing."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("cell", fontSize=8, leading=10)

    def para(value: object) -> Paragraph:
        # Paragraph parses markup: escape so cell text is shown literally.
        return Paragraph(escape(str(value)), small)

    data = [[para(h) for h in header]] + [[para(v) for v in row] for row in rows]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(A4), title=title, leftMargin=28, rightMargin=28)
    table = LongTable(data, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#adb5bd")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story = [Paragraph(escape(title), styles["Heading2"])]
    if note:
        story.append(Paragraph(escape(note), styles["BodyText"]))
    doc.build([*story, table])
    response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response
