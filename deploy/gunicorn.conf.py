"""gunicorn's settings for Partnerportal, read from the environment.

Used by ``make serve`` (scripts/serve.sh) and by the systemd unit (deploy/partnerportal-web.service):
``gunicorn -c deploy/gunicorn.conf.py partnerportal.wsgi``.

HOST, PORT     where to listen (127.0.0.1:8000; behind Caddy keep it on loopback)
WEB_WORKERS    worker processes (2 × cores + 1)
WEB_THREADS    threads per worker (4)
TLS_CERT, TLS_KEY   serve HTTPS directly (make serve does; behind a TLS proxy leave them unset)
ACCESS_LOG     "true" writes gunicorn's access log to stdout (off: the application logs its requests)
"""

import multiprocessing
import os
from typing import Any

bind = [f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"]
workers = int(os.environ.get("WEB_WORKERS") or 2 * multiprocessing.cpu_count() + 1)
# Threads keep a connection alive between requests without holding a whole process, and a slow client or a
# Plesk call in a request does not block the worker's other requests. Each thread keeps its own database
# connection (CONN_MAX_AGE), so workers × threads is the number of connections to plan for.
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS") or 4)
keepalive = 5
# A worker that does not report for this long is killed and replaced; requests themselves are short (exports
# stream, imports and Plesk calls run in the task workers).
timeout = 60
# On SIGTERM, requests in flight get this long to finish.
graceful_timeout = 30
# Replacing each worker now and then bounds whatever memory it accumulates; the jitter keeps the workers
# from restarting all at once.
max_requests = 2000
max_requests_jitter = 200
# The heartbeat file in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (gunicorn's documented choice)
# gunicornc is not used; several instances on one machine would otherwise share one socket path.
control_socket_disable = True

accesslog = "-" if os.environ.get("ACCESS_LOG", "").lower() in {"1", "true", "yes"} else None
errorlog = "-"
# gunicorn's own lines (worker starts, timeouts, its access log) in the application's format: one JSON object a
# line in production (LOG_FORMAT, partnerportal/settings.py). The master process has no Django, so the formatter
# is python-json-logger's own, with core.logs.JsonFormatter's field names. gunicorn merges these keys into its
# default configuration, replacing each one whole.
_production = os.environ.get("PARTNERPORTAL_ENV") == "production"
if os.environ.get("LOG_FORMAT", "json" if _production else "text") == "json":
    _json = {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(levelname)s %(name)s %(message)s",
        "timestamp": True,
        "rename_fields": {"levelname": "level", "name": "logger"},
    }
    logconfig_dict = {
        "formatters": {"json": _json},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
            "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "gunicorn.error": {
                "level": "INFO",
                "handlers": ["error_console"],
                "propagate": False,
                "qualname": "gunicorn.error",
            },
            "gunicorn.access": {
                "level": "INFO",
                "handlers": ["console"],
                "propagate": False,
                "qualname": "gunicorn.access",
            },
        },
    }

if os.environ.get("TLS_CERT") and os.environ.get("TLS_KEY"):
    certfile = os.environ["TLS_CERT"]
    keyfile = os.environ["TLS_KEY"]


def child_exit(server: Any, worker: Any) -> None:
    """A dead worker's metric files stop counting as live (prometheus_client's multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]  # the library is untyped here
