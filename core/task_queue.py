"""What is waiting in the task queue, for ``/healthz`` and the metrics: per queue, how many tasks are due and not
started, how many wait for a later time, and how long the oldest due one has waited.

The default task backend decides where to look: RQ's queues in Redis (through a connection of its own with short
timeouts, so that a Redis that does not answer cannot hold up a probe or a scrape), the database backend's task
table, or nothing for a backend without a queue (the immediate one of the tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, Min, When
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, TaskResultStatus, task_backends

if TYPE_CHECKING:
    from django_tasks.backends.base import BaseTaskBackend
    from redis import Redis

# Seconds a Redis connect or answer may take here; a worker's own connection blocks far longer by design.
REDIS_TIMEOUT = 2.0


@dataclass(frozen=True)
class QueueState:
    name: str
    waiting: int  # due, not started
    scheduled: int  # to run at a later time (a retry's back-off)
    oldest_waiting_seconds: float  # 0 when nothing waits


def _seconds_since(moment: datetime | None, now: datetime) -> float:
    return max((now - moment).total_seconds(), 0.0) if moment is not None else 0.0


def _backend() -> BaseTaskBackend:
    # The backend itself: ``django_tasks.default_task_backend`` is a proxy, which ``isinstance`` does not see through.
    return task_backends[DEFAULT_TASK_BACKEND_ALIAS]


def _queue_names() -> list[str]:
    return sorted(_backend().queues or {DEFAULT_TASK_QUEUE_NAME})


def _uses_rq() -> bool:
    from django_tasks_rq import RQBackend

    return isinstance(_backend(), RQBackend)


def _uses_database() -> bool:
    from django_tasks_db import DatabaseBackend

    return isinstance(_backend(), DatabaseBackend)


@contextmanager
def _rq_connection(queue_name: str) -> Iterator[Redis]:
    """A connection to the queue's Redis like its own, with short timeouts, closed afterwards."""
    import django_rq
    from redis import ConnectionPool, Redis

    pool = django_rq.get_queue(queue_name).connection.connection_pool
    kwargs = {**pool.connection_kwargs, "socket_timeout": REDIS_TIMEOUT, "socket_connect_timeout": REDIS_TIMEOUT}
    short = ConnectionPool(connection_class=pool.connection_class, **kwargs)
    try:
        yield Redis(connection_pool=short)
    finally:
        short.disconnect()


def check_reachable() -> None:
    """Raise when the queue's store does not answer: Redis's ping, or a query on the task table."""
    if _uses_rq():
        for name in _queue_names():
            with _rq_connection(name) as connection:
                connection.ping()
    elif _uses_database():
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()


def queue_states() -> list[QueueState]:
    """One ``QueueState`` per queue; raises when the store does not answer."""
    now = timezone.now()
    if _uses_rq():
        return [_rq_state(name, now) for name in _queue_names()]
    if _uses_database():
        return _database_states(now)
    return []


def _rq_state(name: str, now: datetime) -> QueueState:
    import django_rq
    from rq.job import Job

    with _rq_connection(name) as connection:
        queue = django_rq.get_queue(name, connection=connection)
        # Workers take jobs from the head: the first one has waited longest.
        first = queue.get_job_ids(0, 1)
        job = Job.fetch(first[0], connection=connection) if first else None
        return QueueState(
            name=name,
            waiting=queue.count,
            scheduled=queue.scheduled_job_registry.count,
            oldest_waiting_seconds=_seconds_since(job.enqueued_at if job else None, now),
        )


def _database_states(now: datetime) -> list[QueueState]:
    from django_tasks_db.models import DBTaskResult

    # ``ready()`` is what the database worker takes next: due now, or without a time to run after. A due task
    # waits since its time came, one without a time since it was enqueued; the rest of READY waits for later.
    pending = DBTaskResult.objects.filter(status=TaskResultStatus.READY, backend_name=DEFAULT_TASK_BACKEND_ALIAS)
    ready = (
        pending.ready()
        .values("queue_name")
        .annotate(
            waiting=Count("id"),
            oldest=Min(Case(When(run_after__lte=now, then="run_after"), default="enqueued_at")),
        )
    )
    queued = pending.values("queue_name").annotate(queued=Count("id"))
    rows: dict[str, dict[str, Any]] = {row["queue_name"]: dict(row) for row in ready}
    totals = {row["queue_name"]: row["queued"] for row in queued}
    found = {name: {**rows.get(name, {"waiting": 0}), "queued": totals[name]} for name in totals}
    states = []
    for name in sorted({*_queue_names(), *found}):
        row = found.get(name, {})
        states.append(
            QueueState(
                name=name,
                waiting=row.get("waiting", 0),
                scheduled=row.get("queued", 0) - row.get("waiting", 0),
                oldest_waiting_seconds=_seconds_since(row.get("oldest"), now),
            )
        )
    return states
