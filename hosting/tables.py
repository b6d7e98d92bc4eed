import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from contracts.tables import NOWRAP
from core.tables import ObjectTable
from hosting.models import ResellerHosting


class ResellerHostingTable(ObjectTable):
    """Contract detail → MKM-Hostings."""

    export_only = ("usage",)

    id = tables.Column(_("ID"), linkify=("hosting:resellerhosting_detail", {"pk": tables.A("pk")}))
    number = tables.Column(_("Customer number"), accessor="end_customer__number")
    customer = tables.Column(
        _("Customer"), accessor="end_customer__last_name", order_by=("end_customer__last_name",), empty_values=()
    )
    company = tables.Column(_("Company"), accessor="end_customer__company")
    plesk_customer_login = tables.Column(_("User"), attrs=NOWRAP)
    subscription_name = tables.TemplateColumn(
        '{% include "hosting/includes/domain.html" with name=record.domain_name %}',
        verbose_name=_("Subscription"),
        order_by=("subscription_name", "domain"),
        attrs=NOWRAP,
    )
    # The status, and a mark for a hosting at 90 % of a limit (``hosting.usage.with_usage_peak``): beside the
    # status, where the list has room for it.
    status = tables.TemplateColumn(template_name="hosting/includes/status_with_usage.html", verbose_name=_("Status"))
    usage = tables.Column(_("Usage"), accessor="usage_peak", empty_values=())

    class Meta(ObjectTable.Meta):
        model = ResellerHosting
        fields: tuple[str, ...] = (
            "id",
            "number",
            "customer",
            "company",
            "plesk_customer_login",
            "subscription_name",
            "status",
            "usage",
        )
        order_by = ("-id",)
        empty_text = _("No MKM hostings on this contract yet.")

    def render_customer(self, record):
        return f"{record.end_customer.first_name} {record.end_customer.last_name}".strip()

    def value_subscription_name(self, record):
        return record.domain_label

    def value_status(self, record):
        return record.get_status_display()

    def value_usage(self, record):
        peak = getattr(record, "usage_peak", None)
        return f"{peak} %" if peak is not None else ""


class AccountHostingTable(ResellerHostingTable):
    """MKM → MKM-Hostings: every hosting of the account, with its contract and product."""

    contract = tables.Column(
        _("Contract"), accessor="contract__number", linkify=lambda record: record.contract.get_absolute_url()
    )
    product = tables.Column(_("Product"), accessor="product__name")

    class Meta(ResellerHostingTable.Meta):
        fields = (*ResellerHostingTable.Meta.fields, "contract", "product")
        sequence = ("id", "number", "customer", "contract", "product", "...")
        # The contract's tab shows the Plesk side; here the columns stay few enough to fit beside the menu.
        exclude = ("company", "plesk_customer_login")
        empty_text = _("No MKM hostings yet.")
