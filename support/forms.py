from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError

from core.forms import BootstrapFormMixin, TenantModelForm
from core.text import validate_plain_text
from support.models import LABEL_MAX_LENGTH, SupportRequest
from support.validators import is_site_path

if TYPE_CHECKING:
    from django.http import HttpRequest


class SupportRequestForm(BootstrapFormMixin, TenantModelForm):
    class Meta:
        model = SupportRequest
        fields = ["topic", "message", "object_label", "object_url", "page"]
        widgets = {
            "message": forms.Textarea(attrs={"rows": 8}),
            "object_url": forms.HiddenInput,
            "page": forms.HiddenInput,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self["object_url"].value():
            # The linking page named the object; the form shows it as that page's link, not as a text to retype.
            self.fields["object_label"].widget = forms.HiddenInput()


def is_plain_label(value: str) -> bool:
    try:
        validate_plain_text(value)
    except ValidationError:
        return False
    return 0 < len(value) <= LABEL_MAX_LENGTH


def prefill(request: HttpRequest) -> dict[str, str]:
    """What the page that links here knows (``?topic=…&object=…&object_url=…``) and the page the user came
    from (``?page=…`` or the same-site ``Referer``). Only known topics, plain labels and paths on this site
    are taken; anything else is left out, so a crafted link cannot put its own link into the request."""
    query = request.GET
    initial = {}
    topic = query.get("topic", "")
    if topic in SupportRequest.Topic.values:
        initial["topic"] = topic
    label = query.get("object", "").strip()
    if is_plain_label(label):
        initial["object_label"] = label
    object_url = query.get("object_url", "")
    if is_site_path(object_url):
        initial["object_url"] = object_url
    page = query.get("page", "") or referring_page(request)
    if is_site_path(page):
        initial["page"] = page
    return initial


def referring_page(request: HttpRequest) -> str:
    """The path of the ``Referer`` when it is a page of this site (the portal sends it for same-origin links)."""
    try:
        parts = urlsplit(request.headers.get("Referer", ""))
    except ValueError:
        return ""
    if parts.netloc != request.get_host():
        return ""
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
