from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class OperatorAdminSite(admin.AdminSite):
    """The operator area: Django's admin, reachable for operator staff only.

    There is one login page for everybody (with its throttling and two-factor
    step); the admin's own login form is never shown.
    """

    site_header = _("Partnerportal – operator area")
    site_title = _("Operator area")
    index_title = _("Provider data")

    def has_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def login(self, request, extra_context=None):
        return redirect(f"{reverse('users:login')}?next={request.get_full_path()}")
