from functools import cache

from access.models import ServiceAccess


def service_access(request):
    """Whether a provider holds an active service access to the current account (the header badge).

    Asked only when a template shows the badge (templates call what they are
    given), so fragments such as htmx answers pay nothing for it; and at most
    once per request, however often the context is built.
    """
    actor = getattr(request, "actor", None)
    if actor is None or not actor.has_account or actor.grant is not None:
        return {}
    if not hasattr(request, "_service_access_active"):

        @cache
        def active() -> bool:
            return ServiceAccess.objects.filter(shared_account=actor.account, revoked_at__isnull=True).exists()

        request._service_access_active = active
    return {"service_access_active": request._service_access_active}
