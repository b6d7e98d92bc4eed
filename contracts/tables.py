import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, Domain
from core.tables import LinkActionsColumn, ObjectTable, RowLink

NOWRAP = {"td": {"class": "text-nowrap"}}


class StatusColumn(tables.TemplateColumn):
    def __init__(self, **kwargs):
        kwargs.setdefault("verbose_name", _("Status"))
        kwargs.setdefault("order_by", ("status",))
        super().__init__(template_name="contracts/includes/status.html", accessor="status", **kwargs)

    def value(self, record, value):
        return record.get_status_display()


class DomainStateColumn(tables.TemplateColumn):
    """Domainzustand: verification, zone, transfer lock and renewal mode."""

    def __init__(self, **kwargs):
        kwargs.setdefault("verbose_name", _("Domain state"))
        kwargs.setdefault("orderable", False)
        super().__init__(template_name="contracts/includes/domain_state.html", empty_values=(), **kwargs)

    def value(self, record, value):
        return ", ".join(record.state_summary())


class AssignableTable(ObjectTable):
    selection = tables.CheckBoxColumn(
        accessor="pk",
        exclude_from_export=True,
        attrs={
            "input": {"form": "bulk-form"},
            "th__input": {"data-select-all": "selection", "aria-label": _("Select all")},
        },
    )
    number = tables.Column(_("Contract"), linkify=True, attrs=NOWRAP)
    status = StatusColumn()
    end_customer = tables.TemplateColumn(
        template_name="contracts/includes/customer_column.html",
        verbose_name=_("Customer"),
        order_by=("end_customer__number",),
    )

    def value_end_customer(self, value):
        return str(value) if value else ""


class ContractTable(AssignableTable):
    product = tables.Column(_("Product"), accessor="shop_product__name")
    area = tables.Column(_("Area"))
    actions = LinkActionsColumn(RowLink("contracts:contract_detail", _("Details"), "search"))

    class Meta(ObjectTable.Meta):
        model = Contract
        fields = ("selection", "number", "product", "area", "status", "end_customer")
        sequence = ("selection", "number", "product", "area", "status", "end_customer", "actions")
        order_by = ("number",)


class DomainTable(AssignableTable):
    name = tables.Column(_("Domain"), accessor="name_unicode", linkify=True, attrs=NOWRAP)
    state = DomainStateColumn()
    registrar = tables.Column(_("Registrar"))
    actions = LinkActionsColumn(RowLink("contracts:domain_detail", _("Details"), "search"))

    class Meta(ObjectTable.Meta):
        model = Domain
        fields = ("selection", "number", "name", "state", "registrar", "status", "end_customer")
        sequence = ("selection", "number", "name", "state", "registrar", "status", "end_customer", "actions")
        order_by = ("name",)


class CustomerDomainTable(ObjectTable):
    """The customer's Domains tab: Vertrag, Domain, Domainzustand, Status, Registrar."""

    number = tables.Column(_("Contract"), linkify=True, attrs=NOWRAP)
    name = tables.Column(_("Domain"), accessor="name_unicode", linkify=True, attrs=NOWRAP)
    state = DomainStateColumn()
    status = StatusColumn()
    registrar = tables.Column(_("Registrar"))

    class Meta(ObjectTable.Meta):
        model = Domain
        fields = ("number", "name", "state", "status", "registrar")
        order_by = ("name",)
        empty_text = _("No domains are assigned to this customer.")


class CustomerProductTable(ObjectTable):
    """The customer's Products tab: type, name, contract, status.

    Assigned provider contracts are "Provider products"; reseller hostings
    ("Reseller products") join them with the Plesk integration.
    """

    kind = tables.Column(_("Type"), accessor="pk", orderable=False)
    name = tables.Column(_("Name"), accessor="shop_product__name")
    number = tables.Column(_("Contract"), linkify=True, attrs=NOWRAP)
    status = StatusColumn()

    class Meta(ObjectTable.Meta):
        model = Contract
        fields = ("kind", "name", "number", "status")
        order_by = ("number",)
        empty_text = _("No products are assigned to this customer.")

    def render_kind(self, record):
        return _("Reseller product") if getattr(record, "is_reseller_hosting", False) else _("Provider product")

    def value_kind(self, record):
        return str(self.render_kind(record))
