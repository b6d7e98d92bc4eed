from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Membership
from core.forms import BootstrapFormMixin, TenantModelForm
from core.roles import Role
from users.forms import NormalizedEmailField


class MembershipForm(BootstrapFormMixin, TenantModelForm):
    class Meta:
        model = Membership
        fields = ["role"]


class InvitationForm(BootstrapFormMixin, forms.Form):
    email = NormalizedEmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EMPLOYEE)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        if not actor.has_role(Role.OWNER):
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.OWNER]


class AccountSettingsForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Account
        fields = ["require_two_factor"]
