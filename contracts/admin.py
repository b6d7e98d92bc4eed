"""The provider's catalogue, contracts and domains in the operator area (operator staff only)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from contracts.models import Contract, Domain, ShopProduct
from core.forms import WriteOnlySecretsMixin


class AccountOwnedAdminForm(forms.ModelForm):
    """The account is chosen when staff enter a contract and never changes afterwards.

    ``account`` is not editable on tenant models (no member form may set it),
    so the operator form carries it as a field of its own.
    """

    owner_account = forms.ModelChoiceField(Account.objects.all(), label=_("account"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["owner_account"].initial = self.instance.account_id
            self.fields["owner_account"].disabled = True

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("owner_account") is not None:
            self.instance.account = cleaned["owner_account"]
        return cleaned


@admin.register(ShopProduct)
class ShopProductAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "kind", "is_active"]
    list_filter = ["kind", "is_active", "area"]
    search_fields = ["name", "area"]


class AssignableAdmin(admin.ModelAdmin):
    form = AccountOwnedAdminForm
    list_select_related = ["account", "end_customer"]
    # Resellers assign their end customers themselves (audited, under the customer's row lock).
    readonly_fields = ["end_customer", "created_at"]


class ContractAdminForm(WriteOnlySecretsMixin, AccountOwnedAdminForm):
    secret_fields = ("plesk_password",)


class PleskLoginFilter(admin.SimpleListFilter):
    title = _("Plesk login")
    parameter_name = "plesk_login"

    def lookups(self, request, model_admin):
        return [("accepted", _("accepted")), ("refused", _("refused"))]

    def queryset(self, request, queryset):
        bound = queryset.exclude(plesk_login="")
        if self.value() == "accepted":
            return bound.filter(plesk_login_refused_at__isnull=True)
        if self.value() == "refused":
            return bound.filter(plesk_login_refused_at__isnull=False)
        return queryset


@admin.register(Contract)
class ContractAdmin(AssignableAdmin):
    form = ContractAdminForm
    list_display = ["number", "shop_product", "area", "status", "account", "end_customer", "plesk_login_ok"]
    list_filter = ["status", "area", "shop_product__kind", PleskLoginFilter]
    search_fields = ["number", "shop_product__name", "note", "account__number", "account__name"]
    list_select_related = ["shop_product", "account", "end_customer"]
    fields = [
        "owner_account",
        "number",
        "shop_product",
        "area",
        "status",
        "note",
        "hosting_server",
        "plesk_login",
        "plesk_password",
        "plesk_login_refused_at",
        "end_customer",
        "created_at",
    ]
    readonly_fields = [*AssignableAdmin.readonly_fields, "plesk_login_refused_at"]

    @admin.display(boolean=True, description=_("Plesk login accepted"))
    def plesk_login_ok(self, contract):
        if not contract.plesk_login:
            return None
        return contract.plesk_login_refused_at is None

    def save_model(self, request, obj, form, change):
        # New credentials get one more try; until then nothing used the refused ones again.
        if {"hosting_server", "plesk_login", "plesk_password"} & set(form.changed_data):
            obj.plesk_login_refused_at = None
        super().save_model(request, obj, form, change)


@admin.register(Domain)
class DomainAdmin(AssignableAdmin):
    list_display = ["name_unicode", "number", "registrar", "status", "verification", "account", "end_customer"]
    list_filter = ["status", "registrar", "verification", "zone", "transfer_lock", "renewal_mode"]
    search_fields = ["number", "name", "name_unicode", "note", "account__number", "account__name"]
    fields = [
        "owner_account",
        "number",
        "name",
        "registrar",
        "status",
        "verification",
        "zone",
        "transfer_lock",
        "renewal_mode",
        "expires_on",
        "area",
        "note",
        "end_customer",
        "created_at",
    ]
