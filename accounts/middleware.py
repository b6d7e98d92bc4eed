from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.services import build_actor, needs_two_factor
from core.actor import Actor
from core.http import client_ip

# Pages a member must still reach while the account requires two-factor login
# and the member has not set it up.
TWO_FACTOR_EXEMPT = ("users:two_factor_setup", "users:logout", "accounts:switch", "set_language")


class ActorMiddleware:
    """Builds ``request.actor`` once per request from the session: the user, their account and role in it.

    Membership is re-read on every request, so a removed member or a
    deactivated account loses access on its very next request (AUTH-03).
    A later middleware may replace the actor (service access, in the ``access`` app).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = client_ip(request)
        if request.user.is_authenticated:
            request.actor = build_actor(request.user, request.session, ip)
        else:
            request.actor = Actor.anonymous(ip)
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Sends a member of an account that requires two-factor login, who has not set it up, to set it up.

    Listed after every middleware that sets ``request.actor``, so it judges the account the request
    works in. A provider working in a customer's account through service access is not asked: the
    customer's rule binds its members, and setting up two-factor login is refused while switched in.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt_paths = None

    def __call__(self, request):
        if self._needs_two_factor(request):
            messages.warning(request, _("This account requires two-factor login. Please set it up to continue."))
            return redirect("users:two_factor_setup")
        return self.get_response(request)

    def _needs_two_factor(self, request) -> bool:
        if not needs_two_factor(request.actor, request.user):
            return False
        # The API answers 403 itself (partnerportal/api.py): a redirect means nothing to a script.
        if request.path.startswith(("/static/", "/api/")):
            return False
        if self.exempt_paths is None:
            self.exempt_paths = {reverse(name) for name in TWO_FACTOR_EXEMPT}
        return request.path not in self.exempt_paths
