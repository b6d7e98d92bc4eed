from functools import reduce
from operator import or_
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin

SEARCH_MAX_LENGTH = 100


class FilterForm(BootstrapFormMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] += (
                " form-control-sm" if "form-control" in field.widget.attrs["class"] else " form-select-sm"
            )


class BaseFilterSet(django_filters.FilterSet):
    """Base of every list's FilterSet, shared by the UI and the API.

    ``search_fields`` are the fields the search box looks in (``icontains``).
    Only declared filters apply; unknown parameters are ignored, and the
    search text is cut to a sane length (SECURITY-TESTS IV-10).
    """

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        form = FilterForm

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = value.strip()[:SEARCH_MAX_LENGTH]
        if not value or not self.search_fields:
            return queryset
        return queryset.filter(reduce(or_, (Q(**{f"{field}__icontains": value}) for field in self.search_fields)))
