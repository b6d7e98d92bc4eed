import django_filters
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from core.filters import BaseFilterSet


class AuditEntryFilterSet(BaseFilterSet):
    search_fields = ("user_repr", "object_repr")

    action = django_filters.ChoiceFilter(label=_("Action"), choices=AuditEntry.Action.choices)
    created_after = django_filters.DateFilter(
        label=_("From"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
    created_before = django_filters.DateFilter(
        label=_("Until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )

    class Meta(BaseFilterSet.Meta):
        model = AuditEntry
        fields = ["q", "action", "created_after", "created_before"]
