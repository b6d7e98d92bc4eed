"""REST API root: router, authentication, schema. Endpoints live in each app's ``api.py``.

Two ways in: a personal API token in ``Authorization: Bearer …`` (never in
the query string or a cookie), or the browser session with its CSRF token.
Either way the endpoint sees ``request.actor`` and uses the same
restriction as the UI; rights are read from the membership on every call.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as InputError
from ninja.security import APIKeyCookie, HttpBearer

from accounts.services import current_role, needs_two_factor
from audit.services import record_denial
from core.access import ActionDenied
from core.actor import Actor
from core.api import ErrorOut, ValidationErrorOut, translated_errors
from core.http import client_ip
from core.throttle import TooManyAttempts
from customers.models import PortalUser
from users.models import TOKEN_PREFIX, APIToken

LAST_USED_RESOLUTION = timedelta(minutes=1)


def is_portal_user(user) -> bool:
    """End customers' portal users use their reseller's portal only, never the API."""
    return PortalUser.objects.filter(user=user).exists()  # unrestricted: a check of the login itself


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
            return None
        api_token = (
            APIToken.objects.filter(key_hash=APIToken.hash_key(token))
            .select_related("user__portal_user", "account")
            .first()
        )
        if api_token is None or not api_token.user.is_active or not api_token.account.is_active:
            return None
        if hasattr(api_token.user, "portal_user"):  # read with the token: end customers never use the API
            return None
        role = current_role(api_token.user, api_token.account)
        if role is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_RESOLUTION:
            APIToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        request.actor = Actor(
            user=api_token.user,
            account=api_token.account,
            role=role,
            ip=client_ip(request),
            token=api_token,
        )
        return api_token


class SessionAuth(APIKeyCookie):
    """The browser session; ninja checks the CSRF token for unsafe methods."""

    def __init__(self):
        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def __call__(self, request):
        # A request that names a token is judged by that token alone: a revoked token must not quietly
        # fall back to the browser's session, and is a 401, not a failed CSRF check. Without a session
        # cookie there is no session to protect, so no CSRF check either: the answer is a plain 401.
        if "Authorization" in request.headers:
            return None
        if self.param_name not in request.COOKIES:
            return None
        return super().__call__(request)

    def authenticate(self, request, key):
        if not (request.user.is_authenticated and request.user.is_active) or is_portal_user(request.user):
            return None
        if needs_two_factor(request.actor, request.user):
            raise PermissionDenied(_("This account requires two-factor login. Please set it up to continue."))
        return request.user


# Every operation may answer these; documented once here rather than on each endpoint.
ERROR_RESPONSES: dict[int, tuple[str, type[Schema]]] = {
    400: ("The body is not valid JSON.", ErrorOut),
    401: ("No token or session, or an unknown, revoked or expired token.", ErrorOut),
    403: (
        "The member's role may not do this, the account requires two-factor login, or (for a session) "
        "the CSRF check failed.",
        ErrorOut,
    ),
    404: ("No such object, or one of another account: the same answer for both.", ErrorOut),
    422: (
        "The body, query or path is invalid, or a rule of the portal refuses it; each entry names the field.",
        ValidationErrorOut,
    ),
    429: ("Too many attempts; `Retry-After` says how many seconds to wait.", ErrorOut),
}


class PartnerportalAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The schema ninja builds, with the error answers every operation may give."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for _description, model in ERROR_RESPONSES.values():
            definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(definition.pop("$defs", {}))
            components[model.__name__] = definition
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, (description, model) in ERROR_RESPONSES.items():
                    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}
                    answer = {"description": description, "content": content}
                    if status == 429:
                        answer["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
                    operation["responses"].setdefault(status, answer)
        return schema


api = PartnerportalAPI(
    title="Partnerportal API",
    version="1",
    description="Everything a reseller can do in the portal. Authenticate with `Authorization: Bearer <token>`; "
    "create tokens under Profile → API tokens.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return api.create_response(request, {"detail": _("Not authenticated.")}, status=401)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    if isinstance(exc, ActionDenied):
        record_denial(exc)
    return api.create_response(request, {"detail": str(exc) or _("You do not have permission to do this.")}, status=403)


@api.exception_handler(TooManyAttempts)
def too_many_attempts(request, exc):
    response = api.create_response(request, {"detail": " ".join(exc.messages)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(InputError)
def invalid_input(request, exc):
    """The checks of the body, query and path, with pydantic's English texts put in the reader's language."""
    return api.create_response(request, {"detail": translated_errors(exc.errors)}, status=422)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    """Domain validation errors name the field, with the same messages as the forms."""
    if hasattr(exc, "error_dict"):
        detail = [{"loc": [field], "msg": " ".join(messages)} for field, messages in exc.message_dict.items()]
    else:
        detail = [{"loc": [], "msg": message} for message in exc.messages]
    return api.create_response(request, {"detail": detail}, status=422)


api.add_router("/", "accounts.api.router")
api.add_router("/", "customers.api.router")
api.add_router("/", "contracts.api.router")
api.add_router("/", "products.api.router")
api.add_router("/", "access.api.router")
api.add_router("/", "hosting.api.router")
api.add_router("/", "audit.api.router")
api.add_router("/", "hosting.servers_api.router")
api.add_router("/", "support.api.router")
api.add_router("/", "portal.api.router")
api.add_router("/", "hosting.plans_api.router")
api.add_router("/", "portal.account_summary_api.router")
api.add_router("/", "profiles.api.router")
api.add_router("/", "partners.share_api.router")
api.add_router("/", "partners.invitation_api.router")
api.add_router("/", "partners.managed_api.router")
