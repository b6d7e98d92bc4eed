from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.http import HttpRequest

from portal.models import PortalTemplate
from portal.services import portal_user_of
from users.forms import LoginForm
from users.models import User


class PortalLoginForm(LoginForm):
    """The main portal's login form, for the portal users of one template's reseller only.

    Anyone else (a portal user of another reseller, a member of the main portal) gets the same message as
    a wrong password, so the form tells nobody which logins exist where.
    """

    def __init__(self, request: HttpRequest, template: PortalTemplate, *args: Any, **kwargs: Any) -> None:
        self.template = template
        super().__init__(request, *args, **kwargs)  # type: ignore[no-untyped-call]

    def confirm_login_allowed(self, user: User) -> None:
        # Django's own check (inactive users); the main form's refusal of portal users is the opposite rule.
        auth_forms.AuthenticationForm.confirm_login_allowed(self, user)
        if portal_user_of(self.template, user) is None:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")
