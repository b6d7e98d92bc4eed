from core.filters import BaseFilterSet
from partners.models import Partnership


class PartnershipFilterSet(BaseFilterSet):
    search_fields = ("customer_account__number", "customer_account__name")

    class Meta(BaseFilterSet.Meta):
        model = Partnership
        fields = ["q"]
