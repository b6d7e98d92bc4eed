from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin


class ActivationForm(BootstrapFormMixin, forms.Form):
    # Not required at the form level: the empty case has its own exact message from the service.
    code = forms.CharField(
        label=_("Activation code"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "XXXX-XXXX-XXXX-X"}),
    )
