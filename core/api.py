"""What every app's API shares: list exports and validation through the UI's own forms and filters.

An export endpoint gives the same file as the list page's "Exportieren" (``core.exports``): the table's
exportable columns over the restricted queryset, filtered by the list page's own query parameters and sorted
by its ``sort``; CSV streams, Excel is written in constant memory and refused (422) above
``core.exports.XLSX_ROW_LIMIT`` rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination
from pydantic import BaseModel, ConfigDict

from core import exports

if TYPE_CHECKING:
    import django_tables2 as tables
    from django.db.models import QuerySet
    from django_filters import FilterSet
    from django_stubs_ext import StrOrPromise

FormT = TypeVar("FormT", bound=BaseForm)

MAX_LIMIT = 1000
MAX_OFFSET = 2**63 - 1  # the largest OFFSET SQLite and PostgreSQL take


class BodySchema(BaseModel):
    """The base of every request body (``…In``, ``…Patch``): a JSON object with exactly the declared fields.

    A plain pydantic model, not ninja's ``Schema``: that one reads attributes of any value, so the body
    ``"AAA"`` passed as a to-do titled ``"AAA".title()`` and ``"x"`` as an assignment to no one. Here a body
    that is not an object, an unknown field (a typo must not be ignored) and a value of the wrong JSON type
    (``false`` for an id, ``1`` for a text) are a 422. Types JSON has no literal for (dates, decimals,
    choices) opt out of strictness with ``Field(strict=False)`` and are parsed from their string form.
    """

    model_config = ConfigDict(extra="forbid", strict=True)


class ErrorOut(Schema):
    """The body of every error but a validation error: what went wrong, in the reader's language."""

    detail: str


class FieldErrorOut(Schema):
    loc: list[str | int]
    msg: str


class ValidationErrorOut(Schema):
    """A 422: one entry per problem; ``loc`` ends with the field's name (empty for the body as a whole)."""

    detail: list[FieldErrorOut]


class Pagination(LimitOffsetPagination):
    """Every list's ``limit`` and ``offset``, bounded so that any value the schema accepts is one the database
    takes (an offset beyond a signed 64-bit integer was a 500); outside the bounds is a 422."""

    class Input(Schema):
        limit: int = Field(ninja_settings.PAGINATION_PER_PAGE, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


class ExportQuery(Schema):
    """Filters are the list's own query parameters (the same as the list endpoint's and the list page's)."""

    format: Literal["csv", "xlsx"] = "csv"
    sort: str | None = None


def valid_form(form: FormT) -> FormT:
    """Validate with the UI's form, so the API names the same fields with the same messages."""
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form


def filtered(request: HttpRequest, filterset_class: type[FilterSet], queryset: QuerySet[Any]) -> QuerySet[Any]:
    """``queryset`` narrowed by the list's filters in the query string; a bad filter value is a 422."""
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.form.errors.as_data())
    return filterset.qs


def export_list(
    request: HttpRequest,
    query: ExportQuery,
    *,
    name: str,
    table_class: type[tables.Table],
    queryset: QuerySet[Any],
    table_kwargs: dict[str, Any] | None = None,
) -> HttpResponseBase:
    # CSV and Excel are data exports: they hold the table's export-only columns, as the page's do.
    kwargs = {"actor": request.actor, "data_export": True, **(table_kwargs or {})}  # type: ignore[attr-defined]
    if query.sort:
        kwargs["order_by"] = query.sort
    if query.format == "xlsx":
        refusal = exports.xlsx_refusal(queryset)
        if refusal is not None:
            raise ValidationError({"format": refusal})
    header, rows = exports.export_rows(table_class, queryset, kwargs)
    if query.format == "xlsx":
        return exports.xlsx_response(name, header, rows)
    return exports.csv_response(name, header, rows)


# What pydantic's checks of a body, query or path mean, in the reader's language (its own texts are English).
# A type not listed keeps pydantic's text; a ``value_error`` carries our own (already translated) message.
_TYPE_MESSAGES: dict[str, StrOrPromise] = {
    "missing": _("This field is required."),
    "extra_forbidden": _("This field is not known here."),
    "string_type": _("Enter text."),
    "int_type": _("Enter a whole number."),
    "int_parsing": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "bool_type": _("Enter true or false."),
    "bool_parsing": _("Enter true or false."),
    "float_type": _("Enter a number."),
    "float_parsing": _("Enter a number."),
    "decimal_type": _("Enter a number."),
    "decimal_parsing": _("Enter a number."),
    "dict_type": _("Send a JSON object."),
    "model_type": _("Send a JSON object."),
    "model_attributes_type": _("Send a JSON object."),
    "list_type": _("Send a list."),
    "json_invalid": _("The body is not valid JSON."),
    "date_type": _("Enter a valid date."),
    "date_parsing": _("Enter a valid date."),
    "date_from_datetime_parsing": _("Enter a valid date."),
    "datetime_type": _("Enter a valid date/time."),
    "datetime_parsing": _("Enter a valid date/time."),
    "string_too_long": _("Use at most %(max_length)s characters."),
    "string_too_short": _("Use at least %(min_length)s characters."),
    "greater_than_equal": _("Ensure this value is greater than or equal to %(ge)s."),
    "less_than_equal": _("Ensure this value is less than or equal to %(le)s."),
    "greater_than": _("Ensure this value is greater than %(gt)s."),
    "less_than": _("Ensure this value is less than %(lt)s."),
    "enum": _("Select one of: %(expected)s."),
    "literal_error": _("Select one of: %(expected)s."),
}


def translated_errors(errors: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Pydantic's error entries as ``{type, loc, msg}`` with ``msg`` in the active language."""
    detail = []
    for error in errors:
        message = _TYPE_MESSAGES.get(error.get("type", ""))
        context = error.get("ctx") or {}
        try:
            text = str(message) % context if message is not None else error.get("msg", "")
        except (KeyError, TypeError, ValueError):
            text = error.get("msg", "")
        detail.append({"type": error.get("type", ""), "loc": list(error.get("loc", [])), "msg": text})
    return detail
