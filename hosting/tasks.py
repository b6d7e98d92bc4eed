"""Background jobs of reseller hostings: thin, loading by id and calling ``hosting.provisioning``."""

from __future__ import annotations

from datetime import datetime

from django_tasks import TaskResultStatus, default_task_backend, task
from django_tasks.exceptions import TaskResultDoesNotExist

from hosting import provisioning


@task()
def provision_hosting(hosting_id: int) -> str | None:
    """One provisioning attempt; a deleted, final, leased or not-yet-due hosting is skipped."""
    return provisioning.provision(hosting_id)


def enqueue_provisioning(hosting_id: int, *, run_after: datetime | None = None) -> None:
    """Enqueue an attempt (call it on commit) and remember its task. A later attempt needs a backend that
    can defer; where there is none (the immediate backend of the tests) ``sweep_provisioning`` dispatches
    it when due."""
    from hosting.models import ResellerHosting

    if run_after is not None:
        if not default_task_backend.supports_defer:
            return
        result = provision_hosting.using(run_after=run_after).enqueue(hosting_id)
    else:
        result = provision_hosting.enqueue(hosting_id)
    ResellerHosting.objects.filter(pk=hosting_id).update(task_id=result.id)  # unrestricted: the job, by id


def waiting_in_queue(task_id: str) -> bool:
    """Whether the task is still queued (not started, not lost); ``False`` when the backend cannot tell."""
    if not task_id or not default_task_backend.supports_get_result:
        return False
    try:
        return provision_hosting.get_result(task_id).status == TaskResultStatus.READY
    except TaskResultDoesNotExist:
        return False


@task()
def check_hostings_on_server(contract_id: int) -> dict:
    """Compare one reseller contract's hostings with their subscriptions on the server (``hosting.sync``)."""
    from hosting import sync

    result = sync.check_contract(contract_id)
    return {"checked": result.checked, "changed": result.changed, "error": result.error}
