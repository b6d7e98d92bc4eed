from typing import Any

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.tables import ActionsColumn, ObjectTable
from partners.models import Partnership


class ManagedCustomerTable(ObjectTable):
    number = tables.Column(_("Customer number"), accessor="customer_account__number")
    customer = tables.Column(
        _("Customer"), accessor="customer_account__name", linkify=("partners:managed_detail", {"pk": tables.A("pk")})
    )
    scope = tables.Column(_("Access"), accessor="access__partial")
    created_at = tables.DateTimeColumn(verbose_name=_("Partner since"), format="d.m.Y")
    actions = ActionsColumn("partners/includes/managed_actions.html", verbose_name=_("Action"))

    class Meta(ObjectTable.Meta):
        model = Partnership
        fields = ("number", "customer", "scope", "created_at")
        order_by = ("number",)

    def render_scope(self, value: bool) -> Any:
        return _("Partial access") if value else _("Full access")

    def value_scope(self, value: bool) -> Any:
        return self.render_scope(value)
