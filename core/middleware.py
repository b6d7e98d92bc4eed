from collections.abc import Callable
from typing import Any

from csp.middleware import CSPMiddleware, PolicyParts
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers, patch_cache_control


def allow_form_action(request: HttpRequest, origin: str) -> None:
    """Let forms on this page lead to ``origin`` as well: a form whose answer redirects there (Plesk öffnen)
    is blocked by the browser unless the page's own policy names the target (CSP ``form-action``)."""
    origins = getattr(request, "form_action_origins", [])
    request.form_action_origins = [*origins, origin]  # type: ignore[attr-defined]


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, extended at its documented hook with the origins a view allowed."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        origins = getattr(request, "form_action_origins", None)
        if origins:
            parts.update = {**(parts.update or {}), "form-action": origins}
        return parts


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Login is the default for every page; the API answers 401 by itself instead of redirecting."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[Any, Any],
    ) -> HttpResponseBase | None:
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class NoStoreForUsersMiddleware:
    """Nothing a signed-in user (or an API token) is shown may be kept by a browser or a proxy: every such
    answer is personal or tenant data (SECURITY-TESTS DP). Listed after the authentication middleware; the
    API sets ``request.user`` from its token in the view, which is why this looks after the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response
