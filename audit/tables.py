import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from core.tables import ObjectTable


class AuditEntryTable(ObjectTable):
    created_at = tables.DateTimeColumn(verbose_name=_("Time"), format="SHORT_DATETIME_FORMAT")
    user_repr = tables.Column(_("User"))
    action = tables.Column(_("Action"))
    object_repr = tables.Column(_("Object"))
    changes = tables.TemplateColumn(
        template_name="audit/includes/changes.html", verbose_name=_("Changes"), orderable=False
    )
    ip_address = tables.Column(_("IP address"))

    class Meta(ObjectTable.Meta):
        model = AuditEntry
        fields = ("created_at", "user_repr", "action", "object_repr", "changes", "ip_address")
        order_by = ("-created_at",)

    def value_changes(self, value):
        return "; ".join(f"{name}: {old} → {new}" for name, (old, new) in (value or {}).items())
