"""Customer import from CSV or Excel: parse, map columns, check every row, then create in batches.

Checking reads the account's existing customer numbers once and validates
rows in memory, so a batch costs a fixed number of queries; it keeps the
valid rows as normalised values. Creating writes those in batches of a fixed
number of statements, each batch committed with the import's progress.
"""

from __future__ import annotations

import bisect
import codecs
import csv
import functools
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from lxml import etree

from audit.models import AuditEntry
from audit.services import entry, record
from core import exports
from core.actor import Actor
from core.bulk import insert_rows
from customers.models import COUNTRIES, CustomerImport, EndCustomer, customer_label
from users.models import normalize_email

# A reseller moving from another system brings its whole customer base in one file (issue #22 asks for
# 100,000 rows). A worker holds the rows while it checks them: about 150 MB of Python objects at this limit.
MAX_ROWS = 100_000
# The mapping page offers every column in each of its dropdowns; real customer files have a dozen or two.
MAX_COLUMNS = 50
# 100,000 rows of a dozen columns are about 20 MB as CSV.
MAX_BYTES = 32 * 1024 * 1024
# An Excel file is compressed: 1 MB can unpack to gigabytes of XML.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_CELLS = (MAX_ROWS + 1) * MAX_COLUMNS
# Empty cells that only carry a format count too, and openpyxl parses a row whole.
MAX_ROW_CELLS = 1000
EXCEL_MAX_ROWS = 1048576
# What openpyxl keeps while it reads, in any namespace: cells, rows and shared strings.
COUNTED = ("{*}c", "{*}row", "{*}si")
# Rows a batch checks or imports; an imported batch commits with the progress. 5,000 rows a batch import no
# faster than 1,000 (docs/performance.md, "Import of 100,000 customers"), and the progress moves more often.
BATCH_SIZE = 1000
# Tries of a batch whose insert met a number taken meanwhile; more in a row means something else is wrong.
MAX_CONFLICTS = 3
# The language of every message a task keeps, so the reader reads it in theirs (``_in_every_language``).
NUMBER_TAKEN = gettext_lazy("You already have a customer with this customer number.")

FIELDS = [
    ("number", gettext_lazy("Customer number"), True),
    ("company", gettext_lazy("Company"), False),
    ("last_name", gettext_lazy("Last name"), True),
    ("first_name", gettext_lazy("First name"), True),
    ("street", gettext_lazy("Address"), True),
    ("postal_code", gettext_lazy("Postal code"), True),
    ("city", gettext_lazy("City"), True),
    ("country", gettext_lazy("Country"), False),
    ("phone", gettext_lazy("Phone"), True),
    ("mobile", gettext_lazy("Mobile"), True),
    ("email", gettext_lazy("E-mail"), True),
    ("website", gettext_lazy("Website"), False),
]
LABELS = {field: label for field, label, _required in FIELDS}
FIELD_NAMES = [field for field, _label, _required in FIELDS]

# Header names we recognise, German and English, lower-case without spaces or punctuation.
SYNONYMS = {
    "number": {"kundennummer", "kundennr", "customernumber", "number", "nummer", "nr"},
    "company": {"firma", "company", "unternehmen"},
    "last_name": {"nachname", "name", "lastname", "surname"},
    "first_name": {"vorname", "firstname"},
    "street": {"adresse", "strasse", "straße", "strassehausnummer", "straßehausnummer", "address", "street"},
    "postal_code": {"plz", "postleitzahl", "postalcode", "zip", "zipcode"},
    "city": {"ort", "stadt", "city", "town"},
    "country": {"land", "country"},
    "phone": {"telefon", "tel", "phone", "telephone"},
    "mobile": {"mobil", "handy", "mobile", "mobiltelefon"},
    "email": {"email", "mail", "emailadresse"},
    "website": {"webseite", "website", "homepage", "web", "url"},
}


@functools.cache
def country_codes() -> dict[str, str]:
    """A country's code by its code or its name in any UI language, as the list's export writes it."""
    codes = {code.casefold(): code for code, _name in COUNTRIES}
    for language, _language_name in settings.LANGUAGES:
        with translation.override(language):
            codes |= {str(name).casefold(): code for code, name in COUNTRIES}
    return codes


class ImportFileError(Exception):
    """Why a file cannot be imported. The message is translated when it is read, so a task can keep it in
    every language (``in_every_language``) and each reader reads it in theirs."""

    def __init__(self, message, params: dict | None = None):
        super().__init__(message)
        self.message = message
        self.params = params or {}

    def __str__(self) -> str:
        return str(self.message) % self.params

    def in_every_language(self) -> dict[str, str]:
        messages = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                messages[code] = str(self)
        return messages


