from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.actor import Actor
from core.forms import BootstrapFormMixin
from customers.models import EndCustomer
from partners import managed
from users.models import User


class EmployeesField(forms.ModelMultipleChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.username})"


class EndCustomerField(forms.ModelChoiceField[EndCustomer]):
    def label_from_instance(self, obj: EndCustomer) -> str:
        return f"{obj.number} · {obj.display_name}"


class AssignEmployeesForm(BootstrapFormMixin, forms.Form):
    """Which employees see and work in this managed customer (Meine Kunden)."""

    employees: forms.ModelMultipleChoiceField[User] = EmployeesField(
        label=_("Employees"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["employees"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = managed.assignable_employees(actor)


class LinkEndCustomerForm(BootstrapFormMixin, forms.Form):
    """The partner's own MKM end customer for this managed customer."""

    end_customer: forms.ModelChoiceField[EndCustomer] = EndCustomerField(
        label=_("Customer in MKM"), queryset=None, required=False, empty_label=_("— none —")
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["end_customer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = EndCustomer.objects.restrict(actor).order_by("number")
