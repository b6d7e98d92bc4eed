from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts and domains")

    def ready(self):
        from customers.models import register_product_relation

        # Assigned contracts and domains count as the customer's products, block
        # its deletion and are part of its data export.
        register_product_relation("contracts.Contract", "end_customer")
        register_product_relation("contracts.Domain", "end_customer")
