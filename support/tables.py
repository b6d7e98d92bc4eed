import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.tables import DateTimeColumn, LinkActionsColumn, ObjectTable, RowLink
from support.models import SupportRequest


class SupportRequestTable(ObjectTable):
    pk = tables.Column(_("No."), linkify=("support:request_detail", [tables.A("pk")]))
    created_at = DateTimeColumn(verbose_name=_("Sent"), format="SHORT_DATETIME_FORMAT")
    topic = tables.Column(_("Topic"))
    object_label = tables.Column(_("Concerns"))
    status = tables.Column(_("Status"))
    replied_at = DateTimeColumn(verbose_name=_("Answered"), format="SHORT_DATETIME_FORMAT")
    actions = LinkActionsColumn(RowLink("support:request_detail", _("Details"), "search"))

    class Meta(ObjectTable.Meta):
        model = SupportRequest
        fields = ("pk", "created_at", "topic", "object_label", "status", "replied_at")
        order_by = ("-created_at",)
