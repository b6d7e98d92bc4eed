from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from access import services
from core.access import refused_while_switched
from core.actor import NOT_DURING_ACCESS


class ServiceAccessMiddleware:
    """While the session is switched into a shared account, ``request.actor`` becomes the actor inside it.

    Listed right after ``accounts.middleware.ActorMiddleware``, whose actor is the provider's own. The
    switch is checked again on every request (``services.switched_actor``); when it no longer holds, the
    session goes back to the provider's own account with a notice (SA-07), and the page asked for,
    which belonged to the customer's account, gives way to the provider's own start page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.actor.is_authenticated and services.SESSION_ACCESS_KEY in request.session:
            switched = services.switched_actor(request.actor, request.session)
            if switched is not None:
                request.actor = switched
            else:
                services.switch_out(request.actor, session=request.session, ended=True)
                messages.warning(request, _("Your service access has ended. You are back in your own account."))
                if not request.path.startswith("/api/"):
                    return self._start_page(request)
        return self.get_response(request)

    @staticmethod
    def _start_page(request):
        if request.htmx:
            return HttpResponseClientRedirect(reverse("dashboard"))
        return redirect("dashboard")


class ServiceAccessGuardMiddleware:
    """Refuses, with one clear message, what a switched-in provider must not do.

    Which pages that is, is ``core.access.REFUSED_WHILE_SWITCHED``, which the menus and buttons follow too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        actor = getattr(request, "actor", None)
        if actor is None:
            return None
        if not refused_while_switched(actor, request.resolver_match.view_name, request.method):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": str(NOT_DURING_ACCESS)}, status=403)
        return render(request, "errors/403.html", {"message": NOT_DURING_ACCESS}, status=403)
