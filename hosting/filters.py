import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import BaseFilterSet
from hosting.models import ResellerHosting


class ResellerHostingFilterSet(BaseFilterSet):
    search_fields = (
        "subscription_name",
        "domain",
        "plesk_customer_login",
        "end_customer__number",
        "end_customer__last_name",
        "end_customer__company",
        "contract__number",
    )

    status = django_filters.ChoiceFilter(label=_("Status"), choices=ResellerHosting.Status.choices)

    class Meta(BaseFilterSet.Meta):
        model = ResellerHosting
        fields = ["q", "status"]
