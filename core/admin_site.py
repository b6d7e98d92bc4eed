from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class OperatorAdminSite(admin.AdminSite):
    """The operator area: Django's admin, for operator staff who passed two-factor login.

    There is one login page for everybody (with its throttling and two-factor
    step); the admin's own login form is never shown. Staff without
    two-factor login are sent to set it up first (SECURITY-TESTS AUTH-12).
    """

    site_header = _("Partnerportal – operator area")
    site_title = _("Operator area")
    index_title = _("Provider data")

    # Library models named in English only ("TOTP devices", "Task Results"), by "app_label.model".
    model_names: ClassVar[dict[str, StrOrPromise]] = {
        "otp_totp.totpdevice": _("Authenticator apps (TOTP)"),
        "django_tasks_database.dbtaskresult": _("Job results"),
    }

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            for model in app["models"]:
                model["name"] = self.model_names.get(model["model"]._meta.label_lower, model["name"])
        return app_list

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_active and user.is_staff and user.is_verified()

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_staff and not user.is_verified():
            messages.warning(request, _("The operator area requires two-factor login. Please set it up first."))
            return redirect("users:two_factor_setup")
        return redirect(f"{reverse('users:login')}?next={request.get_full_path()}")
