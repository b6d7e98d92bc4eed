"""Mail through a reseller's own SMTP server (the portal template's E-Mail Einstellungen).

The server is one the reseller typed in, so it is treated like a Plesk host: never an address inside the
provider's network (checked again when each connection opens), and every connect and send has a timeout.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.utils import formataddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.mail import Attempt, Brand, OwnServer
from core.network import validate_public_host
from portal.models import MailDelivery, PortalTemplate

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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


# Why a mail did not go out, by code: the mail log stores the code, and the reader sees it in their language.
FAILURES: dict[str, StrOrPromise] = {
    "login_refused": gettext_lazy("The mail server refused the login. Please check the mail username and password."),
    "sender_refused": gettext_lazy("The mail server refused the sender address."),
    "recipient_refused": gettext_lazy("The mail server refused the recipient address."),
    "tls": gettext_lazy("The encrypted connection failed (TLS). Please check the encryption and port."),
    "timeout": gettext_lazy("The mail server did not answer in time."),
    "not_supported": gettext_lazy("The mail server does not support the chosen encryption or login."),
    "refused": gettext_lazy("The mail server refused the mail: %(reason)s"),
    "unreachable": gettext_lazy("The mail server cannot be reached. Please check the mail host and port."),
    "unknown": gettext_lazy("The mail could not be sent."),
}


def failure_code(error: BaseException) -> tuple[str, str]:
    """``(code, detail)`` of a failed send: a key of ``FAILURES``, or ``"host"`` with the host check's message
    (in English, a msgid of the catalogue), and for ``"refused"`` the server's answer."""
    if isinstance(error, ValidationError):
        with translation.override("en"):
            return "host", " ".join(error.messages)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return "login_refused", ""
    if isinstance(error, smtplib.SMTPSenderRefused):
        return "sender_refused", ""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "recipient_refused", ""
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        return "tls", ""
    if isinstance(error, TimeoutError | socket.timeout):
        return "timeout", ""
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return "not_supported", ""
    if isinstance(error, smtplib.SMTPException):
        return "refused", str(error)
    if isinstance(error, OSError):
        return "unreachable", ""
    return "unknown", ""


def describe(code: str, detail: str = "") -> str:
    """A failure code (``failure_code``) in the reader's language."""
    if code == "host":
        return _(detail)
    words = FAILURES.get(code, FAILURES["unknown"])
    return str(words) % {"reason": detail} if code == "refused" else str(words)


def describe_failure(error: BaseException) -> str:
    """What went wrong with the reseller's SMTP server, in words the reseller can act on."""
    return describe(*failure_code(error))


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


def account_template(account_id: int) -> PortalTemplate | None:
    """The template whose settings mail on the account's behalf uses: its first, when it has several."""
    # unrestricted: mail is sent for the account by a task or a caller acting for it, with no actor of its own
    return PortalTemplate.objects.select_related("account").filter(account_id=account_id).order_by("pk").first()


class TemplateMail:
    """Mail on a reseller's behalf, as its portal template says (``core.mail.register_account_mail``).

    Without a template the provider's defaults apply, as for any other mail; with one the links lead to its
    portal URL and its sender name and footer are used; with a mail host and sender, its own server sends.
    Every such mail is logged (``MailDelivery``), so the reseller sees which one failed and why.
    """

    def brand(self, account_id: int) -> Brand | None:
        template = account_template(account_id)
        if template is None:
            return None
        return Brand(
            base_url=template.portal_url,
            sender_name=template.mail_from_name or template.portal_name or template.account.name,
            reply_to=template.mail_from,
            footer=template.mail_footer,
        )

    def own_server(self, account_id: int) -> OwnServer | None:
        template = account_template(account_id)
        if template is None or not has_mail_server(template):
            return None
        return OwnServer(connection=template_connection(template), from_email=sender(template))

    def logged(self, account_id: int, *, kind: str, to: list[str], subject: str) -> int:
        # The body is not kept: it holds the set-password link, whose token is a credential until used.
        delivery = MailDelivery.objects.create(
            account_id=account_id, kind=kind, recipient=", ".join(to)[:1000], subject=subject[:300]
        )
        return delivery.pk

    def attempted(self, log_id: int, attempt: Attempt) -> None:
        with transaction.atomic():
            # unrestricted: the mail task notes its attempt on its own log entry, by id
            delivery = MailDelivery.objects.select_for_update().filter(pk=log_id).first()
            if delivery is None:
                return
            failure = failure_code(attempt.error) if attempt.error is not None else None
            delivery.note(attempt.number, attempt.server, failure, final=attempt.final)
