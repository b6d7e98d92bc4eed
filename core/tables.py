import django_tables2 as tables
from django.template.loader import get_template
from django.utils.translation import gettext_lazy as _


class ObjectTable(tables.Table):
    """Base of every list's table. Columns with ``exclude_from_export`` stay out of exports."""

    class Meta:
        attrs = {"class": "table table-hover table-sm align-middle mb-0"}
        empty_text = _("No entries found.")
        order_by_field = "sort"
        page_field = "page"
        per_page_field = "per_page"


class PageContextTemplateColumn(tables.TemplateColumn):
    """A template column rendered with the page's already-built context.

    django-tables2 renders each cell with the request, which runs every
    context processor again for every row; the page context already holds
    what the cell needs (``actor``, ``perms_*``, ``csrf_token``).
    """

    def render(self, record, table, value, bound_column, **kwargs):
        parent = getattr(table, "context", None)
        if parent is None or not self.template_name:
            return super().render(record, table, value, bound_column, **kwargs)
        context = parent.flatten()
        context.update(
            self.get_context_data(record=record, table=table, value=value, bound_column=bound_column, **kwargs)
        )
        return get_template(self.template_name).render(context)


class ActionsColumn(PageContextTemplateColumn):
    """The buttons at the end of a row; never exported, never sortable."""

    def __init__(self, template_name, **kwargs):
        kwargs.setdefault("verbose_name", _("Actions"))
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("exclude_from_export", True)
        kwargs.setdefault("attrs", {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}})
        super().__init__(template_name=template_name, **kwargs)
