import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from access.models import ServiceAccess
from core.tables import ActionsColumn, ObjectTable


class ServiceAccessTable(ObjectTable):
    number = tables.Column(_("Customer number"), accessor="customer_number")
    customer = tables.Column(_("Customer"), accessor="customer_name")
    kind = tables.Column(_("Type"), accessor="pk", orderable=False)
    username = tables.Column(_("Username"), accessor="sharer__username")
    first_name = tables.Column(_("First name"), accessor="sharer__first_name")
    last_name = tables.Column(_("Last name"), accessor="sharer__last_name")
    status = tables.Column(_("Status"), accessor="pk", orderable=False)
    actions = ActionsColumn("access/includes/access_actions.html", verbose_name=_("Action"))

    class Meta(ObjectTable.Meta):
        model = ServiceAccess
        fields = ("number", "customer", "kind", "username", "first_name", "last_name", "status")
        order_by = ("number",)

    def render_kind(self, record):
        return record.get_kind_display()

    def value_kind(self, record):
        return record.get_kind_display()

    def render_status(self, record):
        return _("active") if record.is_usable else _("deactivated")

    def value_status(self, record):
        return self.render_status(record)
