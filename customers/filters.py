import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import BaseFilterSet
from customers.models import COUNTRIES, EndCustomer, Todo


class EndCustomerFilterSet(BaseFilterSet):
    search_fields = ("number", "last_name", "first_name", "company", "email", "city")

    country = django_filters.ChoiceFilter(label=_("Country"), choices=COUNTRIES)
    has_products = django_filters.ChoiceFilter(
        label=_("Products"),
        choices=[("yes", _("with products")), ("no", _("without products"))],
        method="filter_has_products",
    )

    class Meta(BaseFilterSet.Meta):
        model = EndCustomer
        fields = ["q", "country", "has_products"]

    def filter_has_products(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(product_count__gt=0)
        if value == "no":
            return queryset.filter(product_count=0)
        return queryset


class TodoFilterSet(BaseFilterSet):
    search_fields = ("title", "end_customer__number", "end_customer__last_name", "end_customer__company")

    status = django_filters.ChoiceFilter(label=_("Status"), choices=Todo.Status.choices)

    class Meta(BaseFilterSet.Meta):
        model = Todo
        fields = ["q", "status"]
