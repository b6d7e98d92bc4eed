from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from core.tenancy import CHANGE
from customers.models import EndCustomer

# A dropdown never renders more customers than this; beyond it the search box asks the server.
CUSTOMER_CHOICE_LIMIT = 100


class CustomerSelect(forms.Select):
    """The end-customer dropdown of the assignment dialog.

    Up to ``CUSTOMER_CHOICE_LIMIT`` customers it lists them all (the search
    box filters them in the page). With more, it renders only "no customer"
    and the current choice, and the search box fills it from the
    autocomplete endpoint. Validation is the field's, over the restricted
    queryset, either way.
    """

    def __init__(self, attrs=None):
        attrs = {
            "data-searchable": "1",
            "data-search-placeholder": _("Search customers…"),
            **(attrs or {}),
        }
        super().__init__(attrs)
        self._first = None

    def get_context(self, name, value, attrs):
        self._first = list(self.choices.queryset[: CUSTOMER_CHOICE_LIMIT + 1])
        context = super().get_context(name, value, attrs)
        if len(self._first) > CUSTOMER_CHOICE_LIMIT:
            context["widget"]["attrs"]["data-autocomplete-url"] = reverse_lazy("contracts:endcustomer_autocomplete")
        return context

    def optgroups(self, name, value, attrs=None):
        field = self.choices.field
        objects = self._first if self._first is not None else list(self.choices.queryset[:CUSTOMER_CHOICE_LIMIT])
        if len(objects) > CUSTOMER_CHOICE_LIMIT:
            wanted = [v for v in value if str(v).isdigit()]
            objects = list(field.queryset.filter(pk__in=wanted)) if wanted else []
        choices = [("", field.empty_label)] + [(str(obj.pk), field.label_from_instance(obj)) for obj in objects]
        return [
            (None, [self.create_option(name, pk, label, pk in value, index, attrs=attrs)], index)
            for index, (pk, label) in enumerate(choices)
        ]


class AssignForm(BootstrapFormMixin, forms.Form):
    """One of the reseller's end customers, or none ("Kunde zuordnen")."""

    end_customer = forms.ModelChoiceField(
        EndCustomer.objects.none(),
        required=False,
        label=_("Customer"),
        empty_label=_("– no customer –"),
        widget=CustomerSelect,
    )

    def __init__(self, *args, actor, compact=False, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["end_customer"]
        # Assigning locks the customer for a change, so offer exactly the customers the actor may change.
        field.queryset = EndCustomer.objects.restrict(actor, CHANGE)
        if compact:
            field.widget.attrs["class"] += " form-select-sm"
