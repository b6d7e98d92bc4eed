"""Log context: every record logged while a request or a background task runs names it.

``RequestLogMiddleware`` (listed first) gives each request an id (a valid incoming ``X-Request-ID``, else a new
one), echoes it in the response's ``X-Request-ID`` header, and keeps the request in a context variable while it
runs; ``ContextFilter`` (on the console handler, ``settings.LOGGING``) puts the request id and the acting user
and account (``request.actor``, once ``accounts.middleware.ActorMiddleware`` has built it) into every record.
Task workers' records carry the task's name and id (``django_tasks`` signals). In production the handler writes
one JSON object a line (``JsonFormatter``).

Nothing secret is logged here: no query string, no header but the request id, no body; the path's secret parts
(password-reset and invitation tokens) are masked, in the request line and in Django's own "Not Found: <path>"
warnings.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from django_tasks import TaskResult
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
# What an incoming id may look like: a UUID, a proxy's hex or base64url id. Anything else is replaced, so a
# client cannot put text of its choice into the logs (the JSON encoding would keep it harmless, the text
# format of development would not).
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")
# URL arguments that are credentials: a password-reset or invitation link works for whoever has it.
SECRET_URL_KWARGS = frozenset({"token", "uidb64"})
MASK = "[masked]"
QUIET_ROUTES = frozenset({"healthz", "metrics"})

_request: ContextVar[HttpRequest | None] = ContextVar("log_request", default=None)
# A stack: with the immediate backend a task runs inside the request or task that enqueued it.
_tasks: ContextVar[tuple[TaskResult[Any], ...]] = ContextVar("log_tasks", default=())

request_logger = logging.getLogger("partnerportal.request")


def request_id_from(request: HttpRequest) -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    if REQUEST_ID_PATTERN.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def masked_path(request: HttpRequest) -> str:
    """The request's path (never its query string) with the secret URL arguments masked."""
    path = request.path
    match = request.resolver_match
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_URL_KWARGS and value:
                path = path.replace(str(value), MASK)
    return path


class RequestLogMiddleware:
    """Listed first: the request id for every record of the request, and one line per request afterwards
    (logger ``partnerportal.request``, INFO; kept quiet in development, where ``runserver`` logs requests)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request.request_id = request_id_from(request)  # type: ignore[attr-defined]
        token = _request.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id  # type: ignore[attr-defined]
            match = request.resolver_match
            route = match.view_name if match is not None else None
            # A load balancer's probe every few seconds and Prometheus's scrapes would drown the rest.
            if route not in QUIET_ROUTES and request_logger.isEnabledFor(logging.INFO):
                request_logger.info(
                    "%s %s %s",
                    request.method,
                    masked_path(request),
                    response.status_code,
                    extra={
                        "method": request.method,
                        "route": route,
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
            return response
        finally:
            _request.reset(token)


def context_fields(record_request: HttpRequest | None = None) -> dict[str, Any]:
    """The fields the current request or task adds to a record. ``record_request``: the request a record carries
    itself; Django logs a 4xx or 5xx answer (logger ``django.request``) after the middleware have returned."""
    fields: dict[str, Any] = {}
    request = _request.get() or record_request
    if request is not None:
        fields["request_id"] = getattr(request, "request_id", None)
        # Only what ActorMiddleware has resolved already: reading request.user here could query the database
        # from inside logging.
        actor = getattr(request, "actor", None)
        user = getattr(actor, "user", None)
        account = getattr(actor, "account", None)
        fields["user_id"] = user.pk if user is not None and user.is_authenticated else None
        fields["account_id"] = account.pk if account is not None else None
    tasks = _tasks.get()
    if tasks:
        fields["task_name"] = tasks[-1].task.module_path
        fields["task_id"] = tasks[-1].id
    return fields


class ContextFilter(logging.Filter):
    """Adds ``context_fields()`` to every record; masks the path in Django's "Not Found: <path>" warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if not isinstance(request, HttpRequest):
            request = None
        for name, value in context_fields(request).items():
            setattr(record, name, value)
        if record.name == "django.request" and request is not None and record.args:
            record.args = tuple(masked_path(request) if arg == request.path else arg for arg in record.args)
        return True


class JsonFormatter(BaseJsonFormatter):
    """python-json-logger's formatter: time, level, logger, message and every extra field, one object a line.

    Records of ``django.request`` and ``django.security`` carry the request object itself; it is left out: its
    text is the full path, query string included.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, "request"])
        kwargs.setdefault("timestamp", True)
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        super().__init__(*args or ("%(levelname)s %(name)s %(message)s",), **kwargs)


def task_started(sender: object, task_result: TaskResult[Any], **kwargs: Any) -> None:
    """``django_tasks.signals.task_started``, sent by every backend's worker (connected in ``CoreConfig``)."""
    _tasks.set((*_tasks.get(), task_result))


def task_finished(sender: object, task_result: TaskResult[Any], **kwargs: Any) -> None:
    _tasks.set(tuple(task for task in _tasks.get() if task.id != task_result.id))
