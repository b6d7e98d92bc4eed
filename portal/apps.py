from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("White-label portal")

    def ready(self) -> None:
        from portal.models import PortalTemplate
        from portal.routing import forget_template_hosts

        post_save.connect(forget_template_hosts, sender=PortalTemplate, dispatch_uid="portal-hosts-saved")
        post_delete.connect(forget_template_hosts, sender=PortalTemplate, dispatch_uid="portal-hosts-deleted")
