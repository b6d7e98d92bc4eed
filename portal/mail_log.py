"""The reseller's mail log: every mail to its end customers, with what became of it (``MailDelivery``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import django_filters
import django_tables2 as tables
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.dashboard import Figure
from core.filters import BaseFilterSet
from core.tables import DateTimeColumn, ObjectTable
from core.views import ObjectListView
from portal.mail import describe
from portal.models import MailDelivery

if TYPE_CHECKING:
    from django.utils.safestring import SafeString
    from django_stubs_ext import StrOrPromise

    from core.actor import Actor

Status = MailDelivery.Status

# The mails sent on a reseller's behalf, by their template.
KINDS: dict[str, StrOrPromise] = {
    "customers/email/portal_invitation": gettext_lazy("Invitation to the customer portal"),
    "customers/email/portal_password": gettext_lazy("Link to set a password"),
    "customers/email/portal_summary": gettext_lazy("Account summary (portal login)"),
    "hosting/email/summary": gettext_lazy("Space summary (hosting)"),
    "portal/email/account_summary": gettext_lazy("Account summary (portal logins and hostings)"),
}

BADGES = {Status.QUEUED: "secondary", Status.SENT: "success", Status.FAILED: "danger"}


def kind_label(delivery: MailDelivery) -> str:
    return str(KINDS.get(delivery.kind, delivery.kind))


def reason(delivery: MailDelivery) -> str:
    """Why the mail failed on the reseller's server (or, without one, on the provider's), in the reader's words."""
    if not delivery.error_code:
        return ""
    text = describe(delivery.error_code, delivery.error_detail)
    if not delivery.fell_back:
        return text
    if delivery.status == Status.SENT:
        return _("Your mail server: %(reason)s The provider's mail server sent it instead.") % {"reason": text}
    return _("Your mail server: %(reason)s The provider's mail server could not send it either.") % {"reason": text}


def status_label(delivery: MailDelivery) -> str:
    if delivery.status == Status.QUEUED and delivery.attempts:
        return _("retrying (%(attempts)d attempts so far)") % {"attempts": delivery.attempts}
    return delivery.get_status_display()


class MailDeliveryFilterSet(BaseFilterSet):
    search_fields = ("recipient", "subject")

    status = django_filters.ChoiceFilter(label=gettext_lazy("Status"), choices=Status.choices)

    class Meta(BaseFilterSet.Meta):
        model = MailDelivery
        fields = ["q", "status"]


class MailDeliveryTable(ObjectTable):
    # The page shows the reason under the status; the exports have it, and the rest, in columns of their own.
    export_only = ("subject", "attempts", "error_code", "attempted_at")

    created_at = DateTimeColumn(verbose_name=gettext_lazy("Queued"))
    kind = tables.Column(gettext_lazy("Mail"))
    recipient = tables.Column(gettext_lazy("Recipient"))
    subject = tables.Column(gettext_lazy("Subject"))
    status = tables.Column(gettext_lazy("Status"), attrs={"td": {"style": "min-width: 22rem"}})
    server = tables.Column(gettext_lazy("Mail server"))
    attempts = tables.Column(gettext_lazy("Attempts"))
    error_code = tables.Column(gettext_lazy("Reason"), orderable=False)
    attempted_at = DateTimeColumn(verbose_name=gettext_lazy("Last attempt"))

    class Meta(ObjectTable.Meta):
        model = MailDelivery
        fields: tuple[str, ...] = (
            "created_at",
            "kind",
            "recipient",
            "subject",
            "status",
            "server",
            "attempts",
            "error_code",
            "attempted_at",
        )
        order_by = ("-created_at",)
        empty_text = gettext_lazy("No mails to your end customers yet.")

    def render_kind(self, record: MailDelivery) -> str:
        return kind_label(record)

    def value_kind(self, record: MailDelivery) -> str:
        return kind_label(record)

    def render_status(self, record: MailDelivery) -> SafeString:
        return format_html(
            '<span class="badge text-bg-{}">{}</span><div class="small text-body-secondary">{}</div>',
            BADGES[Status(record.status)],
            status_label(record),
            reason(record),
        )

    def value_status(self, record: MailDelivery) -> str:
        return status_label(record)

    def render_server(self, record: MailDelivery) -> str:
        return record.get_server_display()

    def value_server(self, record: MailDelivery) -> str:
        return record.get_server_display()

    def value_error_code(self, record: MailDelivery) -> str:
        return reason(record)


class MailDeliveryListView(ObjectListView):
    """Administration → Mail log: the mails to the account's end customers; the dashboard links its failed ones."""

    model = MailDelivery
    table_class = MailDeliveryTable
    filterset_class = MailDeliveryFilterSet
    title = gettext_lazy("Mail log")


def mail_figures(actor: Actor) -> list[Figure]:
    """One query: the mails that failed and those still being retried; failed ones always show."""
    rows = MailDelivery.objects.restrict(actor).order_by().values_list("status").annotate(n=Count("pk"))
    counts = dict(rows)
    url = reverse("portal_mail:maildelivery_list")
    failed = counts.get(Status.FAILED, 0)
    return [
        Figure(_("failed"), failed, f"{url}?status={Status.FAILED}", "danger" if failed else ""),
        Figure(_("sent"), counts.get(Status.SENT, 0), f"{url}?status={Status.SENT}"),
        Figure(_("queued"), counts.get(Status.QUEUED, 0), f"{url}?status={Status.QUEUED}"),
    ]
