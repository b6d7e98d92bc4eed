"""Resource usage on pages and in mails: the rows of what was read, amounts in the units people read."""

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext

from hosting import usage
from plesk.types import UNLIMITED

register = template.Library()


@register.simple_tag
def hosting_usage_rows(stored):
    """The rows of a hosting's stored usage; none before the first read (``stored`` is then empty)."""
    return usage.hosting_rows(stored) if stored else []


@register.simple_tag
def package_usage_rows(stored):
    return usage.package_rows(stored) if stored else []


@register.filter
def usage_amount(value, is_size):
    """An amount or limit: a size in KB/MB/GB, a count, "unlimited", or a dash when Plesk did not say."""
    if value is None or value == "":
        return "–"
    if value == UNLIMITED:
        return gettext("unlimited")
    return filesizeformat(value) if is_size else number_format(value)


@register.filter
def near_limit(peak):
    """Whether a hosting's highest share of a limit (``usage_peak``) deserves the mark."""
    return isinstance(peak, int) and peak >= usage.NEAR_LIMIT


@register.simple_tag
def near_limit_percent():
    """From which share a limit counts as nearly used up (the bars turn yellow)."""
    return usage.NEAR_LIMIT
