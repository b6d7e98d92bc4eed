import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import BaseFilterSet
from support.models import SupportRequest


class SupportRequestFilterSet(BaseFilterSet):
    search_fields = ("message", "object_label", "reply")

    topic = django_filters.ChoiceFilter(label=_("Topic"), choices=SupportRequest.Topic.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=SupportRequest.Status.choices)

    class Meta(BaseFilterSet.Meta):
        model = SupportRequest
        fields = ["q", "topic", "status"]
