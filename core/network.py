"""Outgoing connections to hosts that users enter (Plesk servers, SMTP servers): never into the provider's network.

Checked when saved and again before every connection, on the resolved addresses, so a name that later
resolves to 127.0.0.1 is caught too (SECURITY-TESTS PX-06).
"""

from __future__ import annotations

import ipaddress
import socket

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INTERNAL_ADDRESS = _("This address is not reachable for the portal (loopback, private or link-local network).")


def resolved_addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise ValidationError(_("The host name cannot be resolved.")) from error
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def validate_public_host(host: str, *, allow_private: bool) -> None:
    """Refuse a host that resolves to any loopback, private, link-local or multicast address."""
    if allow_private:
        return
    for address in resolved_addresses(host):
        address = getattr(address, "ipv4_mapped", None) or address
        if not address.is_global or address.is_multicast:
            raise ValidationError(INTERNAL_ADDRESS)
