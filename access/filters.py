from access.models import ServiceAccess
from core.filters import BaseFilterSet


class ServiceAccessFilterSet(BaseFilterSet):
    search_fields = ("shared_account__number", "shared_account__name", "sharer__username", "sharer__last_name")

    class Meta(BaseFilterSet.Meta):
        model = ServiceAccess
        fields = ["q"]
