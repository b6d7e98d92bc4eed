from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts and domains")

    def ready(self):
        from contracts.models import Domain
        from core.tabs import Tab
        from core.tenancy import VIEW
        from customers.models import DOMAINS, register_product_relation
        from customers.views import CUSTOMER_TABS

        # Assigned domains block the customer's deletion and are part of its data export, but are
        # not its products: they are counted apart and shown in a Domains tab of their own. Assigned
        # contracts are products; ``products`` registers them, under the reseller's brand names.
        register_product_relation("contracts.Domain", "end_customer", counted_as=DOMAINS)
        CUSTOMER_TABS.register(
            Tab("contracts:endcustomer_domains", _("Domains"), lambda actor, customer: actor.may(Domain, VIEW)),
            after="customers:endcustomer_detail",
        )
