from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HostingConfig(AppConfig):
    name = "hosting"
    verbose_name = _("Hosting")

    def ready(self):
        from audit.display import register_readings
        from contracts.views import CONTRACT_TABS
        from core.dashboard import DASHBOARD, Panel
        from core.mail import register_copyable
        from core.tabs import Action, Tab
        from core.tenancy import ADD, CHANGE
        from customers.models import EndCustomer, register_product_relation
        from customers.views import CUSTOMER_ACTIONS
        from hosting.dashboard import hosting_figures
        from hosting.models import ResellerHosting
        from hosting.plans import audit_readings
        from hosting.services import customer_product_rows, hosts_hostings

        # Reseller hostings count as the customer's products (and show in its Products tab) and block its deletion,
        # until they are cancelled or deleted.
        register_product_relation(
            "hosting.ResellerHosting",
            "end_customer",
            customer_product_rows,
            ended={"status__in": ["cancelled", "deleted"]},
        )
        # The web panel's "+ Hosting-Bereich erstellen" on the customer's page.
        CUSTOMER_ACTIONS.register(
            Action(
                "hosting:hosting_space_add",
                _("Create hosting space"),
                "plus-lg",
                lambda actor, customer: actor.may(ResellerHosting, ADD) and actor.may(EndCustomer, CHANGE),
            )
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
        # The usage warning names hostings and limits, no secret: a partner with E-Mail-Kopie may read it.
        register_copyable("hosting/email/usage_warning")
        # A hosting plan's audit entries record its limits by the form's field names: they read with its labels.
        register_readings("hosting.HostingPlan", audit_readings())
