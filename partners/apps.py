from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partner network")

    def ready(self) -> None:
        from core.navigation import register_badge
        from core.tabs import Action
        from customers.views import CUSTOMER_ACTIONS, CUSTOMER_LIST_LINKS
        from partners import managed_hooks
        from partners.invitation_views import may_ask_for_access
        from partners.share_views import may_share_from_profile
        from partners.shares import open_share_count, share_list_link
        from profiles.views import PROFILE_ACTIONS

        # The number of open access shares next to "Kunden" (IONOS), and the way to them from the customer list.
        register_badge("customers:endcustomer_list", open_share_count)
        CUSTOMER_LIST_LINKS.append(share_list_link)
        # IONOS: a logged-in customer shares access from the partner's public profile.
        PROFILE_ACTIONS.register(
            Action("partners:share_from_profile", _("Share access"), "person-plus", may_share_from_profile)
        )
        # Infomaniak: the partner asks one of its end customers for access to the customer's own account.
        CUSTOMER_ACTIONS.register(
            Action("partners:invitation_for_customer", _("Send access request"), "envelope-plus", may_ask_for_access)
        )
        # Verwaltete Kunden: employees' assignments, the e-mail copy and the link to an MKM customer.
        managed_hooks.register()
