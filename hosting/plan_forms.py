"""The forms of MKM → Hosting-Pläne: a plan's hosting space, name and limits, and the list's filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract
from core.forms import BootstrapFormMixin
from hosting.plans import LIMITS, plan_contracts

# Far beyond any package, small enough that a size in bytes stays a 64-bit integer.
MAX_AMOUNT = 10**9


def _contract_label(contract) -> str:
    return f"{contract.number} {contract.shop_product.name}"


class HostingPlanForm(BootstrapFormMixin, forms.Form):
    """Name and limits; on creation the hosting space (the reseller's package on one server) first.

    An empty limit is unlimited (Plesk's -1), in the form and in the API alike. The System and DNS groups
    are always part of a plan, so they are not offered.
    """

    contract = forms.ModelChoiceField(Contract.objects.none(), label=_("Hosting space"))
    name = forms.CharField(label=_("Name"), max_length=200)
    confirm = forms.BooleanField(label="", required=False)

    def __init__(self, *args, actor, hostings=None, **kwargs):
        super().__init__(*args, **kwargs)
        if hostings is None:
            self.fields["contract"].queryset = plan_contracts(actor)
            self.fields["contract"].label_from_instance = _contract_label
            del self.fields["confirm"]
        else:
            del self.fields["contract"]
            self.hostings = hostings
            if hostings:
                self.fields["confirm"].label = _("Change the hostings on this plan as well")
                self.fields["confirm"].required = True
                self.fields["confirm"].error_messages["required"] = _(
                    "Confirm that the hostings on this plan change as well."
                )
            else:
                del self.fields["confirm"]
        for limit in LIMITS:
            self.fields[limit.field] = forms.IntegerField(
                label=limit.form_label,
                required=False,
                min_value=0,
                max_value=MAX_AMOUNT,
                # Added after BootstrapFormMixin styled the declared fields.
                widget=forms.NumberInput(attrs={"placeholder": _("unlimited"), "class": "form-control"}),
            )
        self.fields[LIMITS[0].field].help_text = _("Leave a limit empty for unlimited.")
        if "confirm" in self.fields:
            self.order_fields([name for name in self.fields if name != "confirm"] + ["confirm"])

    @property
    def limit_values(self) -> dict[str, int | None]:
        return {limit.field: self.cleaned_data.get(limit.field) for limit in LIMITS}


class HostingPlanFilterForm(forms.Form):
    """The list's filter: a hosting space and a search over the plans' names."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    contract = forms.ModelChoiceField(Contract.objects.none(), label=_("Hosting space"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = plan_contracts(actor)
        self.fields["contract"].label_from_instance = _contract_label
        self.fields["contract"].widget.attrs["class"] = "form-select form-select-sm"
