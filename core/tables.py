import django_tables2 as tables
from django.utils.translation import gettext_lazy as _


class ObjectTable(tables.Table):
    """Base of every list's table. Columns with ``exclude_from_export`` stay out of exports."""

    class Meta:
        attrs = {"class": "table table-hover table-sm align-middle mb-0"}
        empty_text = _("No entries found.")
        order_by_field = "sort"
        page_field = "page"
        per_page_field = "per_page"


class ActionsColumn(tables.TemplateColumn):
    """The buttons at the end of a row; never exported, never sortable."""

    def __init__(self, template_name, **kwargs):
        kwargs.setdefault("verbose_name", _("Actions"))
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("exclude_from_export", True)
        kwargs.setdefault("attrs", {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}})
        super().__init__(template_name=template_name, **kwargs)
