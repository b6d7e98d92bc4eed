from django import forms
from django.utils.translation import gettext_lazy as _

from core.tenancy import VIEW, TenantModel


def restrict_form_fields(form: forms.BaseForm, actor, action: str = VIEW) -> None:
    """Limit every choice field over a tenant model to what ``actor`` may see.

    Applied to dropdowns and to foreign keys given by id in POST data alike: a
    forged id of another account fails validation with "Select a valid
    choice" and nothing is written (SECURITY-TESTS ISO-04).
    """
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is not None and issubclass(queryset.model, TenantModel):
            field.queryset = queryset.restrict(actor, action)


class TenantModelForm(forms.ModelForm):
    """A model form that knows its actor and restricts its choice fields."""

    def __init__(self, *args, actor, **kwargs):
        self.actor = actor
        super().__init__(*args, **kwargs)
        restrict_form_fields(self, actor)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
                field.strip = True


class BootstrapFormMixin:
    """Adds Bootstrap classes to widgets, so templates can render fields plainly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput,)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


class WriteOnlySecretsMixin:
    """Secret fields are never shown again, and leaving one empty keeps the stored value.

    Declare ``secret_fields``; each becomes a password input without its value.
    """

    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            field = self.fields[name]
            field.widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
            field.required = False
            field.strip = False
            if self.instance.pk and getattr(self.instance, name):
                field.help_text = _("Stored. Leave empty to keep it.")

    def clean(self):
        # After the form's other checks, which see what was submitted, and before the instance is
        # built from the cleaned data.
        cleaned_data = super().clean() or self.cleaned_data
        if self.instance.pk:
            stored = type(self.instance)._default_manager.get(pk=self.instance.pk)
            for name in self.secret_fields:
                if not cleaned_data.get(name):
                    cleaned_data[name] = getattr(stored, name)
        return cleaned_data
