"""The HTTP side of logging in: Django's ``login`` works on the request and its session.

Everything else a user does to their own login (password, two-factor, tokens)
is a service in ``users.services`` that takes the actor.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import login
from django.utils import timezone
from django_otp import login as otp_login

from audit.models import AuditEntry
from audit.services import record
from core.actor import Actor


def log_in(request, user, *, device=None) -> None:
    """Start a session (new key), verified by ``device`` when two-factor is on."""
    login(request, user, backend="users.backends.UsernameOrEmailBackend")
    # An absolute lifetime: later activity, an account switch or a service-access
    # switch never makes the session last longer than this.
    request.session.set_expiry(timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE))
    if device is not None:
        otp_login(request, device)
    record(Actor(user=user, ip=request.actor.ip), AuditEntry.Action.LOGIN, user, account=None)
