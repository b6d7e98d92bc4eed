from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.tables import DateTimeColumn, LinkActionsColumn, ObjectTable, RowLink
from profiles.models import Inquiry

NOWRAP = {"td": {"class": "text-nowrap"}}


class InquiryTable(ObjectTable):
    created_at = DateTimeColumn(verbose_name=_("Received"), format="SHORT_DATETIME_FORMAT")
    name = tables.Column(_("Name"), linkify=("profiles:inquiry_detail", [tables.A("pk")]), attrs=NOWRAP)
    company = tables.Column(_("Company"))
    email = tables.Column(_("E-mail"))
    phone = tables.Column(_("Phone"), attrs=NOWRAP)
    status = tables.TemplateColumn(template_name="profiles/includes/inquiry_status.html", verbose_name=_("Status"))
    customer = tables.Column(
        _("Customer"),
        accessor="end_customer__number",
        linkify=lambda record: record.end_customer.get_absolute_url(),
        order_by=("end_customer__number",),
        attrs=NOWRAP,
    )
    message = tables.Column(_("Message"))
    actions = LinkActionsColumn(RowLink("profiles:inquiry_detail", _("Details"), "search"))

    # The whole message in copy, CSV and Excel; the page shows it on the inquiry's own page.
    export_only = ("message",)

    class Meta(ObjectTable.Meta):
        model = Inquiry
        fields = ("created_at", "name", "company", "email", "phone", "status", "customer", "message")
        sequence: tuple[str, ...] = (
            "created_at",
            "name",
            "company",
            "email",
            "phone",
            "status",
            "customer",
            "message",
            "actions",
        )
        order_by = ("-created_at",)
        empty_text = _("No inquiries yet.")

    def value_status(self, record: Inquiry) -> str:
        return str(record.get_status_display())


class CustomerInquiryTable(InquiryTable):
    """The customer's Anfragen tab: its inquiries, without the customer column."""

    class Meta(InquiryTable.Meta):
        exclude = ("customer",)
        sequence = ("created_at", "name", "company", "email", "phone", "status", "message", "actions")
