from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from users.forms import NormalizedEmailField, SignupForm

MESSAGE_LENGTH = 2000


class PartnerInvitationForm(BootstrapFormMixin, forms.Form):
    """ "Einen Kunden hinzufügen": whom to ask, for which access, with which words."""

    email = NormalizedEmailField(label=_("E-mail address of the customer"), max_length=254)
    requested_full = forms.TypedChoiceField(
        label=_("Access asked for"),
        choices=[("1", _("Full access")), ("0", _("Partial access"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
        help_text=_(
            "You cannot see the customer's products yet: with a partial access, say in the message what you "
            "need. The customer chooses what it grants."
        ),
    )
    message = forms.CharField(
        label=_("Message (optional)"),
        required=False,
        max_length=MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    sender_email = NormalizedEmailField(
        label=_("Sender address (optional)"),
        required=False,
        max_length=254,
        help_text=_("Where the customer's replies go."),
    )


class DeclineForm(BootstrapFormMixin, forms.Form):
    decline_message = forms.CharField(
        label=_("Message to the partner (optional)"),
        required=False,
        max_length=MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CustomerSignupForm(SignupForm):
    """A login and a customer account of one's own, for someone invited who has neither."""

    account_name = forms.CharField(
        label=_("Company or name of your account"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    field_order = ["account_name", "username", "first_name", "last_name", "password1", "password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)


class AccountNameForm(BootstrapFormMixin, forms.Form):
    """A customer account of one's own, for someone logged in who is a member of none."""

    account_name = CustomerSignupForm.base_fields["account_name"]
