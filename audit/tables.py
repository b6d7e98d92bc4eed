import django_tables2 as tables
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from core.tables import DateTimeColumn, ObjectTable


class AuditEntryTable(ObjectTable):
    created_at = DateTimeColumn(verbose_name=_("Time"), format="SHORT_DATETIME_FORMAT")
    user_repr = tables.Column(_("User"))
    action = tables.Column(_("Action"))
    object_repr = tables.Column(_("Object"), empty_values=())
    changes = tables.Column(_("Changes"), orderable=False, empty_values=())
    ip_address = tables.Column(_("IP address"))

    class Meta(ObjectTable.Meta):
        model = AuditEntry
        fields = ("created_at", "user_repr", "action", "object_repr", "changes", "ip_address")
        order_by = ("-created_at",)

    def render_object_repr(self, record):
        # The column is rendered even when empty: a refusal's object is its refused action, not object_repr.
        return record.object_display or self.default

    def value_object_repr(self, record):
        return record.object_display

    def render_changes(self, record):
        return render_to_string("audit/includes/changes.html", {"changes": record.readable_changes()})

    def value_changes(self, record):
        return "; ".join(f"{label}: {old} → {new}" for label, old, new in record.readable_changes())
