"""Mail through a reseller's own SMTP server (the portal template's E-Mail Einstellungen).

The server is one the reseller typed in, so it is treated like a Plesk host: never an address inside the
provider's network (checked again when each connection opens), and every connect and send has a timeout.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.utils import formataddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend
from django.utils.translation import gettext as _

from core.network import validate_public_host
from portal.models import PortalTemplate


class CheckedSMTPBackend(EmailBackend):
    """Django's SMTP backend that re-checks the host's addresses each time it connects."""

    def open(self) -> bool | None:
        if self.connection is None:
            validate_public_host(self.host, allow_private=settings.MAIL_ALLOW_PRIVATE_HOSTS)
        return super().open()


def has_mail_server(template: PortalTemplate) -> bool:
    return bool(template.mail_host and template.mail_from)


def template_connection(template: PortalTemplate, *, fail_silently: bool = False) -> EmailBackend:
    """An SMTP connection with the template's settings (not opened yet)."""
    security = template.mail_security
    return CheckedSMTPBackend(
        host=template.mail_host,
        port=template.mail_port,
        username=template.mail_username or None,
        password=template.mail_password or None,
        use_tls=security == PortalTemplate.MailSecurity.STARTTLS,
        use_ssl=security == PortalTemplate.MailSecurity.TLS,
        timeout=settings.PORTAL_MAIL_TIMEOUT,
        fail_silently=fail_silently,
    )


def sender(template: PortalTemplate) -> str:
    """``"Name <address>"`` for the template's sender."""
    return formataddr((template.mail_from_name, template.mail_from)) if template.mail_from_name else template.mail_from


class MailTestFailed(Exception):
    """The test mail could not be sent; ``str(error)`` is a message for the reseller, in their language."""


def describe_failure(error: BaseException) -> str:
    """What went wrong with the reseller's SMTP server, in words the reseller can act on."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return _("The mail server refused the login. Please check the mail username and password.")
    if isinstance(error, smtplib.SMTPSenderRefused):
        return _("The mail server refused the sender address.")
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return _("The mail server refused the recipient address.")
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        return _("The encrypted connection failed (TLS). Please check the encryption and port.")
    if isinstance(error, TimeoutError | socket.timeout):
        return _("The mail server did not answer in time.")
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return _("The mail server does not support the chosen encryption or login.")
    if isinstance(error, smtplib.SMTPException):
        return _("The mail server refused the mail: %(reason)s") % {"reason": error}
    if isinstance(error, OSError):
        return _("The mail server cannot be reached. Please check the mail host and port.")
    return _("The mail could not be sent.")


def send_test_mail(template: PortalTemplate, to: str) -> None:
    """Log in to the template's SMTP server and send a short test mail to ``to``; raise ``MailTestFailed``."""
    if not has_mail_server(template):
        raise MailTestFailed(_("Please enter a mail host and a sender address first."))
    message = EmailMultiAlternatives(
        subject=_("Test mail from %(portal)s") % {"portal": template.portal_name or template.host},
        body="\n\n".join(
            part
            for part in (
                _("This test mail shows that your portal can send mail through %(host)s.")
                % {"host": template.mail_host},
                template.mail_footer,
            )
            if part
        ),
        from_email=sender(template),
        to=[to],
        connection=template_connection(template),
    )
    try:
        message.send()
    except (ValidationError, smtplib.SMTPException, OSError) as error:
        raise MailTestFailed(describe_failure(error)) from error
