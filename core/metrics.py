"""Prometheus metrics with the official client: request latency by view, the task queue, and ``/metrics``.

The apps define their own counters next to the code they count (``core.mail``, ``hosting.metrics``). With
``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn with several workers, docs/operations.md "Health and metrics"), every
process writes its values into files there and a scrape adds up the files of all processes (the client's
multiprocess mode); without it a scrape reads this process's own registry. The task queue is read at scrape
time by ``TaskQueueCollector``, registered on the scrape's own registry, so it is read once, by the process that
answers, and never written to a file.

Labels stay few: the view's URL name (never the raw path), the method among the usual ones, the status class.
"""

from __future__ import annotations

import hmac
import logging
import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from core.task_queue import queue_states

logger = logging.getLogger(__name__)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_DURATION = Histogram(
    "partnerportal_http_request_duration_seconds",
    "Time from the request's arrival to its response, by view (URL name), method and status class.",
    ["view", "method", "status"],
)


class RequestMetricsMiddleware:
    """Listed first with ``core.logs.RequestLogMiddleware``: times every request, refused hosts included."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        except Exception:
            # Only when the error page itself failed: the server answers 500.
            self.observe(request, 500, started)
            raise
        self.observe(request, response.status_code, started)
        return response

    @staticmethod
    def observe(request: HttpRequest, status: int, started: float) -> None:
        match = request.resolver_match
        REQUEST_DURATION.labels(
            view=match.view_name if match is not None else "<unresolved>",
            method=request.method if request.method in METHODS else "other",
            status=f"{status // 100}xx",
        ).observe(time.perf_counter() - started)


class TaskQueueCollector(Collector):
    """The task queue at scrape time: waiting and scheduled tasks and the oldest waiting task's age per queue."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("partnerportal_task_queue_up", "1 when the task queue's store answered the scrape.")
        try:
            states = queue_states()
        except Exception:
            logger.exception("metrics: the task queue could not be read")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        waiting = GaugeMetricFamily(
            "partnerportal_task_queue_waiting", "Tasks due and not started yet.", labels=["queue"]
        )
        scheduled = GaugeMetricFamily(
            "partnerportal_task_queue_scheduled", "Tasks to run at a later time (retries).", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "partnerportal_task_queue_oldest_waiting_seconds",
            "How long the oldest due task has waited; 0 when none waits.",
            labels=["queue"],
        )
        for state in states:
            waiting.add_metric([state.name], state.waiting)
            scheduled.add_metric([state.name], state.scheduled)
            oldest.add_metric([state.name], state.oldest_waiting_seconds)
        yield waiting
        yield scheduled
        yield oldest


def scrape_registry() -> CollectorRegistry:
    """A registry for one scrape: every process's metrics (multiprocess mode) or this process's, and the queue."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        # A registry is a collector itself: this process's metrics, process and platform ones included.
        registry.register(REGISTRY)
    registry.register(TaskQueueCollector())
    return registry


def token_matches(request: HttpRequest, token: str) -> bool:
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    # Constant time: the comparison does not tell how much of a guess was right.
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@login_not_required
@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """For Prometheus only, with ``Authorization: Bearer <METRICS_TOKEN>``; without a token set it does not exist."""
    token: str = settings.METRICS_TOKEN
    if not token:
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if not token_matches(request, token):
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
