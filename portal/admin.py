from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from portal import template_services as services
from portal.hosts import split_portal_url
from portal.models import PortalTemplate

if TYPE_CHECKING:
    from core.http import ActorRequest


class PortalTemplateAdminForm(forms.ModelForm[PortalTemplate]):
    """Operator staff create a template for a reseller and alone set its portal URL (host name)."""

    # Not the model's ``account``, which no form may edit (AccountOwnedModel); the add form sets it from this.
    reseller_account = forms.ModelChoiceField(
        label=_("reseller account"), queryset=Account.objects.filter(is_partner=True), required=True
    )

    class Meta:
        model = PortalTemplate
        fields = ["portal_url", "title", "portal_name", "portal_name_2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The owner of a template never changes: its files and mail belong to that reseller.
            del self.fields["reseller_account"]

    def clean_portal_url(self) -> str:
        portal_url, host = split_portal_url(self.cleaned_data["portal_url"])
        taken = PortalTemplate.objects.filter(host=host).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("This host name already belongs to another portal template."))
        return portal_url

    def save(self, commit: bool = True) -> PortalTemplate:
        if "reseller_account" in self.cleaned_data:
            self.instance.account = self.cleaned_data["reseller_account"]
        return super().save(commit)


@admin.register(PortalTemplate)
class PortalTemplateAdmin(admin.ModelAdmin[PortalTemplate]):
    form = PortalTemplateAdminForm
    list_display = ["portal_name", "host", "account", "updated_at"]
    search_fields = ["portal_name", "host", "account__name", "account__number"]
    list_select_related = ["account"]

    def get_fields(self, request: HttpRequest, obj: PortalTemplate | None = None) -> tuple[str, ...]:
        fields = ("portal_url", "title", "portal_name", "portal_name_2")
        return fields if obj else ("reseller_account", *fields)

    def save_model(
        self, request: HttpRequest, obj: PortalTemplate, form: forms.ModelForm[PortalTemplate], change: bool
    ) -> None:
        # Through the service, so staff's changes are in the reseller's activity list like the reseller's own.
        services.save_template_as_operator(cast("ActorRequest", request).actor, obj)

    def delete_model(self, request: HttpRequest, obj: PortalTemplate) -> None:
        services.delete_template_as_operator(cast("ActorRequest", request).actor, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[PortalTemplate]) -> None:
        # One by one, so each deletion is recorded in its own reseller's activity list.
        for template in queryset:
            services.delete_template_as_operator(cast("ActorRequest", request).actor, template)
