from functools import cache

from access.services import accesses_not_revoked


def service_access(request):
    """Whether a provider holds an active service access to the current account (the header badge).

    Asked only when a template shows the badge (templates call what they are
    given), so fragments such as htmx answers pay nothing for it; and at most
    once per request, however often the context is built.
    """
    actor = getattr(request, "actor", None)
    if actor is None or not actor.has_account or actor.grant is not None:
        return {}
    known = getattr(request, "service_access_active", None)  # read with the actor's membership
    if known is not None:
        return {"service_access_active": known}
    if not hasattr(request, "_service_access_active"):

        @cache
        def active() -> bool:
            return accesses_not_revoked(actor.account).exists()

        request._service_access_active = active
    return {"service_access_active": request._service_access_active}
