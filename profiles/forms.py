from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin, TenantModelForm
from core.images import clean_image
from customers.models import EndCustomer
from profiles.models import Inquiry, PartnerProfile, Service, join_services
from users.forms import NormalizedEmailField

# The field a person never sees and a spam robot fills in (SECURITY-TESTS IV-08: no third-party CAPTCHA).
HONEYPOT = "homepage"


class PartnerProfileForm(BootstrapFormMixin, TenantModelForm):
    """The profile's page ("Partnerprofil"): the logo is checked and written anew by ``core.images``."""

    service_choices = forms.MultipleChoiceField(
        label=_("Services offered"),
        choices=Service.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    class Meta:
        model = PartnerProfile
        fields = [
            "is_public",
            "display_name",
            "slug",
            "logo",
            "remove_logo",
            "description",
            "service_choices",
            "postal_code",
            "city",
            "website",
            "contact_email",
        ]
        labels = {"display_name": _("Name"), "postal_code": _("Postal code"), "city": _("City")}
        field_classes = {"logo": forms.FileField, "contact_email": NormalizedEmailField}
        widgets = {
            "logo": forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "website": forms.TextInput(attrs={"placeholder": "www.example.de"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _(
            "Lower-case letters, digits and hyphens; the end of the profile's address. Left empty, it is made "
            "from the name."
        )
        if self.instance.pk and not self.is_bound:
            self.initial["service_choices"] = self.instance.service_list
        if self.instance.logo:
            self.fields["logo"].help_text = _("Leave empty to keep the current logo.")
        else:
            del self.fields["remove_logo"]

    def clean_logo(self) -> Any:
        value = self.cleaned_data.get("logo")
        if isinstance(value, UploadedFile):
            return clean_image(value, "logo")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean() or self.cleaned_data
        if cleaned_data.get("remove_logo") and not isinstance(cleaned_data.get("logo"), UploadedFile):
            cleaned_data["logo"] = False
        # Not a model field of the form: the instance takes it before the model's own checks run.
        self.instance.services = join_services(cleaned_data.get("service_choices") or [])
        return cleaned_data


class InquiryForm(BootstrapFormMixin, forms.ModelForm[Inquiry]):
    """The public page's inquiry form; ``homepage`` is the honeypot, hidden from people."""

    email = NormalizedEmailField(label=_("E-mail"))
    homepage = forms.CharField(label=_("Leave this field empty"), required=False)

    class Meta:
        model = Inquiry
        fields = ["name", "company", "email", "phone", "message"]
        labels = {"name": _("Your name"), "company": _("Company"), "phone": _("Phone"), "message": _("Your message")}
        widgets = {"message": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.strip = True
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["company"].widget.attrs["autocomplete"] = "organization"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["phone"].widget.attrs["autocomplete"] = "tel"
        self.fields[HONEYPOT].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    @property
    def is_spam(self) -> bool:
        """The honeypot is filled in: a robot. Its inquiry is dropped without a word."""
        return bool(self.data.get(HONEYPOT))


class InquiryAssignForm(BootstrapFormMixin, forms.Form):
    """ "Bestehendem Kunden zuordnen": a customer of the account (restricted like every tenant choice)."""

    end_customer = forms.ModelChoiceField(label=_("Customer"), queryset=EndCustomer.objects.none())

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["end_customer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = EndCustomer.objects.restrict(actor).order_by("number")
