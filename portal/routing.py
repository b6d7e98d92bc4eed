"""Which portal a request's host belongs to: the main portal, a reseller's portal template, or none.

Template hosts change while the server runs (operator staff create templates), so they are read from the
database, kept in the shared cache for a short while, and dropped from it whenever a template is saved or
deleted: a new template's host works at once, in every process.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from portal.hosts import normalize_host
from portal.models import PortalTemplate

HOSTS_CACHE_KEY = "portal:template-hosts"
# A Host header: a DNS name or a bracketed IPv6 address, with an optional port. Anything else
# (user info, paths, spaces) is refused before it is looked at further.
HOST_HEADER = re.compile(r"\A(?P<host>[a-z0-9._-]+|\[[a-f0-9:.]+\])(?::(?P<port>[0-9]{1,5}))?\Z", re.IGNORECASE)


def host_name(raw: str) -> str | None:
    """The host name of a Host header, lowercase, without port and trailing dot; None if malformed."""
    match = HOST_HEADER.match(raw or "")
    if match is None:
        return None
    return match.group("host").lower().rstrip(".")


def is_main_host(host: str) -> bool:
    """Whether ``host`` is one of the main portal's hosts (``settings.MAIN_HOSTS``, ALLOWED_HOSTS syntax)."""
    for pattern in settings.MAIN_HOSTS:
        pattern = pattern.lower()
        if pattern == "*" or host == pattern:
            return True
        if pattern.startswith(".") and (host == pattern[1:] or host.endswith(pattern)):
            return True
    return False


def template_hosts() -> dict[str, int]:
    """``{host: template id}`` of every portal template, from the cache while it is fresh."""
    hosts: dict[str, int] | None = cache.get(HOSTS_CACHE_KEY)
    if hosts is None:
        hosts = dict(PortalTemplate.objects.values_list("host", "pk"))  # unrestricted: routing spans every account
        cache.set(HOSTS_CACHE_KEY, hosts, settings.PORTAL_HOSTS_CACHE_SECONDS)
    return hosts


def template_for_host(host: str) -> PortalTemplate | None:
    """The portal template served on ``host`` (a bare host name), if any."""
    try:
        canonical = normalize_host(host)
    except ValueError:
        return None
    pk = template_hosts().get(canonical)
    if pk is None:
        return None
    # unrestricted: the template a host belongs to, before anyone is logged in
    return PortalTemplate.objects.select_related("account").filter(pk=pk, account__is_active=True).first()


def forget_template_hosts(**_kwargs: Any) -> None:
    """Signal receiver: a template was saved or deleted; the next request reads the hosts again.

    After the commit as well, so a request between the change and its commit cannot cache the old list."""
    cache.delete(HOSTS_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(HOSTS_CACHE_KEY))