def _key(header: str) -> str:
    return "".join(char for char in header.casefold() if char.isalnum() or char in "äöüß")


def check_upload(name: str, size: int) -> None:
    """What can be judged of an upload without reading it: its size and its kind (by the name's extension)."""
    if size > MAX_BYTES:
        raise ImportFileError(gettext_lazy("The file is larger than %(max)d MB."), {"max": MAX_BYTES // 1024 // 1024})
    if not name.lower().endswith((".xlsx", ".csv", ".txt")):
        raise ImportFileError(gettext_lazy("Please upload a CSV or Excel (.xlsx) file."))


def parse_upload(name: str, data: bytes) -> tuple[list[str], list[list[str]]]:
    """Header and rows (as strings) of an uploaded CSV or XLSX file, within the limits of rows and columns."""
    check_upload(name, len(data))
    rows = _bounded(_xlsx_rows(data) if name.lower().endswith(".xlsx") else _csv_rows(data))
    if len(rows) < 2:
        raise ImportFileError(gettext_lazy("The file has no rows below the header."))
    header = [cell.strip() for cell in rows[0]]
    width = len(header)
    return header, [(row + [""] * width)[:width] for row in rows[1:]]


def _bounded(rows: Iterable[list[str]]) -> list[list[str]]:
    """The rows that are not blank, without their empty cells after the last filled one; stops at the first row
    beyond ``MAX_ROWS`` or ``MAX_COLUMNS``, so a hostile file costs no more than a file at the limits."""
    kept: list[list[str]] = []
    for row in rows:
        width = len(row)
        while width and not row[width - 1].strip():
            width -= 1
        if not width:
            continue
        if width > MAX_COLUMNS:
            raise ImportFileError(gettext_lazy("The file has more than %(max)d columns."), {"max": MAX_COLUMNS})
        if len(kept) > MAX_ROWS:  # the header and MAX_ROWS rows are kept already
            raise ImportFileError(gettext_lazy("The file has more than %(max)d rows."), {"max": MAX_ROWS})
        if any("\x00" in cell for cell in row[:width]):
            # No field takes it (the model refuses it), and PostgreSQL cannot even keep it in the job's rows.
            raise ImportFileError(
                gettext_lazy("Row %(row)d of the file contains a null character."), {"row": len(kept) + 1}
            )
        kept.append(row[:width])
    return kept


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = _decoded(data)
    sample = text[:4096]
    delimiter = max(";,\t", key=sample.count)
    # newline="" leaves line endings to the reader, which takes CR-only (old Mac, some exporters) as well.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error as error:  # e.g. a field over the reader's 128 KiB limit
        raise ImportFileError(gettext_lazy("This CSV file cannot be read.")) from error


def _decoded(data: bytes) -> str:
    """The text of a CSV file: UTF-16 when it starts with a byte order mark (Excel's "Unicode text"),
    else UTF-8 (with or without its mark), else Windows-1252 (Excel's "CSV" on Windows)."""
    encodings = ("utf-16",) if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        gettext_lazy("The file's characters cannot be read. Save it as CSV UTF-8 and upload it again.")
    )


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    _check_xlsx_size(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.active
        # The size a sheet states is not trusted: openpyxl pads every row to it ("A1:XFD1" makes each row
        # 16,384 cells wide). Without it a row is as wide as its last cell.
        sheet.reset_dimensions()
    except Exception as error:  # openpyxl raises many kinds for a broken file; a chart sheet has no rows
        raise ImportFileError(gettext_lazy("This Excel file cannot be read.")) from error
    try:
        for row in sheet.iter_rows(values_only=True):
            yield ["" if value is None else str(value) for value in row]
    finally:
        workbook.close()


def _check_xlsx_size(data: bytes) -> None:
    """Refuse a workbook that unpacks, or parses, beyond the limits before openpyxl reads any of it.

    openpyxl holds a whole row while it parses it (about 300 bytes a cell, empty ones too) and every shared
    string, so the cells, the cells of a row and the strings are counted first, streaming and in bounded
    memory, in every part of the archive (a sheet may be stored under any name). Counting stops at the
    first limit. A part that is no XML ends its count; openpyxl then judges it.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportFileError(gettext_lazy("This Excel file cannot be read.")) from error
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            gettext_lazy("The Excel file unpacks to more than %(max)d MB."), {"max": MAX_UNPACKED_BYTES // 1024 // 1024}
        )
    cells = strings = rows = 0
    for member in members:
        row_cells = 0
        try:
            with archive.open(member) as part:
                for _event, element in etree.iterparse(part, tag=COUNTED, resolve_entities=False, no_network=True):
                    name = element.tag.rpartition("}")[2]
                    if name == "c":
                        # Cells stay in the tree until their row ends: at most MAX_ROW_CELLS of them.
                        cells += 1
                        row_cells += 1
                        if row_cells > MAX_ROW_CELLS:
                            raise ImportFileError(
                                gettext_lazy("A row of the file has more than %(max)d cells."), {"max": MAX_ROW_CELLS}
                            )
                        continue
                    if name == "row":
                        rows += 1
                        row_cells = 0
                        _check_row_number(element.get("r"))
                    else:
                        strings += 1
                    if cells > MAX_CELLS or strings > MAX_CELLS:
                        raise ImportFileError(gettext_lazy("The file has more than %(max)d cells."), {"max": MAX_CELLS})
                    if rows > MAX_ROWS + 1:
                        raise ImportFileError(gettext_lazy("The file has more than %(max)d rows."), {"max": MAX_ROWS})
                    # What is counted is dropped, so a part of any size is scanned in the memory of one row.
                    element.clear()
                    while element.getprevious() is not None:
                        del element.getparent()[0]
        except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError):
            continue


def _check_row_number(number: str | None) -> None:
    """openpyxl yields an empty row for each number a row skips: a row numbered 10**12 would never end."""
    if number is not None and not (number.isdigit() and int(number) <= EXCEL_MAX_ROWS):
        raise ImportFileError(gettext_lazy("This Excel file cannot be read."))


def read(job: CustomerImport) -> None:
    """Read the job's file within every limit: its rows and a guessed mapping, or why it is refused. The file is
    deleted either way; the rows are what the import keeps.

    A task runs this for the job (its service checked the actor).
    """
    try:
        with job.source.open("rb") as source:
            data = source.read(MAX_BYTES + 1)
        header, rows = parse_upload(job.file_name, data)
    except ImportFileError as error:
        job.status, job.refusal = CustomerImport.Status.REFUSED, error.in_every_language()
    else:
        job.header, job.rows, job.row_count, job.mapping = header, rows, len(rows), guess_mapping(header)
        job.status = CustomerImport.Status.UPLOADED
    finally:
        job.source.delete(save=False)
    job.save(update_fields=["status", "refusal", "header", "rows", "row_count", "mapping", "source"])


def guess_mapping(header: list[str]) -> dict[str, int | None]:
    keys = [_key(column) for column in header]
    mapping = {}
    for field, _label, _required in FIELDS:
        mapping[field] = next((index for index, key in enumerate(keys) if key in SYNONYMS[field]), None)
    return mapping


def mapped(row: list[str], mapping: dict) -> dict[str, str]:
    values = {}
    for field, _label, _required in FIELDS:
        index = mapping.get(field)
        # A cell our export neutralised ("'+49 30 …") reads back as it was.
        values[field] = exports.restore(row[index].strip()) if index is not None and index < len(row) else ""
    country = values.get("country", "")
    values["country"] = country_codes().get(country.casefold(), country.upper()) if country else "DE"
    return values


def _localised(message: str | dict[str, str]) -> str:
    """A message kept in every language, in the reader's (a message of an older job is a text of its day)."""
    if not isinstance(message, dict):
        return message
    return message.get((get_language() or settings.LANGUAGE_CODE)[:2]) or next(iter(message.values()), "")


def localised_errors(errors: list[dict]) -> list[dict]:
    """``errors`` as ``check`` stores them, each message in the reader's language (``check`` keeps one per language;
    an import checked before that kept only the text of its day)."""
    return [{**error, "message": _localised(error["message"])} for error in errors]


def refusal(job: CustomerImport) -> str:
    """Why the job's file was refused, in the reader's language; empty for a file that was read."""
    return _localised(job.refusal) if job.refusal else ""


def labelled_errors(errors: list[dict]) -> list[dict]:
    """``localised_errors``, with each field's label in the reader's language instead of its name."""
    return [{**error, "field": LABELS.get(error["field"], "")} for error in localised_errors(errors)]


def described_errors(job: CustomerImport, limit: int) -> list[dict]:
    """The first ``limit`` errors, labelled (``labelled_errors``), each with its row's customer number."""
    errors = labelled_errors(job.errors[:limit])
    return [{**error, "number": mapped(job.rows[error["row"] - 2], job.mapping)["number"]} for error in errors]


def skipped_rows(job: CustomerImport) -> tuple[list[str], Iterator[list[str | int]]]:
    """The rows with errors as the file had them, then their row number and errors in the reader's language.

    A file to correct and upload again: its added columns map to no field.
    """
    problems: dict[int, list[str]] = {}
    for error in labelled_errors(job.errors):
        text = f"{error['field']}: {error['message']}" if error["field"] else error["message"]
        problems.setdefault(error["row"], []).append(text)
    width = len(job.header)
    header = [*job.header, _("Row"), _("Errors")]
    rows = (
        [*(job.rows[line - 2] + [""] * width)[:width], line, "; ".join(texts)]
        for line, texts in sorted(problems.items())
    )
    return header, rows


def build_customer(account, values: dict[str, str]) -> EndCustomer:
    """A customer of one row, validated as the form validates it: the model's field validators and ``clean``
    (control characters, postal code, phone, website), and the e-mail address in the form's canonical form."""
    customer = EndCustomer(account=account, **{**values, "email": normalize_email(values["email"])})
    customer.full_clean(exclude=["account"], validate_constraints=False)
    return customer


def _row_errors(account, values: dict[str, str], number_taken: bool, first_row: int | None) -> list[tuple[str, str]]:
    """(field, message) of everything wrong with one row, in the active language."""
    return _checked_row(account, values, number_taken, first_row)[1]


def _checked_row(
    account, values: dict[str, str], number_taken: bool, first_row: int | None
) -> tuple[EndCustomer | None, list[tuple[str, str]]]:
    """The row's customer, validated and normalised, or None; and (field, message) of everything wrong with it,
    in the active language."""
    customer, row_errors = None, []
    try:
        customer = build_customer(account, values)
    except ValidationError as error:
        row_errors = [(field, " ".join(messages)) for field, messages in error.message_dict.items()]
    if number_taken:
        row_errors.append(("number", str(NUMBER_TAKEN)))
    elif first_row is not None:
        row_errors.append(("number", _("The same customer number is in row %(row)d.") % {"row": first_row}))
    return (None if row_errors else customer), row_errors


def _in_every_language(check_row: Callable[[], list[tuple[str, str]]]) -> list[dict]:
    """The row's errors with each message in every language of the portal: whoever reads them, in whatever
    language, reads them in theirs, while the check runs once for the job in the worker's own language."""
    messages: dict[str, list[tuple[str, str]]] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            messages[code] = check_row()
    fields = [field for field, _message in next(iter(messages.values()))]
    return [
        {"field": field, "message": {code: messages[code][index][1] for code in messages}}
        for index, field in enumerate(fields)
    ]


def check(job: CustomerImport) -> None:
    """Validate every row, recording per-row errors and progress after each batch.

    A task runs this for the job's account (its service checked the actor), so it reads that account's numbers.
    """
    numbers = EndCustomer.objects.filter(account=job.account)  # unrestricted: the job's account, see above
    existing = {number.casefold() for number in numbers.values_list("number", flat=True)}
    seen: dict[str, int] = {}
    errors: list[dict] = []
    cleaned: list[list[int | str]] = []
    job.row_count = len(job.rows)
    for start in range(0, job.total, BATCH_SIZE):
        for offset, row in enumerate(job.rows[start : start + BATCH_SIZE]):
            line = start + offset + 2  # row 1 is the header
            values = mapped(row, job.mapping)
            number = values["number"].casefold()
            taken = bool(number) and number in existing
            first = None if taken else seen.get(number)

            def check_row(values=values, taken=taken, first=first):
                return _row_errors(job.account, values, taken, first)

            # Most rows are valid: only a row that fails is checked again for its messages in every language.
            customer = _checked_row(job.account, values, taken, first)[0]
            if customer is not None:
                cleaned.append([line, *(getattr(customer, field) for field in FIELD_NAMES)])
            else:
                errors.extend({"row": line, **error} for error in _in_every_language(check_row))
            seen.setdefault(number, line)
        job.processed = min(start + BATCH_SIZE, job.total)
        CustomerImport.objects.filter(pk=job.pk).update(processed=job.processed)  # unrestricted: progress of this job
    job.errors, job.cleaned, job.valid_count = errors, cleaned, len(cleaned)
    job.status = CustomerImport.Status.VALIDATED
    job.save(update_fields=["errors", "cleaned", "valid_count", "status", "processed", "row_count"])


def run(job: CustomerImport, actor: Actor) -> int:
    """Create the customers of a checked import (``job.cleaned``), a batch per transaction; returns how many the
    import created.

    Each batch commits with the import's progress (``processed``: the file's rows done), so its page shows how far
    it is, and a second run of the task (after a worker stopped) goes on where the first stopped: the job's row
    is locked for each batch. A customer number taken since the check (by a user, or another import) makes its
    row an error row, skipped like the rows that failed the check. The service decided which rows are imported.
    """
    lines = [int(row[0]) for row in job.cleaned]
    errors = list(job.errors)
    conflicts = 0
    while True:
        with transaction.atomic():
            # unrestricted: the job, see above
            working = CustomerImport.objects.select_for_update().filter(pk=job.pk, status=job.Status.IMPORTING)
            processed = working.values_list("processed", flat=True).first()
            if processed is None:  # finished (or failed) meanwhile
                break
            # Row ``line`` of the file is done once ``processed`` reaches ``line - 1`` (row 1 is the header).
            start = bisect.bisect_right(lines, processed + 1)
            batch = job.cleaned[start : start + BATCH_SIZE]
            if not batch:
                job.created_count = _finish(job, actor)
                break
            try:
                with transaction.atomic():
                    created, taken = _create_batch(job, actor, batch, look_up=conflicts > 0)
            except IntegrityError:
                # A number taken since the check (or since the last look-up): the batch is tried again with one.
                conflicts += 1
                if conflicts > MAX_CONFLICTS:
                    raise
                continue
            conflicts = 0
            errors.extend({"row": line, **error} for line in taken for error in _number_taken())
            done = job.total if start + len(batch) == len(lines) else int(batch[-1][0]) - 1
            changes: dict = {"processed": done, "created_count": F("created_count") + created}
            if taken:
                changes["errors"] = errors
            working.update(**changes)
    return job.created_count


def _number_taken() -> list[dict]:
    return _in_every_language(lambda: [("number", str(NUMBER_TAKEN))])


def _finish(job: CustomerImport, actor: Actor) -> int:
    """Mark the job done and record the import (inside the transaction that holds the job's row)."""
    job.refresh_from_db(fields=["created_count", "errors"])
    job.status, job.processed = CustomerImport.Status.DONE, job.total
    job.save(update_fields=["status", "processed"])
    record(actor, AuditEntry.Action.IMPORT, job, changes={"created_count": [0, job.created_count]})
    return job.created_count


CUSTOMER_COLUMNS = ["account", *FIELD_NAMES, "created_at", "updated_at"]
LABEL_FIELDS = ("number", "company", "last_name", "first_name")
# What an audit entry of a created customer says besides the customer itself (``audit.services.entry``).
AUDIT_COLUMNS = [
    field.name
    for field in AuditEntry._meta.concrete_fields
    if not field.primary_key and field.name not in ("object_id", "object_repr")
]


def _create_batch(job: CustomerImport, actor: Actor, batch: list[list], *, look_up: bool) -> tuple[int, list[int]]:
    """Insert the batch's customers and an audit entry for each, in a fixed number of statements; returns how
    many were created and the rows whose number is taken.

    The check found every number free, so the numbers are looked up (``look_up``) only when the database's
    unique constraint refused the batch: a customer created since then.
    """
    taken_numbers: set[str] = set()
    if look_up:
        lowered = [str(row[1]).lower() for row in batch]
        existing = EndCustomer.objects.restrict(actor).annotate(lowered=Lower("number"))
        taken_numbers = set(existing.filter(lowered__in=lowered).values_list("lowered", flat=True))
    fresh = [row for row in batch if str(row[1]).lower() not in taken_numbers]
    taken = [int(row[0]) for row in batch if str(row[1]).lower() in taken_numbers]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    customers = [(job.account_id, *row[1:], now, now) for row in fresh]
    keys = insert_rows(EndCustomer, CUSTOMER_COLUMNS, customers, with_keys=True)
    # Every entry is the same but for the customer: one is prepared as the database keeps it, then repeated.
    template = entry(actor, AuditEntry.Action.CREATE, EndCustomer())
    values = [
        field.get_db_prep_save(field.pre_save(template, True), connection)
        for field in (AuditEntry._meta.get_field(name) for name in AUDIT_COLUMNS)
    ]
    number, company, last_name, first_name = (1 + FIELD_NAMES.index(name) for name in LABEL_FIELDS)
    audit_rows = [
        (*values, str(key), customer_label(row[number], row[company], row[last_name], row[first_name])[:200])
        for key, row in zip(keys, fresh, strict=True)
    ]
    insert_rows(AuditEntry, [*AUDIT_COLUMNS, "object_id", "object_repr"], audit_rows)
    return len(fresh), taken
