from collections.abc import Callable
from typing import Any

from csp.middleware import CSPMiddleware, PolicyParts
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase


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
