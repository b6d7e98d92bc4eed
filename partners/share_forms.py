from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from core.text import validate_multiline_text
from customers.models import EndCustomer
from partners.forms import ScopeForm
from partners.shares import MESSAGE_LIMIT


class PartnerSearchForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label=_("Partner's name, customer number or e-mail address"),
        max_length=200,
        help_text=_("Enter them exactly as the partner gave them to you."),
    )


class ShareForm(ScopeForm):
    """Zugriff freigeben: Voll- or Teilzugriff (``ScopeForm``) and an optional message to the partner."""

    message = forms.CharField(
        label=_("Message to the partner (optional)"),
        required=False,
        max_length=MESSAGE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[validate_multiline_text],
    )


class ConnectForm(BootstrapFormMixin, forms.Form):
    """Kunde verbinden: a new MKM customer from the customer's data, or one the partner already has."""

    how = forms.ChoiceField(
        label=_("Customer"),
        choices=[("new", _("Create a new customer")), ("existing", _("Assign to an existing customer"))],
        widget=forms.RadioSelect,
        initial="new",
    )
    end_customer = forms.ModelChoiceField(
        label=_("Existing customer"), queryset=EndCustomer.objects.none(), required=False
    )

    def __init__(self, *args: Any, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The partner's own customers only: another account's id is "Select a valid choice" (INV-07).
        field = self.fields["end_customer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = EndCustomer.objects.restrict(actor)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("how") == "existing" and not cleaned.get("end_customer"):
            self.add_error("end_customer", _("Choose the customer."))
        return cleaned


class DeclineForm(BootstrapFormMixin, forms.Form):
    message = forms.CharField(
        label=_("Personal message (optional)"),
        required=False,
        max_length=MESSAGE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[validate_multiline_text],
        help_text=_("Added to the standard e-mail that tells the customer you declined."),
    )
