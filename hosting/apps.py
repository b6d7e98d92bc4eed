from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HostingConfig(AppConfig):
    name = "hosting"
    verbose_name = _("Hosting")

    def ready(self):
        from customers.models import register_product_relation

        # Reseller hostings count as the customer's products and block its deletion.
        register_product_relation("hosting.ResellerHosting", "end_customer")
