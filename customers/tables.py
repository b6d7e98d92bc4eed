import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.tables import ActionsColumn, DateColumn, LinkActionsColumn, ObjectTable, RowLink
from core.tenancy import DELETE
from customers.models import EndCustomer, PortalUser, Todo


class EndCustomerTable(ObjectTable):
    selection = tables.CheckBoxColumn(accessor="pk", exclude_from_export=True, attrs={"input": {"form": "bulk-form"}})
    number = tables.Column(_("Customer number"), linkify=("customers:endcustomer_detail", [tables.A("pk")]))
    last_name = tables.Column(_("Last name"))
    first_name = tables.Column(_("First name"))
    company = tables.Column(_("Company"))
    product_count = tables.Column(
        _("Products"),
        attrs={
            "td": {"class": "text-end"},
            "th": {
                "class": "text-end",
                "title": _("Assigned provider contracts and reseller hostings, as in the Products tab; not domains."),
            },
        },
    )
    # The rest of the master data, in copy, CSV and Excel only; headed as the import reads them, so an
    # export can be imported again.
    street = tables.Column(_("Address"))
    postal_code = tables.Column(_("Postal code"))
    city = tables.Column(_("City"))
    country = tables.Column(_("Country"))
    phone = tables.Column(_("Phone"))
    mobile = tables.Column(_("Mobile"))
    email = tables.Column(_("E-mail"))
    website = tables.Column(_("Website"))
    actions = LinkActionsColumn(
        RowLink("customers:endcustomer_detail", _("Details"), "search"),
        RowLink(
            "customers:endcustomer_delete",
            _("Delete"),
            "trash",
            "danger",
            permission=DELETE,
            condition=lambda record: record.is_deletable,
        ),
    )

    export_only = ("street", "postal_code", "city", "country", "phone", "mobile", "email", "website")

    class Meta(ObjectTable.Meta):
        model = EndCustomer
        fields = ("selection", "number", "last_name", "first_name", "company", "product_count")
        sequence = ("selection", "number", "last_name", "first_name", "company", "product_count", "...", "actions")
        order_by = ("number",)


class PortalUserTable(ObjectTable):
    username = tables.Column(_("Username"), accessor="user__username")
    name = tables.Column(_("First name / last name"), accessor="user__last_name", order_by=("user__last_name",))
    email = tables.Column(_("E-mail"), accessor="user__email")
    status = tables.Column(_("Status"), accessor="user__is_active")
    actions = ActionsColumn("customers/includes/portaluser_actions.html")

    class Meta(ObjectTable.Meta):
        model = PortalUser
        fields = ("username", "name", "email", "status")

    def render_name(self, record):
        return f"{record.user.first_name} {record.user.last_name}"

    def value_name(self, record):
        return self.render_name(record)

    def render_status(self, value):
        return _("active") if value else _("deactivated")

    def value_status(self, value):
        return self.render_status(value)


class TodoTable(ObjectTable):
    title = tables.Column(_("Title"))
    due_date = DateColumn(verbose_name=_("Due date"), format="SHORT_DATE_FORMAT")
    status = tables.TemplateColumn(template_name="customers/includes/todo_status.html", verbose_name=_("Status"))
    assignee = tables.Column(_("Assignee"), accessor="assignee__username")
    actions = LinkActionsColumn(
        RowLink("customers:todo_edit", _("Edit"), "pencil", "warning"),
        RowLink("customers:todo_delete", _("Delete"), "trash", "danger"),
    )

    class Meta(ObjectTable.Meta):
        model = Todo
        fields = ("title", "due_date", "status", "assignee")

    def value_status(self, record):
        return record.get_status_display()


class MyTodoTable(TodoTable):
    customer = tables.Column(
        _("Customer"), accessor="end_customer__number", linkify=lambda record: record.end_customer.get_absolute_url()
    )

    class Meta(TodoTable.Meta):
        fields = ("customer", "title", "due_date", "status", "assignee")
        sequence = ("customer", "title", "due_date", "status", "assignee", "actions")


class CustomerProductTable(ObjectTable):
    """The customer's Products tab: type, name, contract, status, over the rows of every product relation."""

    kind = tables.Column(_("Type"))
    name = tables.TemplateColumn(template_name="customers/includes/product_name.html", verbose_name=_("Name"))
    number = tables.Column(_("Contract"), linkify=lambda record: record.url, attrs={"td": {"class": "text-nowrap"}})
    status = tables.TemplateColumn(template_name="customers/includes/product_status.html", verbose_name=_("Status"))

    class Meta(ObjectTable.Meta):
        order_by = ("number",)
        empty_text = _("No products are assigned to this customer.")
