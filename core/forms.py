from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.tenancy import VIEW, RestrictedQuerySet, TenantModel

if TYPE_CHECKING:
    from core.actor import Actor

    # The mixins below are mixed into these; at run time they derive from object.
    _FormMixinBase = forms.BaseForm
    _ModelFormMixinBase = forms.BaseModelForm[Any]
    _ModelForm = forms.ModelForm[Any]
else:
    _FormMixinBase = _ModelFormMixinBase = object
    _ModelForm = forms.ModelForm


def restrict_form_fields(form: forms.BaseForm, actor: Actor | None, action: str = VIEW) -> None:
    """Limit every choice field over a tenant model to what ``actor`` may see.

    Applied to dropdowns and to foreign keys given by id in POST data alike: a
    forged id of another account fails validation with "Select a valid
    choice" and nothing is written (SECURITY-TESTS ISO-04).
    """
    for field in form.fields.values():
        if not isinstance(field, forms.ModelChoiceField) or field.queryset is None:
            continue
        if issubclass(field.queryset.model, TenantModel):
            # TenantModel's manager makes every queryset over a tenant model a RestrictedQuerySet.
            queryset = cast("RestrictedQuerySet[TenantModel]", field.queryset)
            field.queryset = queryset.restrict(actor, action)


class TenantModelForm(_ModelForm):
    """A model form that knows its actor and restricts its choice fields."""

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        self.actor = actor
        super().__init__(*args, **kwargs)
        restrict_form_fields(self, actor)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
                field.strip = True


class BootstrapFormMixin(_FormMixinBase):
    """Adds Bootstrap classes to widgets, so templates can render fields plainly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            # Radio buttons and checkbox lists get the class on each of their inputs: as form controls they
            # would be drawn as empty boxes that never show which choice is made.
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"


class WriteOnlySecretsMixin(_ModelFormMixinBase):
    """Secret fields are never shown again, and leaving one empty keeps the stored value.

    Declare ``secret_fields``; each becomes a password input without its value.
    """

    secret_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.secret_fields:
            field = self.fields[name]
            field.widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
            field.required = False
            if isinstance(field, forms.CharField):
                field.strip = False
            if self.instance.pk and getattr(self.instance, name):
                field.help_text = _("Stored. Leave empty to keep it.")

    def clean(self) -> dict[str, Any]:
        # After the form's other checks, which see what was submitted, and before the instance is
        # built from the cleaned data.
        cleaned_data = super().clean() or self.cleaned_data
        if self.instance.pk:
            stored = type(self.instance)._default_manager.get(pk=self.instance.pk)
            for name in self.secret_fields:
                if not cleaned_data.get(name):
                    cleaned_data[name] = getattr(stored, name)
        return cleaned_data
