from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin, TenantModelForm
from products.models import MUTABLE_FIELDS, ResellerProduct
from products.money import format_amount, parse_eur
from products.services import offerable_shop_products

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
