from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("White-label portal")

    def ready(self) -> None:
        from core.dashboard import DASHBOARD, Panel
        from core.mail import register_account_mail
        from portal.mail import TemplateMail
        from portal.mail_log import mail_figures

        # Mail to a reseller's end customers goes out as its portal template says, and into its mail log.
        register_account_mail(TemplateMail())
        DASHBOARD.register(
            Panel("mails", _("Mail log"), "portal_mail:maildelivery_list", mail_figures, "portal.MailDelivery", 40)
        )
