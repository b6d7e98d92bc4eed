from django import template

from customers.validators import format_phone

register = template.Library()


@register.filter
def phone(value, country="DE"):
    """A stored E.164 number the way the customer's country writes it."""
    return format_phone(value, country)
