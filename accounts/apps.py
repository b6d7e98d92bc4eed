from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from accounts.dashboard import member_figures
        from core.dashboard import DASHBOARD, Panel

        DASHBOARD.register(
            Panel("members", _("Members"), "accounts:membership_list", member_figures, "accounts.Membership", 60)
        )
