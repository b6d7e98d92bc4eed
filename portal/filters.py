from core.filters import BaseFilterSet
from portal.models import PortalTemplate


class PortalTemplateFilterSet(BaseFilterSet):
    search_fields = ("title", "portal_name", "portal_name_2", "portal_url")

    class Meta(BaseFilterSet.Meta):
        model = PortalTemplate
        fields = ["q"]
