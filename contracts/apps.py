from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts and domains")

    def ready(self):
        from contracts.models import Domain
        from contracts.services import customer_product_rows
        from core.tabs import Tab
        from core.tenancy import VIEW
        from customers.models import register_product_relation
        from customers.views import CUSTOMER_TABS

        # Assigned contracts and domains count as the customer's products, block
        # its deletion and are part of its data export; contracts show in its
        # Products tab, domains in a Domains tab of their own.
        register_product_relation("contracts.Contract", "end_customer", customer_product_rows)
        register_product_relation("contracts.Domain", "end_customer")
        CUSTOMER_TABS.register(
            Tab("contracts:endcustomer_domains", _("Domains"), lambda actor, customer: actor.may(Domain, VIEW)),
            after="customers:endcustomer_detail",
        )
