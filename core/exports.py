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
import gc
import io
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from itertools import islice

import django_tables2 as tables
import xlsxwriter
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

FORMATS = ("copy", "csv", "xlsx", "pdf")
CHUNK_SIZE = 2000
PAGED_ROW_LIMIT = 5000
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def neutralise(value):
    """Make a cell value safe for spreadsheets; non-strings pass through unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, datetime.datetime):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return neutralise(str(value))


# Columns whose exported value is the model value itself (dates formatted as the column says).
_PLAIN_COLUMNS = (tables.Column, tables.DateTimeColumn, tables.DateColumn)
_DATE_COLUMNS = (tables.DateTimeColumn, tables.DateColumn)


def _field_at(model, path: str):
    field = None
    for part in path.split("__"):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model
    return field


def _plain_reader(table, columns, queryset):
    """How to read every column straight from ``values_list``, or None when one needs the table's code.

    Going through django-tables2 costs a few hundred microseconds per cell; a
    plain read keeps a 100,000-row export near the cost of the query itself.
    """
    paths, converters = [], []
    for bound in columns:
        column = bound.column
        if type(column) not in _PLAIN_COLUMNS:
            return None
        if hasattr(table, f"render_{bound.name}") or hasattr(table, f"value_{bound.name}"):
            return None
        path = str(bound.accessor).replace(".", "__")
        if path in queryset.query.annotations:
            converters.append(_converter(column, queryset.query.annotations[path].output_field))
        else:
            field = _field_at(queryset.model, path)
            if field is None or field.is_relation:
                return None
            converters.append(_converter(column, field))
        paths.append(path)
    return paths, converters


def _text(value):
    """``_cell`` for a text column: the database gives ``str`` or None."""
    if value is None:
        return ""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _number(value):
    """``_cell`` for an integer, decimal or float column (never a bool: BooleanField is not one of them)."""
    return "" if value is None else value


_TEXT_FIELDS = (models.CharField, models.TextField)
_NUMBER_FIELDS = (models.IntegerField, models.DecimalField, models.FloatField)


def _converter(column, field):
    if field.choices:
        labels = dict(field.flatchoices)
        return lambda value: _cell(labels.get(value, value))
    # Most cells are text or numbers: a converter per type is a third of ``_cell``'s type checks.
    if isinstance(field, _TEXT_FIELDS):
        return _text
    if isinstance(field, _NUMBER_FIELDS):
        return _number
    # Dates export as date and time (or date), localised, whatever the column shows on screen.
    return _cell


def export_rows(table_class, queryset, table_kwargs=None) -> tuple[list[str], Iterator[list]]:
    """Header and a lazy iterator of rows of exportable, visible columns."""
    table_kwargs = table_kwargs or {}
    probe = table_class(queryset.none(), **table_kwargs)
    columns = [c for c in probe.columns if c.column.exclude_from_export is False and c.visible]
    header = [str(c.header) for c in columns]
    names = [c.name for c in columns]
    plain = _plain_reader(probe, columns, queryset)

    def plain_rows():
        paths, converters = plain
        for values in queryset.values_list(*paths).iterator(chunk_size=CHUNK_SIZE):
            yield [convert(value) for convert, value in zip(converters, values, strict=True)]

    # django-tables2 exports dates as ISO text; like the fast path, take the value and localise it.
    dates = {c.name: c.accessor for c in columns if isinstance(c.column, _DATE_COLUMNS)}

    def cell(row, name):
        if name in dates:
            return _cell(dates[name].resolve(row.record, quiet=True))
        return _cell(row.get_cell_value(name))

    def table_rows():
        records = queryset.iterator(chunk_size=CHUNK_SIZE)
        while chunk := list(islice(records, CHUNK_SIZE)):
            # The queryset is already in export order; a table must not re-sort each chunk.
            table = table_class(chunk, **{**table_kwargs, "order_by": ()})
            for row in table.rows:
                yield [cell(row, name) for name in names]
            # django-tables2 leaves reference cycles behind; collect them per chunk
            # so a long export keeps a flat memory profile.
            del table
            gc.collect()

    return header, plain_rows() if plain else table_rows()


def _delimited(header: list[str], rows: Iterable[list], delimiter: str) -> Iterator[str]:
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


def csv_response(filename: str, header, rows) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_delimited(header, rows, ";"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def copy_response(header, rows) -> StreamingHttpResponse:
    """Tab-separated text for the clipboard ("Kopieren")."""
    body = (line.lstrip("\ufeff") for line in _delimited(header, rows, "\t"))
    return StreamingHttpResponse(body, content_type="text/plain; charset=utf-8")


def xlsx_response(filename: str, header, rows) -> FileResponse:
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


def pdf_response(filename: str, title: str, header, rows, note: str = "") -> HttpResponse:
    """A landscape A4 table. ReportLab draws text only and fetches nothing."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("cell", fontSize=8, leading=10)

    def para(value):
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
