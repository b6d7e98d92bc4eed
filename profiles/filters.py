from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import BaseFilterSet
from profiles.models import Inquiry, PartnerProfile, Service


def with_service(queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
    """Profiles offering ``value`` (a ``Service`` code, checked by the filter's choices) in their stored list."""
    if not value:
        return queryset
    return queryset.filter(services__regex=rf"(^|,){value}(,|$)")


class PartnerProfileFilterSet(BaseFilterSet):
    """The public directory's search: name, service and city (postal code too)."""

    search_fields = ("display_name", "description")

    service = django_filters.ChoiceFilter(label=_("Service"), choices=Service.choices, method="filter_service")
    city = django_filters.CharFilter(label=_("City or postal code"), method="filter_city")

    class Meta(BaseFilterSet.Meta):
        model = PartnerProfile
        fields = ["q", "service", "city"]

    def filter_service(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return with_service(queryset, name, value)

    def filter_city(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(city__icontains=value) | queryset.filter(postal_code__startswith=value)


class InquiryFilterSet(BaseFilterSet):
    search_fields = ("name", "company", "email", "phone", "message")

    status = django_filters.ChoiceFilter(label=_("Status"), choices=Inquiry.Status.choices)
    linked = django_filters.ChoiceFilter(
        label=_("Customer"),
        choices=[("yes", _("assigned to a customer")), ("no", _("not assigned"))],
        method="filter_linked",
    )

    class Meta(BaseFilterSet.Meta):
        model = Inquiry
        fields = ["q", "status", "linked"]

    def filter_linked(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if value == "yes":
            return queryset.filter(end_customer__isnull=False)
        if value == "no":
            return queryset.filter(end_customer__isnull=True)
        return queryset
