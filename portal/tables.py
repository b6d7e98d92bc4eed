import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.tables import LinkActionsColumn, ObjectTable, RowLink
from core.tenancy import CHANGE
from portal.models import PortalTemplate


class PortalTemplateTable(ObjectTable):
    portal_name = tables.Column(_("Portal name"), linkify=("portal:template_edit", [tables.A("pk")]))
    portal_name_2 = tables.Column(_("Portal name 2"))
    portal_url = tables.Column(_("URL"))
    actions = LinkActionsColumn(RowLink("portal:template_edit", _("Edit"), "pencil", "warning", permission=CHANGE))

    class Meta(ObjectTable.Meta):
        model = PortalTemplate
        fields = ("portal_name", "portal_name_2", "portal_url")
        order_by = ("portal_name",)
