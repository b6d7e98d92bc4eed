import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from contracts.tables import StatusColumn
from core.tables import LinkActionsColumn, ObjectTable, RowLink
from core.tenancy import DELETE
from products.models import ResellerProduct
from products.money import format_eur

NUMBER = {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}


class ResellerProductTable(ObjectTable):
    id = tables.Column(_("ID"))
    kind = tables.TemplateColumn(
        template_name="products/includes/kind.html", verbose_name=_("Type"), order_by=("kind",)
    )
    name = tables.Column(_("Product"), linkify=True)
    net_price = tables.Column(_("Net price"), attrs=NUMBER)
    status = StatusColumn()
    usage = tables.Column(_("Usage"), attrs=NUMBER)
    actions = LinkActionsColumn(
        RowLink("products:resellerproduct_detail", _("Details"), "search"),
        RowLink("products:resellerproduct_edit", _("Edit"), "pencil", "warning"),
        RowLink(
            "products:resellerproduct_delete",
            _("Delete"),
            "trash",
            "danger",
            permission=DELETE,
            condition=lambda record: record.usage == 0,
        ),
    )

    class Meta(ObjectTable.Meta):
        model = ResellerProduct
        fields = ("id", "kind", "name", "net_price", "status", "usage")
        order_by = ("id",)

    def value_kind(self, record):
        return record.get_kind_display()

    def render_net_price(self, value):
        return format_eur(value)

    def value_net_price(self, value):
        # Exports keep the number, so a spreadsheet can calculate with it.
        return value
