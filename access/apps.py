from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = _("Service access")

    def ready(self):
        from access.dashboard import granted_access_figures, held_access_figures
        from core.dashboard import DASHBOARD, Panel
        from core.mail import register_copyable

        # Telling the customer a provider came in (or tried a used code) carries no code: a partner that gets
        # copies of the customer's mail (E-Mail-Kopie) may read them.
        register_copyable("access/email/redeemed", "access/email/replayed")

        DASHBOARD.register(
            Panel(
                "service_accesses",
                _("Service accesses"),
                "access:serviceaccess_list",
                held_access_figures,
                "access.ServiceAccess",
                40,
            )
        )
        # Any member sees who can work in the account; the profile's service-access page says who and since when.
        DASHBOARD.register(
            Panel("access_to_account", _("Access to this account"), "access:code", granted_access_figures, order=50)
        )
