import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.tables import ActionsColumn, ObjectTable
from hosting.plans import LIMITS, Limit


class LimitColumn(tables.Column):
    """A limit in the unit it is entered in, or "unlimited"."""

    def __init__(self, limit: Limit, **kwargs):
        kwargs.setdefault("empty_values", ())
        kwargs.setdefault("attrs", {"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}})
        header = f"{limit.label} ({limit.unit})" if limit.unit else limit.label
        super().__init__(header, accessor=f"values__{limit.field}", order_by=f"sort_values__{limit.field}", **kwargs)

    def render(self, value):
        return _("unlimited") if value is None else value

    def value(self, value):
        return str(_("unlimited")) if value is None else value


# The page shows the limits a reseller compares plans by; the exports hold all of them.
SHOWN_LIMITS = ("disk_space_gb", "traffic_gb", "domains", "mailboxes", "databases")


class HostingPlanTable(ObjectTable):
    """MKM → Hosting-Pläne: the reseller's plans on each hosting space, read live from Plesk."""

    export_only = tuple(f"limit_{limit.field}" for limit in LIMITS if limit.field not in SHOWN_LIMITS)

    contract = tables.Column(
        _("Hosting space"),
        accessor="contract__number",
        linkify=lambda record: record.contract.get_absolute_url(),
        attrs={"td": {"class": "text-nowrap"}},
    )
    name = tables.Column(_("Name"), attrs={"td": {"class": "text-nowrap"}})
    origin = tables.TemplateColumn(
        '{% load i18n %}{% if record.created_in_portal %}<span class="badge text-bg-info" data-testid="made-in-portal">'
        '{% translate "created in the portal" %}</span>{% else %}<span class="badge text-bg-secondary">Plesk</span>'
        "{% endif %}",
        verbose_name=_("Origin"),
        accessor="created_in_portal",
    )
    hostings = tables.Column(_("Hostings"), attrs={"td": {"class": "text-end", "data-testid": "plan-hostings"}})
    actions = ActionsColumn("hosting/includes/plan_actions.html")

    class Meta(ObjectTable.Meta):
        sequence = ("contract", "name", "origin", "...", "hostings", "actions")
        empty_text = _("No hosting plans on your hosting spaces yet.")
        row_attrs = {"data-plan": lambda record: record.name}

    def __init__(self, *args, **kwargs):
        extra = [(f"limit_{limit.field}", LimitColumn(limit)) for limit in LIMITS]
        super().__init__(*args, extra_columns=extra, **kwargs)

    def value_origin(self, record):
        return _("created in the portal") if record.created_in_portal else "Plesk"
