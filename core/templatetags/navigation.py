import functools

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html, format_html_join

register = template.Library()


@functools.cache
def _menu_url(url_name: str, script_prefix: str, urlconf) -> str:
    """``reverse(url_name)``: the menu's URLs take no arguments, so each is the same for a script prefix and
    URLconf. ``reverse`` reads the prefix itself; it is an argument so that it is part of the cache key."""
    return reverse(url_name, urlconf=urlconf)


@register.simple_tag(takes_context=True)
def sidebar_menu(context):
    """The sidebar's groups of links from ``menu`` (``core.context_processors.portal``), the current page's marked.

    Written in Python: as a template loop the menu cost about 0.3 ms more per page.
    """
    request = context["request"]
    view_name = getattr(request.resolver_match, "view_name", None)
    script_prefix, urlconf = get_script_prefix(), get_urlconf()
    groups = []
    for label, items in context.get("menu", ()):
        links = []
        for item in items:
            url = _menu_url(item.url_name, script_prefix, urlconf)
            active = " active" if request.path == url or view_name == item.url_name else ""
            links.append((active, url, item.icon, str(item.label)))  # escaping a lazy string is slow
        heading = format_html('<div class="sidebar-heading">{}</div>', str(label)) if label else ""
        items_html = format_html_join(
            "\n",
            '<li class="nav-item"><a class="nav-link{}" href="{}"><i class="bi bi-{}"></i> {}</a></li>',
            links,
        )
        groups.append((heading, items_html))
    return format_html_join("\n", '<div class="sidebar-group">{}<ul class="nav flex-column">{}</ul></div>', groups)
