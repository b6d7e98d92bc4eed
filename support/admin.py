from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from support import services
from support.models import SupportRequest

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.utils.safestring import SafeString

    from core.http import ActorRequest


class SupportRequestAdminForm(forms.ModelForm[SupportRequest]):
    class Meta:
        model = SupportRequest
        fields = ["reply"]
        widgets = {"reply": forms.Textarea(attrs={"rows": 10, "cols": 80})}

    def clean_reply(self) -> str:
        reply = cast("str", self.cleaned_data["reply"])
        if not reply.strip():
            raise forms.ValidationError(services.REPLY_REQUIRED)
        return reply


@admin.register(SupportRequest)
class SupportRequestAdmin(admin.ModelAdmin[SupportRequest]):
    """Operator staff read the requests of every account and answer them; the answer is mailed to the sender."""

    form = SupportRequestAdminForm
    # The sender's page shows the request to its sender alone, not to operator staff.
    view_on_site = False
    list_display = ["pk", "topic", "account", "sender", "status", "created_at", "replied_at"]
    list_filter = ["status", "topic"]
    search_fields = ["account__number", "account__name", "sender__username", "object_label", "message"]
    list_select_related = ["account", "sender"]
    fields = [
        "account",
        "sender",
        "sender_email",
        "created_at",
        "topic",
        "message",
        "concerns",
        "sent_from",
        "status",
        "reply",
        "replied_by",
        "replied_at",
    ]
    readonly_fields = [
        "account",
        "sender",
        "sender_email",
        "created_at",
        "topic",
        "message",
        "concerns",
        "sent_from",
        "status",
        "replied_by",
        "replied_at",
    ]

    @admin.display(description=_("e-mail"))
    def sender_email(self, support_request: SupportRequest) -> str:
        return support_request.sender.email if support_request.sender else ""

    @admin.display(description=_("concerns"))
    def concerns(self, support_request: SupportRequest) -> SafeString | str:
        return link_or_text(support_request.object_label, support_request.object_url)

    @admin.display(description=_("sent from page"))
    def sent_from(self, support_request: SupportRequest) -> SafeString | str:
        return link_or_text(support_request.page, support_request.page)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SupportRequest | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: SupportRequest, form: Any, change: bool) -> None:
        # The answer is the only thing to change here, and it goes through the service (audit, mail).
        if "reply" in form.changed_data:
            actor = cast("ActorRequest", request).actor
            answered = services.answer_support_request(actor, obj.pk, obj.reply)
            obj.status, obj.replied_by, obj.replied_at = answered.status, answered.replied_by, answered.replied_at


def link_or_text(label: str, path: str) -> SafeString | str:
    """A same-site path (validated when the request was sent) as a link on the main portal."""
    if not path:
        return label
    return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', services.site_link(path), label or path)
