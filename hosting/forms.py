from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.forms import CustomerSelect
from contracts.models import to_unicode
from core.forms import BootstrapFormMixin, WriteOnlySecretsMixin
from core.tenancy import CHANGE, VIEW
from customers.models import EndCustomer
from hosting.models import HostingServer, hosting_domain
from products.models import ResellerProduct


class _HostingFormBase(BootstrapFormMixin, forms.Form):
    """Kunde (restricted, at most 100 in the dropdown, then the search box) and a product of this contract."""

    end_customer = forms.ModelChoiceField(EndCustomer.objects.none(), label=_("Customer"), widget=CustomerSelect)
    product = forms.ModelChoiceField(ResellerProduct.objects.none(), label=_("Product"))

    def __init__(self, *args, actor, contract, **kwargs):
        super().__init__(*args, **kwargs)
        # The hosting locks the customer like an assignment: offer those the actor may change.
        self.fields["end_customer"].queryset = EndCustomer.objects.restrict(actor, CHANGE)
        self.fields["product"].queryset = ResellerProduct.objects.restrict(actor, VIEW).filter(
            contract=contract, kind=ResellerProduct.Kind.RESELLER_HOSTING, status="active"
        )


SPACE_DOMAIN_HELP = _(
    "Without a domain, the customer's Plesk login is prepared and the domain is added later on the hosting's page."
)
SUMMARY_HELP = _("The customer receives the domain, the plan's limits and how to log in; never a password.")


class HostingCreateForm(_HostingFormBase):
    domain = forms.CharField(label=_("Domain"), required=False, max_length=253, help_text=SPACE_DOMAIN_HELP)
    send_summary = forms.BooleanField(
        label=_("Send space summary"), required=False, initial=False, help_text=SUMMARY_HELP
    )

    def clean_domain(self):
        return hosting_domain(self.cleaned_data["domain"])


class HostingSpaceForm(BootstrapFormMixin, forms.Form):
    """+ Hosting-Bereich erstellen on the customer's page: a plan (through the reseller's products on its
    Plesk-bound contracts), an optional domain, the summary mail (unchecked, as the seed advises)."""

    product = forms.ModelChoiceField(ResellerProduct.objects.none(), label=_("Hosting plan"))
    domain = forms.CharField(label=_("Domain"), required=False, max_length=253, help_text=SPACE_DOMAIN_HELP)
    send_summary = forms.BooleanField(
        label=_("Send space summary"), required=False, initial=False, help_text=SUMMARY_HELP
    )

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["product"].label_from_instance = self.plan_label

    @staticmethod
    def plan_label(product: ResellerProduct) -> str:
        """The plan first (the seed's dropdown lists plans), then the product that sells it and its contract."""
        names = [product.plan_name, product.name] if product.plan_name else [product.name]
        return " · ".join([*names, product.contract.number if product.contract else ""])

    def clean_domain(self):
        return hosting_domain(self.cleaned_data["domain"])


class HostingDomainForm(BootstrapFormMixin, forms.Form):
    """Domain hinzufügen for a hosting space made without one."""

    domain = forms.CharField(label=_("Domain"), max_length=253)

    def clean_domain(self):
        return hosting_domain(self.cleaned_data["domain"])


class SubscriptionLinkForm(_HostingFormBase):
    pass


class HostingCorrectForm(BootstrapFormMixin, forms.Form):
    """Korrigieren: another domain or product (of the hosting's contract) for a failed or waiting hosting."""

    product = forms.ModelChoiceField(ResellerProduct.objects.none(), label=_("Product"))
    domain = forms.CharField(label=_("Domain"), required=False, max_length=253)

    def __init__(self, *args, actor, hosting, **kwargs):
        kwargs.setdefault("initial", {"product": hosting.product_id, "domain": to_unicode(hosting.domain)})
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = ResellerProduct.objects.restrict(actor, VIEW).filter(
            contract=hosting.contract_id, kind=ResellerProduct.Kind.RESELLER_HOSTING, status="active"
        )

    def clean_domain(self):
        return hosting_domain(self.cleaned_data["domain"])


class HostingPlanChangeForm(BootstrapFormMixin, forms.Form):
    """Tarif wechseln: another product (and so plan) of the hosting's contract."""

    product = forms.ModelChoiceField(ResellerProduct.objects.none(), label=_("New product"))

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["product"].label_from_instance = lambda product: (
            f"{product.name} ({product.plan_name})" if product.plan_name else product.name
        )


class HostingServerForm(WriteOnlySecretsMixin, forms.ModelForm):
    secret_fields = ("password", "secret_key")

    class Meta:
        model = HostingServer
        fields = [
            "name",
            "host",
            "port",
            "use_tls",
            "ca_bundle",
            "pinned_fingerprint",
            "login",
            "password",
            "secret_key",
        ]
