from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("End customers")

    def ready(self):
        from core.dashboard import DASHBOARD, Panel
        from customers.dashboard import customer_figures, todo_figures

        DASHBOARD.register(
            Panel(
                "customers", _("Customers"), "customers:endcustomer_list", customer_figures, "customers.EndCustomer", 10
            )
        )
        DASHBOARD.register(Panel("todos", _("My to-dos"), "customers:todo_list", todo_figures, "customers.Todo", 20))
