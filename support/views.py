from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.utils.translation import gettext_lazy as _

from core.views import ObjectDetailView, ObjectEditView, ObjectListView
from support import services
from support.filters import SupportRequestFilterSet
from support.forms import SupportRequestForm, prefill
from support.models import SupportRequest, own_requests
from support.tables import SupportRequestTable

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django.forms import BaseModelForm


class SupportRequestListView(ObjectListView):
    model = SupportRequest
    table_class = SupportRequestTable
    filterset_class = SupportRequestFilterSet
    add_url_name = "support:request_add"
    title = _("My support requests")

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return own_requests(queryset, self.actor.user)


class SupportRequestDetailView(ObjectDetailView):
    model = SupportRequest

    def refine_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return own_requests(queryset, self.actor.user).select_related("sender", "replied_by")


class SupportRequestEditView(ObjectEditView):
    model = SupportRequest
    form_class = SupportRequestForm
    template_name = "support/supportrequest_edit.html"
    success_message = _("Sent to support.")

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), **prefill(self.request)}

    def save_form(self, form: BaseModelForm[Any]) -> SupportRequest:
        return services.send_support_request(self.actor, form.instance)

    def get_success_url(self) -> str:
        # form_valid sets the object to what save_form returned before it asks for this.
        return cast("SupportRequest", self.object).get_absolute_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = _("Contact support")
        return context
