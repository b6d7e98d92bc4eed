"""Background jobs of reseller hostings: thin, loading by id and calling ``hosting.provisioning``."""

from __future__ import annotations

from datetime import datetime

from django_tasks import default_task_backend, task

from hosting import provisioning


@task()
def provision_hosting(hosting_id: int) -> str | None:
    """One provisioning attempt; a deleted, final, leased or not-yet-due hosting is skipped."""
    return provisioning.provision(hosting_id)


def enqueue_provisioning(hosting_id: int, *, run_after: datetime | None = None) -> None:
    """Enqueue an attempt (call it on commit). A later attempt needs a backend that can defer;
    where there is none (the immediate backend of the tests) ``sweep_provisioning`` dispatches it when due."""
    if run_after is not None:
        if not default_task_backend.supports_defer:
            return
        provision_hosting.using(run_after=run_after).enqueue(hosting_id)
        return
    provision_hosting.enqueue(hosting_id)
