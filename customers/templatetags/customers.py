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


@register.inclusion_tag("customers/includes/tab_cards.html", takes_context=True)
def customer_tab_cards(context, customer, tab):
    """The cards other apps add below the customer's tab ``tab`` (``customers.views.CUSTOMER_TAB_CARDS``)."""
    from customers.views import CUSTOMER_TAB_CARDS

    actor = context.get("actor")
    cards = []
    if actor is not None:
        for card in CUSTOMER_TAB_CARDS:
            if card.tab == tab and (card_context := card.context(actor, customer)) is not None:
                cards.append((card.template_name, card_context))
    return {"cards": cards}
