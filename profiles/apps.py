from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = _("Partner profiles and inquiries")

    def ready(self) -> None:
        from core.navigation import register_badge
        from core.tabs import Tab
        from customers.views import CUSTOMER_TABS
        from profiles.services import has_inquiries, open_inquiry_count

        # The number of open inquiries next to "Anfragen", and the customer's Anfragen tab once it has any.
        register_badge("profiles:inquiry_list", open_inquiry_count)
        CUSTOMER_TABS.register(
            Tab("profiles:endcustomer_inquiries", _("Inquiries"), has_inquiries),
            after="customers:endcustomer_todos",
        )
