"""What every app's API shares: list exports and validation through the UI's own forms and filters.

An export endpoint gives the same file as the list page's "Exportieren" (``core.exports``): the table's
exportable columns over the restricted queryset, filtered by the list page's own query parameters and sorted
by its ``sort``; CSV streams, Excel is written in constant memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponseBase
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination
from pydantic import BaseModel, ConfigDict

from core import exports

if TYPE_CHECKING:
    import django_tables2 as tables
    from django.db.models import QuerySet
    from django_filters import FilterSet

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
    header, rows = exports.export_rows(table_class, queryset, kwargs)
    if query.format == "xlsx":
        return exports.xlsx_response(name, header, rows)
    return exports.csv_response(name, header, rows)
