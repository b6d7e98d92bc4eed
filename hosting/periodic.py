"""The periodic jobs, as RQ jobs: each runs the management command that a systemd timer runs in production
(deploy/), so both schedules do exactly the same. RQ's cron scheduler enqueues them (hosting/rq_cron.py) on the
queue "periodic"; a worker without django_tasks_rq's job class runs them (scripts/serve.sh)."""

from django.core.management import call_command


def sweep_provisioning() -> None:
    call_command("sweep_provisioning")


def sync_hostings() -> None:
    call_command("sync_hostings")


def mail_usage_warnings() -> None:
    call_command("mail_usage_warnings")
