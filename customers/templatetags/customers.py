from django import template

from customers.validators import format_phone

register = template.Library()


@register.filter
def phone(value, country="DE"):
    """A stored E.164 number the way the customer's country writes it."""
    return format_phone(value, country)


@register.simple_tag(takes_context=True)
def customer_actions(context, customer):
    """The buttons other apps add to the customer's header (``customers.views.CUSTOMER_ACTIONS``)."""
    from customers.views import CUSTOMER_ACTIONS

    actor = context.get("actor")
    return CUSTOMER_ACTIONS.for_object(actor, customer) if actor is not None else []
