"""The one e-mail helper: render subject/text/html templates, send on commit, retry in the background.

Mail goes out through a background task after the surrounding transaction
commits, so a rolled-back change never e-mails anyone. Links are built from
``settings.SITE_URL``, or for mail on behalf of an account (to its end
customers) from the account's own portal URL, never from the request's Host
header.

Mail on behalf of an account looks and goes out the way the app that holds the
account's mail settings says (``register_account_mail``, from the white-label
portal's ``AppConfig.ready()``): its links, sender name and footer, its own
SMTP server, and a log of every such mail, so a failure reaches the reseller
instead of a worker's log. When the account's own server fails on every
attempt, the provider's server sends the mail once more under the account's
sender name.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from email.utils import formataddr, parseaddr
from typing import TYPE_CHECKING, Any, Literal, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django_tasks import default_task_backend, task
from prometheus_client import Counter

if TYPE_CHECKING:
    from django.core.mail.backends.base import BaseEmailBackend

    from accounts.models import Account

logger = logging.getLogger(__name__)

MAIL_FAILURES = Counter(
    "partnerportal_mail_failures",
    "Attempts to send a mail that failed, by server: the account's own (a reseller's SMTP) or the provider's.",
    ["server"],
)

# Seconds to wait before the 2nd, 3rd, ... attempt: a mail server that is down for a moment, or a password
# being corrected, still gets the mail through; after the last one the provider's server takes over.
RETRY_DELAYS = (60, 300, 900)
ATTEMPTS = len(RETRY_DELAYS) + 1

# What sending can raise: the server's refusals, the network, and the host check of a reseller's server.
SEND_ERRORS = (smtplib.SMTPException, OSError, ValidationError)

Server = Literal["own", "provider"]


@dataclass(frozen=True)
class Brand:
    """How mail on an account's behalf looks."""

    base_url: str  # where its links lead: ``scheme://host[:port]``, no trailing slash
    sender_name: str
    reply_to: str  # the account's own address, for replies to what the provider's server sends in its name
    footer: str


@dataclass(frozen=True)
class OwnServer:
    """The account's own SMTP server (a connection not opened yet) and the From header it sends with."""

    connection: BaseEmailBackend
    from_email: str


@dataclass(frozen=True)
class Attempt:
    """The outcome of one try to send a logged mail."""

    number: int  # 1, 2, ... counting every try, the provider's last one included
    server: Server
    error: BaseException | None  # None: sent
    final: bool  # no further try follows


class AccountMail(Protocol):
    """What the app holding the accounts' mail settings answers about mail on an account's behalf."""

    def brand(self, account_id: int) -> Brand | None:
        """The account's links, sender name and footer; None: the provider's, as for any other mail."""

    def own_server(self, account_id: int) -> OwnServer | None:
        """The account's own working SMTP settings; None: the provider's server sends."""

    def logged(self, account_id: int, *, kind: str, to: list[str], subject: str) -> int | None:
        """Write the mail into the account's mail log (inside the caller's transaction); its id."""

    def attempted(self, log_id: int, attempt: Attempt) -> None:
        """Note an attempt in the log."""


# Who gets a copy of a mail to an account's members: (account id, template prefix, addresses) → more addresses.
CopyRecipients = Callable[[int, str, list[str]], list[str]]

# Context names of what must never reach anyone but the addressee: a copy is never sent of a mail that has one,
# whatever was registered.
SECRET_CONTEXT_KEYS = frozenset({"link", "token", "code", "password", "uid", "uidb64"})


@dataclass
class _Registry:
    account_mail: AccountMail | None = None
    copy_recipients: list[CopyRecipients] | None = None
    # The templates that may be copied; every other one never is (deny by default).
    copyable: set[str] | None = None


_registry = _Registry()


def register_account_mail(account_mail: AccountMail) -> None:
    """Let ``account_mail`` decide how mail on an account's behalf goes out (one app does, at start-up)."""
    _registry.account_mail = account_mail


def register_copy_recipients(copy_recipients: CopyRecipients) -> None:
    """Let ``copy_recipients`` name who gets a copy of the mails to an account's members (E-Mail-Kopie: the
    partners app, for the partners that asked for copies of a customer's mail)."""
    recipients = _registry.copy_recipients = _registry.copy_recipients or []
    if copy_recipients not in recipients:
        recipients.append(copy_recipients)


def register_copyable(*template_prefixes: str) -> None:
    """The app that owns these mail templates declares that copies of them may go out: none of them carries a
    password link, a one-time code or an invitation token. Any other template is never copied."""
    _registry.copyable = (_registry.copyable or set()) | set(template_prefixes)


def copy_addresses(template_prefix: str, context: dict[str, Any], to: list[str], about: Account | None) -> list[str]:
    """Who gets a copy of this mail to ``about``'s members: nobody unless its template may be copied."""
    if about is None or template_prefix not in (_registry.copyable or set()):
        return []
    if SECRET_CONTEXT_KEYS & set(context):
        return []
    extra: list[str] = []
    for recipients in _registry.copy_recipients or []:
        extra += [address for address in recipients(about.pk, template_prefix, list(to)) if address]
    return sorted(set(extra) - set(to))


def brand_for(account: Account | None) -> Brand | None:
    account_mail = _registry.account_mail
    if account is None or account_mail is None:
        return None
    return account_mail.brand(account.pk)


def base_url(account: Account | None = None) -> str:
    """Where links in mail on behalf of ``account`` lead: its portal's URL, or else the main portal's."""
    brand = brand_for(account)
    return brand.base_url if brand is not None else settings.SITE_URL


