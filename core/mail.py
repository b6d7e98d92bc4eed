"""The one e-mail helper: render subject/text/html templates, send on commit.

Mail goes out through a background task after the surrounding transaction
commits, so a rolled-back change never e-mails anyone. Links are built from
``settings.SITE_URL`` (or, later, the reseller's stored portal URL), never
from the request's Host header.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django_tasks import task

if TYPE_CHECKING:
    from django.core.mail.backends.base import BaseEmailBackend

    from accounts.models import Account


def connection_for(account_id: int | None) -> BaseEmailBackend:
    """The SMTP connection for mail on behalf of ``account_id``.

    Until the white-label portal brings per-reseller SMTP settings, every
    account sends through the provider's connection.
    """
    return get_connection()


def render_mail(template_prefix: str, context: dict[str, Any]) -> tuple[str, str, str]:
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{template_prefix}_subject.txt", context).split())
    text = render_to_string(f"{template_prefix}_body.txt", context)
    html = render_to_string(f"{template_prefix}_body.html", context)
    return subject, text, html


def send_templated_mail(
    template_prefix: str, context: dict[str, Any], *, to: list[str], account: Account | None = None
) -> None:
    if not to:
        return
    subject, text, html = render_mail(template_prefix, context)
    account_id = account.pk if account is not None else None
    transaction.on_commit(
        lambda: send_email.enqueue(subject=subject, text=text, html=html, to=list(to), account_id=account_id)
    )


@task()
def send_email(*, subject: str, text: str, html: str, to: list[str], account_id: int | None) -> None:
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        connection=connection_for(account_id),
    )
    message.attach_alternative(html, "text/html")
    message.send()
