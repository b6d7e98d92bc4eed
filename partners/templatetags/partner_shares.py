from typing import Any

from django import template

from partners import shares

register = template.Library()


@register.simple_tag
def sent_shares(actor: Any) -> list[Any]:
    """The access shares the actor's account sent (``{% sent_shares actor as shares %}``), the latest 20."""
    return list(shares.customer_shares(actor)[:20])
