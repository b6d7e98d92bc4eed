from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partner network")

    def ready(self) -> None:
        from core.navigation import register_badge
        from customers.views import CUSTOMER_LIST_LINKS
        from partners.shares import open_share_count, share_list_link

        # The number of open access shares next to "Kunden" (IONOS), and the way to them from the customer list.
        register_badge("customers:endcustomer_list", open_share_count)
        CUSTOMER_LIST_LINKS.append(share_list_link)

        from partners import managed_hooks

        managed_hooks.register()
