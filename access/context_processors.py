from django.utils.functional import SimpleLazyObject

from access.services import accesses_not_revoked


def service_access(request):
    """Whether a provider holds an active service access to the current account: the header's badge.

    Read when a template first shows it, so answers without the header (htmx fragments) pay nothing for it.
    """
    actor = getattr(request, "actor", None)
    if actor is None or not actor.has_account or actor.grant is not None:
        return {}
    return {"service_access_active": SimpleLazyObject(lambda: accesses_not_revoked(actor.account).exists())}
