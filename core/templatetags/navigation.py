from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("base/sidebar.html", takes_context=True)
def sidebar_menu(context: template.Context) -> dict[str, Any]:
    """The sidebar's groups of links from ``menu`` (``core.context_processors.portal``), the current page's marked."""
    return {"menu": context.get("menu", ()), "request": context["request"]}
