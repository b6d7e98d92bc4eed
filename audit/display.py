"""How the audit trail reads: what entries store as codes, shown in the reader's language.

Entries store field names and plain values (``services.snapshot``), so one entry
reads right in German and in English. Here they become what the UI shows: the
fields' verbose names, choices' labels, yes/no, localised numbers and dates.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format, number_format
from django.utils.text import capfirst
from django.utils.translation import gettext

from core.tenancy import RoleRules

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

EMPTY = "–"


@dataclass(frozen=True)
class Reading:
    """How a recorded name that is no model field of its own reads: its label and its values (``value`` gets
    the recorded value, never ``None`` for the old value of a creation, which reads as nothing)."""

    label: StrOrPromise
    value: Callable[[Any], str]


# Readings of names a model records beside its fields (a hosting plan's limits, kept in one JSON field), by the
# model's label ("hosting.HostingPlan"). Apps above this one register theirs in ``AppConfig.ready``.
READINGS: dict[str, dict[str, Reading]] = {}


def register_readings(model_label: str, readings: Mapping[str, Reading]) -> None:
    READINGS.setdefault(model_label, {}).update(readings)


def registered_reading(model: type[models.Model] | None, name: str) -> Reading | None:
    return READINGS.get(model._meta.label, {}).get(name) if model is not None else None


def model_field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    """The concrete field ``name`` names on ``model`` (``user__username`` follows relations), or None."""
    field = None
    for part in name.split(LOOKUP_SEP):
        if model is None:
            return None
        try:
            found = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        if not isinstance(found, models.Field):  # a reverse relation: no column, no verbose name
            return None
        field, model = found, found.related_model if isinstance(found.related_model, type) else None
    return field


def field_label(field: models.Field[Any, Any] | None, name: str) -> str:
    """The field's verbose name, capitalised; the recorded name for a field the model no longer has."""
    return capfirst(str(field.verbose_name)) if field is not None else name


def field_value(field: models.Field[Any, Any] | None, value: Any) -> str:
    """A recorded value as the UI shows it: a choice's label, yes/no, a localised number or date."""
    if value is None or value == "":
        return EMPTY
    if field is not None and field.choices:
        labels = {str(key): label for key, label in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(field, (models.DecimalField, models.FloatField)):
        return _number(value, getattr(field, "decimal_places", None))
    if isinstance(value, (int, float)):
        return number_format(value, use_l10n=True)
    if isinstance(field, models.DateTimeField):
        return _moment(str(value))
    if isinstance(field, models.DateField):
        return _day(str(value))
    return str(value)


def _number(value: Any, decimal_places: int | None) -> str:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    # Grouped like the UI's amounts ("1.234,50"); integers stay ungrouped (ports, ids, counts).
    return number_format(number, decimal_pos=decimal_places, use_l10n=True, force_grouping=True)


def _moment(text: str) -> str:
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None:
        return text
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return date_format(moment, "SHORT_DATETIME_FORMAT")


def _day(text: str) -> str:
    try:
        day = parse_date(text)
    except ValueError:
        day = None
    return date_format(day, "SHORT_DATE_FORMAT") if day is not None else text


def action_label(model: type[models.Model] | None, action: str) -> str:
    """What doing ``action`` on ``model`` is called ("delete customers"), from the model's ``action_labels``."""
    if model is None:
        return action
    objects = str(model._meta.verbose_name_plural)
    labels = model.action_labels if issubclass(model, RoleRules) else {}
    label = labels.get(action)
    return str(label) % {"objects": objects} if label is not None else f"{objects}: {action}"
