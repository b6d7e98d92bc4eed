from typing import Any

from django import template

from core.access import refused_while_switched
from core.actor import Actor
from core.navigation import badge_for

register = template.Library()


@register.inclusion_tag("base/sidebar.html", takes_context=True)
def sidebar_menu(context: template.Context) -> dict[str, Any]:
    """The sidebar's groups of links from ``menu`` (``core.context_processors.portal``), the current page's marked,
    each with its badge's count (``core.navigation.BADGES``; 0: none)."""
    actor = context.get("actor")
    menu = [
        (label, [(item, badge_for(actor, item) if actor is not None else 0) for item in items])
        for label, items in context.get("menu") or ()
    ]
    return {"menu": menu, "request": context["request"]}


@register.filter
def may_open(actor: Actor | None, view_name: str) -> bool:
    """``{% if actor|may_open:"accounts:settings" %}``: whether a link to that page would not be refused."""
    return actor is not None and not refused_while_switched(actor, view_name, "GET")


@register.filter
def may_post(actor: Actor | None, view_name: str) -> bool:
    """``{% if actor|may_post:"accounts:membership_edit" %}``: whether a form sent to that page would not be refused."""
    return actor is not None and not refused_while_switched(actor, view_name, "POST")
