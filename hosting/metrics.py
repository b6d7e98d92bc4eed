"""Metrics of provisioning and of the calls to Plesk (``core.metrics`` serves them).

The Plesk client reports every exchange through its ``on_call`` hook (``HostingServer.client`` sets it); the
server label is the host name the client called, of which a provider has few.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

PROVISIONING_OUTCOMES = Counter(
    "partnerportal_provisioning_outcomes",
    "Ends of hosting job attempts, by job (the hosting's status while it ran) and outcome (the timeline's kind).",
    ["job", "outcome"],
)
PLESK_CALL_DURATION = Histogram(
    "partnerportal_plesk_call_duration_seconds",
    "Time of one exchange with a Plesk server, answered or not.",
    ["server"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
PLESK_CALL_ERRORS = Counter(
    "partnerportal_plesk_call_errors",
    "Exchanges with a Plesk server that ended in an error, by the client's error class.",
    ["server", "error"],
)


def plesk_call_observed(host: str, seconds: float, error: BaseException | None) -> None:
    PLESK_CALL_DURATION.labels(server=host).observe(seconds)
    if error is not None:
        PLESK_CALL_ERRORS.labels(server=host, error=type(error).__name__).inc()


def provisioning_ended(job: str, outcome: str) -> None:
    PROVISIONING_OUTCOMES.labels(job=job, outcome=outcome).inc()
