from access.models import ServiceAccess


def service_access(request):
    """Whether a provider holds an active service access to the current account (the header badge).

    Memoised on the request: tables render their cells with the request's
    context, which would otherwise ask the database once per row.
    """
    actor = getattr(request, "actor", None)
    if actor is None or not actor.has_account or actor.grant is not None:
        return {}
    if not hasattr(request, "_service_access_active"):
        query = ServiceAccess.objects.filter(shared_account=actor.account, revoked_at__isnull=True)
        request._service_access_active = query.exists()
    return {"service_access_active": request._service_access_active}
