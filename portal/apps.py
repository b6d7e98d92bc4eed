from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("White-label portal")

    def ready(self) -> None:
        from core.dashboard import DASHBOARD, Panel
        from core.mail import register_account_mail
        from core.tabs import Action
        from customers.views import CUSTOMER_ACTIONS
        from portal.account_summary_views import may_see_summary
        from portal.mail import TemplateMail
        from portal.mail_log import mail_figures
        from portal.models import PortalTemplate
        from portal.routing import forget_template_hosts

        # Mail to a reseller's end customers goes out as its portal template says, and into its mail log.
        register_account_mail(TemplateMail())
        DASHBOARD.register(
            Panel("mails", _("Mail log"), "portal_mail:maildelivery_list", mail_figures, "portal.MailDelivery", 40)
        )
        # Kontenzusammenfassung anzeigen: the customer's access details, shown and sent on demand.
        CUSTOMER_ACTIONS.register(
            Action("portal:account_summary", _("Show account summary"), "person-vcard", visible=may_see_summary)
        )
        # A template made or changed in the operator area is served at once, without a restart.
        post_save.connect(forget_template_hosts, sender=PortalTemplate, dispatch_uid="portal-hosts-saved")
        post_delete.connect(forget_template_hosts, sender=PortalTemplate, dispatch_uid="portal-hosts-deleted")
