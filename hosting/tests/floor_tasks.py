"""A job that only waits: what the task backend costs per job by itself (``bench/provisioning.py``, c)."""

import time

from django_tasks import task


@task()
def wait(seconds: float) -> None:
    """Stands for a provisioning job that spends ``seconds`` waiting for Plesk and writes nothing."""
    time.sleep(seconds)
