from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPAppConfig
from django_tasks_db.apps import TasksAppConfig


class CoreConfig(AppConfig):
    default = True
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django_tasks.signals import task_finished, task_started

        from core import logs

        # Every record a task worker logs while a task runs names the task.
        task_started.connect(logs.task_started, dispatch_uid="core.logs.task_started")
        task_finished.connect(logs.task_finished, dispatch_uid="core.logs.task_finished")


class OperatorAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "core.admin_site.OperatorAdminSite"


# The libraries' apps under names operator staff read in their language in the operator area
# (the libraries name them "Otp_Totp", "Tasks Database Backend" and "Axes", in English only).
class TwoFactorDevicesConfig(TOTPAppConfig):
    default = False
    verbose_name = _("Two-factor login")


class BackgroundJobsConfig(TasksAppConfig):
    default = False
    # django-tasks-db's config declares a plain str; Django takes a lazy translation here as well.
    verbose_name = _("Background jobs")  # type: ignore[assignment]


class LoginProtectionConfig(AxesAppConfig):
    default = False
    verbose_name = _("Login protection")
