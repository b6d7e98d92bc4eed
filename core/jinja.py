"""The Jinja2 environment of the list tables' bodies (``core/jinja2/``)."""

import datetime

from django.templatetags.l10n import localize, unlocalize
from django.utils import timezone
from jinja2 import Environment


def as_django_writes(value):
    """``{{ value }}`` as Django's templates write it: aware datetimes in the current time zone, numbers and
    dates localised."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return localize(value)


def environment(**options) -> Environment:
    options.pop("autoescape", None)  # Django's backend turns it on; it stays on whatever the settings say
    env = Environment(autoescape=True, finalize=as_django_writes, **options)
    env.filters.update(localize=localize, unlocalize=unlocalize)
    return env