def render_mail(template_prefix: str, context: dict[str, Any], brand: Brand | None = None) -> tuple[str, str, str]:
    context = {"site_url": brand.base_url if brand else settings.SITE_URL, "brand": brand, **context}
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    text = str(render_to_string(f"{template_prefix}_body.txt", context))
    html = render_to_string(f"{template_prefix}_body.html", context)
    if brand is not None and brand.footer:
        # The text part has no layout to put it in; "-- " is the signature separator mail programs know.
        text = f"{text.rstrip()}\n\n-- \n{brand.footer}\n"
    return subject, text, html


def send_templated_mail(
    template_prefix: str,
    context: dict[str, Any],
    *,
    to: list[str],
    on_behalf_of: Account | None = None,
    reply_to: str = "",
    about: Account | None = None,
) -> None:
    """Render and send after commit. ``on_behalf_of``: mail to that account's end customers, under its brand,
    through its own server, in its mail log. ``reply_to``: where answers go (a validated address; the sender
    stays the provider's, so no one's address is forged). ``about``: mail to that account's members, of which
    the addresses registered for it get a copy each, when the template may be copied (``register_copyable``)."""
    if not to:
        return
    for address in copy_addresses(template_prefix, context, to, about):
        _send_copy(template_prefix, context, address, about)
    brand = brand_for(on_behalf_of)
    subject, text, html = render_mail(template_prefix, context, brand)
    account_id = on_behalf_of.pk if on_behalf_of is not None else None
    log_id = None
    if account_id is not None and _registry.account_mail is not None:
        log_id = _registry.account_mail.logged(account_id, kind=template_prefix, to=list(to), subject=subject)
    transaction.on_commit(
        lambda: send_email.enqueue(
            subject=subject,
            text=text,
            html=html,
            to=list(to),
            account_id=account_id,
            log_id=log_id,
            reply_to=reply_to,
        )
    )


def _send_copy(template_prefix: str, context: dict[str, Any], address: str, about: Account | None) -> None:
    subject, text, html = render_mail(template_prefix, context)
    note = _("A copy of a message the portal sent to the members of %(account)s: you receive copies of its mail.")
    note = note % {"account": about}
    subject = _("Copy: %(subject)s") % {"subject": subject}
    text = f"{note}\n\n{text}"
    html = format_html("<p><em>{}</em></p>", note) + html
    transaction.on_commit(lambda: send_email.enqueue(subject=subject, text=text, html=html, to=[address]))


def provider_sender(name: str) -> str:
    """The provider's sender address under ``name`` (the provider's own name when empty)."""
    default: str = settings.DEFAULT_FROM_EMAIL
    return formataddr((name, parseaddr(default)[1])) if name else default


def _message(
    subject: str, text: str, html: str, to: list[str], *, connection: BaseEmailBackend, from_email: str, reply_to: str
) -> EmailMultiAlternatives:
    mail = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email,
        to=to,
        reply_to=[reply_to] if reply_to else None,
        connection=connection,
    )
    mail.attach_alternative(html, "text/html")
    return mail


@task()
def send_email(
    *,
    subject: str,
    text: str,
    html: str,
    to: list[str],
    account_id: int | None = None,
    log_id: int | None = None,
    attempt: int = 1,
    reply_to: str = "",
) -> None:
    """One attempt; a failed one is tried again later (``RETRY_DELAYS``). When the account's own server failed
    the last attempt, the provider's server sends the mail once more."""
    account_mail = _registry.account_mail
    brand = own = None
    if account_mail is not None and account_id is not None:
        brand, own = account_mail.brand(account_id), account_mail.own_server(account_id)

    def note(number: int, server: Server, error: BaseException | None, *, final: bool) -> None:
        if account_mail is not None and log_id is not None:
            account_mail.attempted(log_id, Attempt(number, server, error, final))

    def by_provider() -> EmailMultiAlternatives:
        return _message(
            subject,
            text,
            html,
            to,
            connection=get_connection(),
            from_email=provider_sender(brand.sender_name if brand else ""),
            reply_to=reply_to or (brand.reply_to if brand else ""),
        )

    server: Server = "own" if own is not None else "provider"
    try:
        if own is not None:
            _message(subject, text, html, to, connection=own.connection, from_email=own.from_email, reply_to="").send()
        else:
            by_provider().send()
    except SEND_ERRORS as error:
        MAIL_FAILURES.labels(server=server).inc()
        logger.warning("mail %r, attempt %d on the %s server, failed: %s", subject, attempt, server, error)
        if attempt < ATTEMPTS:
            note(attempt, server, error, final=False)
            _retry(
                RETRY_DELAYS[attempt - 1],
                subject=subject,
                text=text,
                html=html,
                to=to,
                account_id=account_id,
                log_id=log_id,
                attempt=attempt + 1,
                reply_to=reply_to,
            )
            return
        note(attempt, server, error, final=own is None)
        if own is not None:
            try:
                by_provider().send()
            except SEND_ERRORS as fallback_error:
                MAIL_FAILURES.labels(server="provider").inc()
                logger.warning("mail %r: the provider's server failed too: %s", subject, fallback_error)
                note(attempt + 1, "provider", fallback_error, final=True)
            else:
                note(attempt + 1, "provider", None, final=True)
        return
    note(attempt, server, None, final=True)


def _retry(delay: int, **kwargs: Any) -> None:
    """Enqueue the next attempt after its delay; a backend that cannot wait (the immediate one of the tests and
    of development) tries again at once."""
    if default_task_backend.supports_defer:
        run_after = timezone.now() + timedelta(seconds=delay)
        send_email.using(run_after=run_after).enqueue(**kwargs)
    else:
        send_email.enqueue(**kwargs)
