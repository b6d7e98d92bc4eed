from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "products"
    verbose_name = _("Reseller products")

    def ready(self):
        from customers.models import register_product_relation
        from products.services import customer_contract_rows

        # Assigned provider contracts are the customer's products: counted in the customer list, shown in its
        # Products tab under the reseller's brand, blocking its deletion and part of its data export.
        register_product_relation("contracts.Contract", "end_customer", customer_contract_rows)
