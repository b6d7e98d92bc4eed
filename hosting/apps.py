from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HostingConfig(AppConfig):
    name = "hosting"
    verbose_name = _("Hosting")

    def ready(self):
        from contracts.views import CONTRACT_TABS
        from core.dashboard import DASHBOARD, Panel
        from core.tabs import Tab
        from customers.models import register_product_relation
        from hosting.dashboard import hosting_figures
        from hosting.services import customer_product_rows, hosts_hostings

        # Reseller hostings count as the customer's products (and show in its Products tab) and block its deletion,
        # until they are cancelled or deleted.
        register_product_relation(
            "hosting.ResellerHosting",
            "end_customer",
            customer_product_rows,
            ended={"status__in": ["cancelled", "deleted"]},
        )
        # A reseller contract bound to a Plesk server shows its hostings and the server's subscriptions.
        CONTRACT_TABS.register(Tab("hosting:contract_hostings", _("MKM hostings"), hosts_hostings))
        CONTRACT_TABS.register(Tab("hosting:contract_subscriptions", _("Subscriptions"), hosts_hostings))
        # The dashboard's hostings by status, each leading to the list filtered to it.
        DASHBOARD.register(
            Panel(
                "hostings",
                _("MKM hostings"),
                "hosting:resellerhosting_list",
                hosting_figures,
                "hosting.ResellerHosting",
                30,
            )
        )
