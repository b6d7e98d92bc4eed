from audit.services import record_denial
from core.access import ActionDenied


class DeniedActionMiddleware:
    """Records every ``ActionDenied`` a page raises as a "denied" audit entry (the API does the same).

    Recorded here, at the edge, rather than where it is raised: the view or
    service that refused may be inside a transaction that rolls back, and the
    trail must keep the attempt.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ActionDenied):
            record_denial(exception)
        return None
