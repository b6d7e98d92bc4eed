from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin, TenantModelForm
from products.models import MUTABLE_FIELDS, ResellerProduct
from products.money import format_amount, parse_eur
from products.services import PlansUnavailable, offerable_shop_products, reseller_contracts, service_plans

MAX_PRICE_INPUT = 24


class EuroField(forms.Field):
    """A euro amount entered the German way ("1.234,56", "1234,5"); cleans to a ``Decimal``."""

    widget = forms.TextInput

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(inputmode="decimal", autocomplete="off", placeholder="0,00", maxlength=str(MAX_PRICE_INPUT))
        return attrs

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        value = str(value)
        if len(value) > MAX_PRICE_INPUT:
            raise ValidationError(_("Enter the price in euros like 1.234,56."), code="invalid")
        return parse_eur(value)

    def prepare_value(self, value):
        return format_amount(value) if isinstance(value, Decimal) else value


class ResellerProductEditForm(BootstrapFormMixin, TenantModelForm):
    """The fields that may change after creation: name, description, price, status, in-app prices and info."""

    net_price = EuroField(label=_("Net price (EUR)"), help_text=_("Without VAT, e.g. 1.234,56"))

    class Meta:
        model = ResellerProduct
        fields = list(MUTABLE_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "in_app_info": forms.Textarea(attrs={"rows": 3, "data-show-if": "id_in_app_prices"}),
        }

    def clean(self):
        cleaned = super().clean()
        # "In App Info" is accepted only together with "In App Preise".
        if not cleaned.get("in_app_prices"):
            cleaned["in_app_info"] = ""
        return cleaned


class ResellerProductForm(ResellerProductEditForm):
    """Create: the type and, for a branded product, the shop product come first; neither changes later."""

    class Meta(ResellerProductEditForm.Meta):
        fields = ["kind", "shop_product", *MUTABLE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Reseller hosting joins the choices with the Plesk integration.
        self.fields["kind"].choices = [(ResellerProduct.Kind.BRANDED, ResellerProduct.Kind.BRANDED.label)]
        shop_product = self.fields["shop_product"]
        shop_product.required = True
        shop_product.queryset = offerable_shop_products(self.actor)
        shop_product.label_from_instance = lambda product: f"{product.name} ({product.area})"
        shop_product.help_text = _("Active shop products that you have an active contract for.")
        shop_product.widget.attrs.update(
            {"data-searchable": "1", "data-search-placeholder": _("Search shop products…")}
        )


class ResellerHostingProductForm(ResellerProductEditForm):
    """Create a reseller-hosting product: a reseller contract, then a plan read live from its server."""

    reseller_server = forms.CharField(label=_("Reseller server"), required=False, disabled=True)
    plan_guid = forms.ChoiceField(label=_("Reseller plan"), required=True)

    field_order = ["contract", "reseller_server", "plan_guid", *MUTABLE_FIELDS]

    class Meta(ResellerProductEditForm.Meta):
        fields = ["contract", "plan_guid", *MUTABLE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = ResellerProduct.Kind.RESELLER_HOSTING
        contract_field = self.fields["contract"]
        contract_field.required = True
        contract_field.queryset = reseller_contracts(self.actor)
        contract_field.label = _("Reseller contract")
        contract_field.label_from_instance = lambda contract: f"{contract.number} {contract.shop_product.name}"
        contract_field.widget.attrs["data-reload-param"] = "contract"
        self.plan_error = ""
        self.chosen_contract = self._chosen_contract()
        if self.chosen_contract is not None:
            self.initial["reseller_server"] = str(self.chosen_contract.hosting_server)
        self.fields["plan_guid"].choices = [("", "---------"), *self._plan_choices()]
        self.order_fields(self.field_order)

    def _chosen_contract(self):
        value = self.data.get("contract") if self.is_bound else self.initial.get("contract")
        if not value or not str(value).isdigit():
            return None
        return self.fields["contract"].queryset.filter(pk=int(value)).first()

    def _plan_choices(self):
        if self.chosen_contract is None:
            return []
        try:
            plans = service_plans(self.chosen_contract)
        except PlansUnavailable as error:
            self.plan_error = str(error)
            return []
        return [(plan.guid, plan.name) for plan in plans]

    def clean(self):
        cleaned = super().clean()
        if self.plan_error:
            raise ValidationError(self.plan_error)
        return cleaned
