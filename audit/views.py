from django.utils.translation import gettext_lazy as _

from audit.filters import AuditEntryFilterSet
from audit.models import AuditEntry
from audit.tables import AuditEntryTable
from core.views import ObjectListView


class AuditEntryListView(ObjectListView):
    model = AuditEntry
    table_class = AuditEntryTable
    filterset_class = AuditEntryFilterSet
    title = _("Activity")
