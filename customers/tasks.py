"""Background jobs of the customer import: thin, loading by id and calling the import code.

A task acts for the system on a job that a service queued after checking the
actor; it reads and marks that job by its id (``# unrestricted: the job``).
"""

from django_tasks import task

from accounts.services import current_role
from core.actor import Actor
from customers import imports
from customers.models import CustomerImport


@task()
def read_import(import_id: int) -> None:
    job = CustomerImport.objects.get(pk=import_id)  # unrestricted: the job
    if job.status != CustomerImport.Status.READING:
        return
    try:
        imports.read(job)
    except Exception as error:
        # Only while it is still being read: a second run of the task that finds the file gone must not undo the first.
        failed = CustomerImport.objects.filter(pk=job.pk, status=CustomerImport.Status.READING)  # unrestricted: the job
        failed.update(status=CustomerImport.Status.FAILED, failure=str(error)[:500], source="")
        raise


@task()
def check_import(import_id: int) -> None:
    job = CustomerImport.objects.select_related("account").get(pk=import_id)  # unrestricted: the job
    if job.status != CustomerImport.Status.VALIDATING:
        return
    try:
        imports.check(job)
    except Exception as error:
        failed = CustomerImport.objects.filter(pk=job.pk)  # unrestricted: the job
        failed.update(status=CustomerImport.Status.FAILED, failure=str(error)[:500])
        raise


@task()
def run_import(import_id: int, *, user_id: int, only_valid: bool, ip: str | None = None) -> None:
    # ``only_valid`` is what the user chose; the service checked it against the rows, and ``job.cleaned`` holds
    # only the valid ones, so the import needs no more than the job.
    # unrestricted: the job; the import needs its normalised rows, not the file's
    jobs = CustomerImport.objects.select_related("account", "created_by").defer("rows", "header")
    job = jobs.get(pk=import_id)
    if job.status != CustomerImport.Status.IMPORTING:
        return
    role = current_role(job.created_by, job.account) if job.created_by_id == user_id else None
    if role is None:
        failed = CustomerImport.objects.filter(pk=job.pk)  # unrestricted: the job
        failed.update(status=CustomerImport.Status.FAILED, failure="not permitted")
        return
    actor = Actor(user=job.created_by, account=job.account, role=role, ip=ip)
    try:
        imports.run(job, actor)
    except Exception as error:
        # The batches committed so far stay imported (``created_count``); the page says how many.
        # unrestricted: the job
        failed = CustomerImport.objects.filter(pk=job.pk, status=CustomerImport.Status.IMPORTING)
        failed.update(status=CustomerImport.Status.FAILED, failure=str(error)[:500])
        raise
