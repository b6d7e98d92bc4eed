import django_filters
from django.utils.translation import gettext_lazy as _

from contracts.models import Status
from core.filters import BaseFilterSet
from products.models import ResellerProduct


class ResellerProductFilterSet(BaseFilterSet):
    search_fields = ("name", "description", "shop_product__name")

    kind = django_filters.ChoiceFilter(label=_("Type"), choices=ResellerProduct.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)

    class Meta(BaseFilterSet.Meta):
        model = ResellerProduct
        fields = ["q", "kind", "status"]
