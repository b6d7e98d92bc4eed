from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = _("Service access")

    def ready(self):
        from access.dashboard import granted_access_figures, held_access_figures
        from core.dashboard import DASHBOARD, Panel

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
