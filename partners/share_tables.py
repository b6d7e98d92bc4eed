"""The partner's list of the access shares customers sent it: table and filter (UI and API)."""

from typing import Any

import django_filters
import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.filters import BaseFilterSet
from core.tables import ActionsColumn, DateTimeColumn, ObjectTable
from partners.models import PartnerShare


class PartnerShareFilterSet(BaseFilterSet):
    search_fields = ("customer_account__number", "customer_account__name")
    state = django_filters.ChoiceFilter(label=_("State"), choices=PartnerShare.State.choices)

    class Meta(BaseFilterSet.Meta):
        model = PartnerShare
        fields = ["q", "state"]


class PartnerShareTable(ObjectTable):
    number = tables.Column(_("Customer number"), accessor="customer_account__number")
    customer = tables.Column(_("Customer"), accessor="customer_account__name")
    full = tables.Column(_("Access"))
    state = tables.Column(_("State"))
    created_at = DateTimeColumn(verbose_name=_("Shared"), format="d.m.Y H:i")
    actions = ActionsColumn("partners/includes/share_actions.html", verbose_name=_("Action"))

    class Meta(ObjectTable.Meta):
        model = PartnerShare
        fields = ("number", "customer", "full", "state", "created_at")
        order_by = ("-created_at",)

    def render_full(self, value: bool) -> Any:
        return _("Full access") if value else _("Partial access")

    def value_full(self, value: bool) -> Any:
        return self.render_full(value)
