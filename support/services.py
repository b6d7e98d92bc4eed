"""Sending a support request to the provider and answering it from the operator area."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from audit.services import diff, record, snapshot
from core import throttle
from core.access import require_account, require_action, require_operator
from core.mail import send_templated_mail
from core.tenancy import ADD
from support.models import SupportRequest

if TYPE_CHECKING:
    from core.actor import Actor

# Enough for a busy afternoon; a loop or a script sending in bulk stops here.
REQUESTS_PER_USER = 10
REQUEST_WINDOW_SECONDS = 60 * 60
THROTTLED = _(
    "You have sent %(limit)d support requests within an hour. Please wait a little before you send the next one."
)
REPLY_REQUIRED = _("Write an answer.")
ANSWER_FIELDS = ["status", "reply"]


def site_link(path: str) -> str:
    """An absolute link to ``path`` on the main portal, from ``SITE_URL``, never from a request's host."""
    return f"{settings.SITE_URL}{path}" if path else ""


def send_support_request(actor: Actor, support_request: SupportRequest) -> SupportRequest:
    """Store ``support_request`` (validated by its form) for the actor's account and mail it to support.

    At most ``REQUESTS_PER_USER`` per user within ``REQUEST_WINDOW_SECONDS``.
    """
    actor.forbid_switched()
    require_action(actor, SupportRequest, ADD)
    account = require_account(actor)
    user = actor.user
    if user is None:
        raise ValidationError(_("Log in to contact support."))
    if not throttle.allow(f"support:user:{user.pk}", REQUESTS_PER_USER, REQUEST_WINDOW_SECONDS):
        message = THROTTLED % {"limit": REQUESTS_PER_USER}
        raise throttle.TooManyAttempts(message, retry_after=REQUEST_WINDOW_SECONDS, field="message")
    with transaction.atomic():
        support_request.account = account
        support_request.sender = user
        support_request.status = SupportRequest.Status.OPEN
        support_request.save()
        record(actor, AuditEntry.Action.CREATE, support_request)
        _mail(
            "support/email/request",
            support_request,
            to=settings.SUPPORT_EMAIL,
            link=reverse("admin:support_supportrequest_change", args=[support_request.pk]),
        )
    return support_request


def answer_support_request(actor: Actor, pk: int, reply: str) -> SupportRequest:
    """Operator staff answer request ``pk``: it is answered, and the answer is mailed to its sender."""
    require_operator(actor)
    if not reply.strip():
        raise ValidationError({"reply": REPLY_REQUIRED})
    with transaction.atomic():
        # unrestricted: operator staff answer the requests of every account; require_operator guards this
        current = SupportRequest.objects.select_for_update(of=("self",)).select_related("account", "sender").get(pk=pk)
        before = snapshot(current, ANSWER_FIELDS)
        current.reply = reply
        current.status = SupportRequest.Status.ANSWERED
        current.replied_by = actor.user
        current.replied_at = timezone.now()
        current.clean_fields(exclude=[field.name for field in SupportRequest._meta.fields if field.name != "reply"])
        current.save()
        changes = diff(before, snapshot(current, ANSWER_FIELDS))
        record(actor, AuditEntry.Action.UPDATE, current, account=current.account, changes=changes)
        sender = current.sender
        if sender is not None and sender.is_active and sender.email:
            _mail("support/email/reply", current, to=sender.email, link=current.get_absolute_url())
    return current


def _mail(template_prefix: str, support_request: SupportRequest, *, to: str, link: str) -> None:
    context: dict[str, Any] = {
        "support_request": support_request,
        "account": support_request.account,
        "sender": support_request.sender,
        "page_url": site_link(support_request.page),
        "object_url": site_link(support_request.object_url),
        "link": site_link(link),
    }
    # Support and the portal's members read the provider's language, whatever the writer's browser asked for.
    with translation.override(settings.LANGUAGE_CODE):
        send_templated_mail(template_prefix, context, to=[to])
