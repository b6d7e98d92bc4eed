"""A portal template's colours as CSS custom properties, so Bootstrap's components take them.

Served as a stylesheet from the portal's own host (the CSP allows no inline styles). The colours are
checked again here: only ``#rrggbb`` reaches the CSS, whatever is stored.
"""

from __future__ import annotations

import re

from portal.models import PortalTemplate

HEX_COLOUR = re.compile(r"\A#[0-9a-fA-F]{6}\Z")
DEFAULTS = {"color_1": "#0d6efd", "color_2": "#6c757d", "color_3": "#212529", "color_4": "#f8f9fa"}


def colour(template: PortalTemplate, name: str) -> str:
    value = str(getattr(template, name) or "")
    return value.lower() if HEX_COLOUR.match(value) else DEFAULTS[name]


def rgb(value: str) -> str:
    return ", ".join(str(int(value[i : i + 2], 16)) for i in (1, 3, 5))


def text_on(value: str) -> str:
    """Black or white, whichever reads better on ``value`` (relative luminance, WCAG)."""

    def channel(part: str) -> float:
        c = int(part, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(value[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if luminance > 0.179 else "#ffffff"


def theme_css(template: PortalTemplate) -> str:
    """Colour 1: primary (buttons, links, active menu entry); colour 2: secondary; colour 3: the header bar;
    colour 4: the page background."""
    primary, secondary, header, background = (colour(template, f"color_{n}") for n in range(1, 5))
    return f""":root {{
  --ep-color-1: {primary};
  --ep-color-2: {secondary};
  --ep-color-3: {header};
  --ep-color-4: {background};
  --ep-on-color-1: {text_on(primary)};
  --ep-on-color-2: {text_on(secondary)};
  --ep-on-color-3: {text_on(header)};
  --bs-primary: {primary};
  --bs-primary-rgb: {rgb(primary)};
  --bs-secondary: {secondary};
  --bs-secondary-rgb: {rgb(secondary)};
  --bs-link-color: {primary};
  --bs-link-color-rgb: {rgb(primary)};
  --bs-link-hover-color: {primary};
  --bs-link-hover-color-rgb: {rgb(primary)};
  --bs-body-bg: {background};
}}
.btn-primary {{
  --bs-btn-color: var(--ep-on-color-1);
  --bs-btn-bg: var(--ep-color-1);
  --bs-btn-border-color: var(--ep-color-1);
  --bs-btn-hover-color: var(--ep-on-color-1);
  --bs-btn-hover-bg: var(--ep-color-1);
  --bs-btn-hover-border-color: var(--ep-color-1);
  --bs-btn-active-color: var(--ep-on-color-1);
  --bs-btn-active-bg: var(--ep-color-1);
  --bs-btn-active-border-color: var(--ep-color-1);
  --bs-btn-disabled-bg: var(--ep-color-1);
  --bs-btn-disabled-border-color: var(--ep-color-1);
}}
.btn-primary:hover {{ filter: brightness(0.92); }}
.btn-outline-primary {{
  --bs-btn-color: var(--ep-color-1);
  --bs-btn-border-color: var(--ep-color-1);
  --bs-btn-hover-color: var(--ep-on-color-1);
  --bs-btn-hover-bg: var(--ep-color-1);
  --bs-btn-hover-border-color: var(--ep-color-1);
  --bs-btn-active-color: var(--ep-on-color-1);
  --bs-btn-active-bg: var(--ep-color-1);
  --bs-btn-active-border-color: var(--ep-color-1);
}}
.btn-secondary {{
  --bs-btn-color: var(--ep-on-color-2);
  --bs-btn-bg: var(--ep-color-2);
  --bs-btn-border-color: var(--ep-color-2);
  --bs-btn-hover-color: var(--ep-on-color-2);
  --bs-btn-hover-bg: var(--ep-color-2);
  --bs-btn-hover-border-color: var(--ep-color-2);
}}
.nav-pills {{
  --bs-nav-pills-link-active-bg: var(--ep-color-1);
  --bs-nav-pills-link-active-color: var(--ep-on-color-1);
}}
.nav {{ --bs-nav-link-color: var(--ep-color-1); --bs-nav-link-hover-color: var(--ep-color-1); }}
.form-control:focus, .form-select:focus {{
  border-color: var(--ep-color-1);
  box-shadow: 0 0 0 0.25rem rgba({rgb(primary)}, 0.25);
}}
.ep-header {{ background: var(--ep-color-3); color: var(--ep-on-color-3); }}
.ep-header a, .ep-header .btn-link, .ep-header .navbar-brand {{ color: var(--ep-on-color-3); }}
"""
