import ipaddress
import socket

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from plesk import PleskClient


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise ValidationError(_("The host name cannot be resolved.")) from error
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def validate_plesk_host(host: str) -> None:
    """Refuse hosts that point inside (loopback, private, link-local, …) unless allowed by settings.

    Checked when saved and again before every connection, on the resolved
    addresses, so a name that later resolves to 127.0.0.1 is caught too
    (SECURITY-TESTS PX-06).
    """
    if settings.PLESK_ALLOW_PRIVATE_HOSTS:
        return
    for address in _addresses(host):
        address = getattr(address, "ipv4_mapped", None) or address
        if not address.is_global or address.is_multicast:
            raise ValidationError(
                _("This address is not reachable for the portal (loopback, private or link-local network).")
            )


class HostingServer(models.Model):
    """A Plesk server of the provider; maintained by operator staff only."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("host"), max_length=253)
    port = models.PositiveIntegerField(_("port"), default=8443)
    use_tls = models.BooleanField(_("HTTPS"), default=True, help_text=_("Plain HTTP only for the sandbox."))
    ca_bundle = models.TextField(_("CA certificates (PEM)"), blank=True)
    pinned_fingerprint = models.CharField(
        _("pinned certificate (SHA-256)"),
        max_length=128,
        blank=True,
        help_text=_("Instead of a CA: the SHA-256 fingerprint of the server's certificate."),
    )
    login = models.CharField(_("login"), max_length=100, blank=True)
    password = EncryptedTextField(_("password"), blank=True)
    secret_key = EncryptedTextField(_("secret key"), blank=True)
    is_sandbox = models.BooleanField(_("sandbox"), default=False, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("hosting server")
        verbose_name_plural = _("hosting servers")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} (Sandbox)" if self.is_sandbox else self.name

    @property
    def url(self) -> str:
        scheme = "https" if self.use_tls else "http"
        return f"{scheme}://{self.host}:{self.port}/enterprise/control/agent.php"

    def clean(self):
        super().clean()
        if not self.use_tls and not self.is_sandbox:
            raise ValidationError({"use_tls": _("Plesk servers are reached over HTTPS only.")})
        if not (self.secret_key or (self.login and self.password)):
            raise ValidationError(_("Give a secret key, or a login with its password."))
        validate_plesk_host(self.host)

    def client(self, *, login: str | None = None, password: str | None = None, **options) -> PleskClient:
        """A client for this server, as its admin or as ``login`` (a reseller's Plesk login)."""
        validate_plesk_host(self.host)
        credentials = (
            {"login": login, "password": password}
            if login
            else (
                {"secret_key": self.secret_key} if self.secret_key else {"login": self.login, "password": self.password}
            )
        )
        return PleskClient(
            self.url,
            ca_bundle=self.ca_bundle or None,
            pinned_sha256=self.pinned_fingerprint or None,
            allow_insecure_http=not self.use_tls and self.is_sandbox,
            **credentials,
            **options,
        )
