import django_filters
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, Domain, Status
from core.filters import SEARCH_MAX_LENGTH, BaseFilterSet
from core.tenancy import VIEW
from customers.models import EndCustomer

ASSIGNED_CHOICES = [("yes", _("assigned to a customer")), ("no", _("not assigned"))]


class AssignableFilterSet(BaseFilterSet):
    """Search, area, status and assigned / unassigned: the Produktverwaltung filters."""

    area = django_filters.ChoiceFilter(label=_("Area"), choices=[])
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    assigned = django_filters.ChoiceFilter(label=_("Customer"), choices=ASSIGNED_CHOICES, method="filter_assigned")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actor = getattr(self.request, "actor", None)
        if actor is not None and not actor.may(EndCustomer, VIEW):
            # Without end customers (no partner capability) there is nothing to be assigned to.
            del self.filters["assigned"]
        queryset = self.queryset
        # The areas the account has, read lazily from the same (restricted) queryset the list shows.
        self.filters["area"].extra["choices"] = lambda: [
            (area, area) for area in queryset.order_by("area").values_list("area", flat=True).distinct() if area
        ]

    def filter_assigned(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(end_customer__isnull=False)
        if value == "no":
            return queryset.filter(end_customer__isnull=True)
        return queryset


class ContractFilterSet(AssignableFilterSet):
    search_fields = (
        "number",
        "shop_product__name",
        "area",
        "note",
        "end_customer__number",
        "end_customer__last_name",
        "end_customer__company",
    )

    class Meta(BaseFilterSet.Meta):
        model = Contract
        fields = ["q", "area", "status", "assigned"]


class DomainFilterSet(AssignableFilterSet):
    search_fields = (
        "number",
        "name",
        "name_unicode",
        "registrar",
        "note",
        "end_customer__number",
        "end_customer__last_name",
        "end_customer__company",
    )

    verification = django_filters.ChoiceFilter(label=_("Verification"), choices=Domain.Verification.choices)

    class Meta(BaseFilterSet.Meta):
        model = Domain
        fields = ["q", "area", "status", "verification", "assigned"]

    def search(self, queryset, name, value):
        value = value.strip()[:SEARCH_MAX_LENGTH]
        if not value:
            return queryset
        # Domain names are stored lower-case; SQLite folds only ASCII case, so "Müller" needs the lowered term.
        return super().search(queryset, name, value) | queryset.filter(name_unicode__contains=value.lower())
