"""``/healthz``: whether this web process can serve, for load balancers (docs/operations.md "Health and metrics").

200 when the database, the default cache and the task queue's store answer, 503 when one does not. The oldest
waiting task's age is reported but never fails the check: a load balancer that took every web process out of
rotation because the workers lag behind would turn a slow queue into an outage; alert on the metric instead.

The answer names no host, no error and no version; what failed is logged. Every check is bounded: Redis (cache and
RQ) by short socket timeouts, the database by the one query it runs.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.task_queue import check_reachable, queue_states

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    try:
        if cache.get(key) != "ok":
            raise RuntimeError("the cache did not return what was just stored")
    finally:
        cache.delete(key)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "queue": check_reachable,
}


@login_not_required
@never_cache
@require_safe
def healthz_view(request: HttpRequest) -> JsonResponse:
    checks = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            logger.exception("healthz: the %s check failed", name)
            checks[name] = "fail"
        else:
            checks[name] = "ok"
    oldest: float | None = None
    if checks["queue"] == "ok":
        try:
            oldest = max((state.oldest_waiting_seconds for state in queue_states()), default=0.0)
        except Exception:
            logger.exception("healthz: the task queue could not be read")
            checks["queue"] = "fail"
    healthy = all(result == "ok" for result in checks.values())
    body = {
        "status": "ok" if healthy else "fail",
        "checks": checks,
        "oldest_waiting_task_seconds": None if oldest is None else round(oldest),
    }
    return JsonResponse(body, status=200 if healthy else 503)
