import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from core.filters import BaseFilterSet
from core.roles import Role


class MembershipFilterSet(BaseFilterSet):
    search_fields = ("user__username", "user__first_name", "user__last_name", "user__email")

    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices)

    class Meta(BaseFilterSet.Meta):
        model = Membership
        fields = ["q", "role"]
