from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin, TenantModelForm, WriteOnlySecretsMixin
from core.images import KINDS, clean_image
from core.network import validate_public_host
from core.text import validate_plain_text
from portal.hosts import normalize_host
from portal.models import PortalTemplate

LINK_FIELDS = ("home_url", "contact_url", "imprint_url", "privacy_url", "terms_url")
COLOUR_FIELDS = ("color_1", "color_2", "color_3", "color_4")
# A stored password goes only to the server it was entered for (SECURITY-TESTS SEC-05).
CONNECTION_FIELDS = ("mail_host", "mail_port", "mail_security", "mail_username")


class ColourInput(forms.TextInput):
    """A text field for ``#rrggbb`` with a colour picker beside it (``static/js/portal_template.js`` keeps the two
    in step); the text field is what is sent, so the server checks exactly what was typed or picked."""

    template_name = "portal/widgets/colour.html"

    def __init__(self) -> None:
        super().__init__(
            attrs={"maxlength": 7, "spellcheck": "false", "autocomplete": "off", "pattern": "#[0-9a-fA-F]{6}"}
        )


class PortalTemplateForm(BootstrapFormMixin, WriteOnlySecretsMixin, TenantModelForm):
    """Template bearbeiten, in the seed's four sections. The portal URL is not a field: only operator staff set it."""

    secret_fields = ("mail_password",)
    sections = (
        ("portal", _("Portal data"), ("title", "portal_name", "portal_name_2")),
        ("links", _("General links"), LINK_FIELDS),
        (
            "mail",
            _("E-mail settings"),
            (
                "mail_host",
                "mail_port",
                "mail_security",
                "mail_username",
                "mail_password",
                "mail_password_clear",
                "mail_from",
                "mail_from_name",
                "mail_footer",
            ),
        ),
        ("design", _("Designer settings"), (*COLOUR_FIELDS, *KINDS)),
    )

    mail_password_clear = forms.BooleanField(label=_("Remove the stored mail password"), required=False)
    logo = forms.FileField(
        label=_("Logo"), required=False, widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"})
    )
    icon = forms.FileField(
        label=_("Icon"), required=False, widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"})
    )
    favicon = forms.FileField(
        label=_("Favicon"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp,image/x-icon,.ico"}),
    )

    class Meta:
        model = PortalTemplate
        fields = [
            "title",
            "portal_name",
            "portal_name_2",
            *LINK_FIELDS,
            "mail_host",
            "mail_port",
            "mail_security",
            "mail_username",
            "mail_password",
            "mail_from",
            "mail_from_name",
            "mail_footer",
            *COLOUR_FIELDS,
            *KINDS,
        ]
        widgets = {
            **{name: ColourInput() for name in COLOUR_FIELDS},
            **{name: forms.URLInput(attrs={"placeholder": "https://"}) for name in LINK_FIELDS},
            "mail_footer": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("title", "portal_name", "portal_name_2", "mail_username", "mail_from_name"):
            self.fields[name].validators.append(validate_plain_text)
        for name in KINDS:
            self.fields[name].help_text = (
                _("Leave empty to keep the current image.") if getattr(self.instance, name) else ""
            )

    def grouped_fields(self) -> list[tuple[str, Any, list[forms.BoundField]]]:
        # The checkbox that removes the password goes with the password field (see offers_password_clear).
        return [
            (key, title, [self[name] for name in names if name != "mail_password_clear"])
            for key, title, names in self.sections
        ]

    @property
    def offers_password_clear(self) -> bool:
        """Removing a password is offered only where one is stored."""
        return bool(self.instance.pk and self.instance.mail_password)

    def clean_mail_host(self) -> str:
        value: str = self.cleaned_data["mail_host"].strip()
        if not value:
            return ""
        try:
            host = str(ipaddress.ip_address(value))
        except ValueError:
            try:
                host = normalize_host(value)
            except ValueError:
                raise ValidationError(
                    _("Enter the mail server's host name, e.g. mail.example.com."), code="invalid"
                ) from None
        validate_public_host(host, allow_private=settings.MAIL_ALLOW_PRIVATE_HOSTS)
        return host

    def _clean_image(self, name: str) -> Any:
        value = self.cleaned_data.get(name)
        if isinstance(value, UploadedFile):
            return clean_image(value, name)
        return value

    def clean_logo(self) -> Any:
        return self._clean_image("logo")

    def clean_icon(self) -> Any:
        return self._clean_image("icon")

    def clean_favicon(self) -> Any:
        return self._clean_image("favicon")

    def clean(self) -> dict[str, Any]:
        typed_password = bool(self.cleaned_data.get("mail_password"))
        cleaned_data = super().clean()
        for name in LINK_FIELDS:
            link = cleaned_data.get(name) or ""
            if link and (urlsplit(link).username is not None or "@" in urlsplit(link).netloc):
                self.add_error(name, _("Enter a link without a user name or password in it."))
        if cleaned_data.get("mail_password_clear"):
            cleaned_data["mail_password"] = ""
        elif not typed_password and cleaned_data.get("mail_password"):
            # A field with its own error is asked to be corrected first; the password comes after.
            moved = [name for name in CONNECTION_FIELDS if name in self.changed_data and name not in self.errors]
            if moved:
                self.add_error(
                    "mail_password",
                    _("The mail host, port, encryption or username changed: please enter the mail password again."),
                )
        return cleaned_data
