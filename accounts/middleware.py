from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from access import services as access_services
from accounts.services import active_memberships, build_actor
from core.actor import Actor
from core.http import client_ip

# Pages a member must still reach while the account requires two-factor login
# and the member has not set it up.
TWO_FACTOR_EXEMPT = ("users:two_factor_setup", "users:logout", "accounts:switch", "set_language")


class ActorMiddleware:
    """Builds ``request.actor`` once per request from the session.

    Membership is re-read on every request, so a removed member or a
    deactivated account loses access on its very next request (AUTH-03).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt_paths = None

    def __call__(self, request):
        ip = client_ip(request)
        if request.user.is_authenticated:
            # One query gives the actor's membership, the header's account menu (staff's menu lists every
            # account and is read only when a page shows it, see accounts.context_processors) and the
            # header's service-access badge (access.context_processors).
            memberships = active_memberships(
                request.user, service_access_active=Exists(access_services.accesses_not_revoked(OuterRef("account")))
            )
            if not request.user.is_staff:
                request.member_accounts = [membership.account for membership in memberships]
            request.actor = build_actor(request.user, request.session, ip, memberships)
            request.service_access_active = self._badge(request.actor, memberships)
            if access_services.SESSION_ACCESS_KEY in request.session:
                self._enter_shared_account(request)
        else:
            request.actor = Actor.anonymous(ip)
        if self._needs_two_factor(request):
            messages.warning(request, _("This account requires two-factor login. Please set it up to continue."))
            return redirect("users:two_factor_setup")
        return self.get_response(request)

    @staticmethod
    def _badge(actor, memberships) -> bool | None:
        """Whether the actor's account has an active service access, if its membership was read with the
        menu (``None``: not known yet)."""
        if actor.account is None or actor.staff_access:
            return None
        membership = next((m for m in memberships if m.account_id == actor.account.pk), None)
        return None if membership is None else membership.service_access_active

    def _enter_shared_account(self, request) -> None:
        switched = access_services.switched_actor(request.actor, request.session)
        if switched is not None:
            request.actor = switched
            return
        access_services.switch_out(request.actor, session=request.session, ended=True)
        messages.warning(request, _("Your service access has ended. You are back in your own account."))

    def _needs_two_factor(self, request) -> bool:
        actor = request.actor
        if actor.account is None or actor.grant is not None or not actor.account.require_two_factor:
            return False
        if request.user.is_verified():
            return False
        if request.path.startswith(("/static/", "/api/")):
            return False
        if self.exempt_paths is None:
            self.exempt_paths = {reverse(name) for name in TWO_FACTOR_EXEMPT}
        return request.path not in self.exempt_paths
