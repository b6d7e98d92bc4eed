from access.models import ServiceAccess
from core.filters import BaseFilterSet


class ServiceAccessFilterSet(BaseFilterSet):
    search_fields = (
        "shared_account__number",
        "shared_account__name",
        "end_customer__number",
        "end_customer__company",
        "end_customer__last_name",
        "sharer__username",
        "sharer__last_name",
    )

    class Meta(BaseFilterSet.Meta):
        model = ServiceAccess
        fields = ["q"]
