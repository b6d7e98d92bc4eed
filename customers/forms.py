from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin, TenantModelForm
from core.text import validate_plain_text
from customers.imports import FIELDS
from customers.models import EndCustomer, Todo
from customers.validators import format_phone
from users.forms import NormalizedEmailField
from users.models import User


class EndCustomerForm(BootstrapFormMixin, TenantModelForm):
    """Two sections, as in the provider's portal: general data and contact."""

    sections = (
        (_("General"), ("number", "company", "last_name", "first_name", "street", "postal_code", "city", "country")),
        (_("Contact"), ("phone", "mobile", "email", "website")),
    )

    class Meta:
        model = EndCustomer
        fields = [
            "number",
            "company",
            "last_name",
            "first_name",
            "street",
            "postal_code",
            "city",
            "country",
            "phone",
            "mobile",
            "email",
            "website",
        ]
        labels = {"street": _("Address"), "postal_code": _("Postal code"), "city": _("City")}
        field_classes = {"email": NormalizedEmailField}
        widgets = {"website": forms.TextInput(attrs={"placeholder": "www.example.de"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            for field in ("phone", "mobile"):
                self.initial[field] = format_phone(getattr(self.instance, field), self.instance.country)

    def grouped_fields(self):
        return [(title, [self[name] for name in names]) for title, names in self.sections]


class PortalUserForm(BootstrapFormMixin, forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, validators=[validate_plain_text])
    last_name = forms.CharField(label=_("Last name"), max_length=150, validators=[validate_plain_text])
    email = NormalizedEmailField(label=_("E-mail"))
    access = forms.ChoiceField(
        label=_("Access"),
        choices=[("invite", _("Invitation by e-mail")), ("password", _("Set a password"))],
        initial="invite",
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    send_summary = forms.BooleanField(label=_("Send account summary"), required=False, initial=False)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if not username or any(char.isspace() for char in username):
            raise forms.ValidationError(_("A username has no spaces."))
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is already taken."))
        return username

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("access") == "password":
            password = cleaned.get("password")
            if not password:
                self.add_error("password", _("Enter a password or choose the invitation by e-mail."))
            else:
                try:
                    password_validation.validate_password(password)
                except forms.ValidationError as error:
                    self.add_error("password", error)
        else:
            cleaned["password"] = None
        return cleaned


class TodoForm(BootstrapFormMixin, TenantModelForm):
    class Meta:
        model = Todo
        fields = ["title", "description", "due_date", "status", "assignee"]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assignee.queryset = User.objects.filter(memberships__account=self.actor.account).order_by("username")
        assignee.label_from_instance = lambda user: user.display_name


class ImportUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (separated by semicolon or comma) or Excel (.xlsx); the first row names the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )


class ImportMappingForm(BootstrapFormMixin, forms.Form):
    """One dropdown per customer field: which column of the file holds it."""

    def __init__(self, *args, header, initial_mapping, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("– not in the file –"))] + [
            (str(index), name or f"#{index + 1}") for index, name in enumerate(header)
        ]
        for field, label, required in FIELDS:
            index = initial_mapping.get(field)
            self.fields[field] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=required,
                initial="" if index is None else str(index),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def mapping(self) -> dict:
        return {field: (int(value) if value != "" else None) for field, value in self.cleaned_data.items()}
