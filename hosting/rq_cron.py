"""RQ's cron configuration for ``make serve``: ``manage.py rqcron hosting.rq_cron`` (docs/operations.md,
"Processes"). Production uses the systemd timers in deploy/ instead; run only one of the two, and one
scheduler, or each job is enqueued once per scheduler.

Each job may wait in the queue for at most its interval (``ttl``): while the periodic worker is down, one
run of each waits instead of a pile of them."""

from rq import cron

from hosting import periodic

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR

# Every minute, from the scheduler's start: after a restart it picks up at once what was left behind.
cron.register(periodic.sweep_provisioning, "periodic", interval=MINUTE, ttl=MINUTE, job_timeout=5 * MINUTE)
# At fixed times (the machine's local time), not at each start: a check reads every contract's subscriptions.
cron.register(periodic.sync_hostings, "periodic", cron="7 * * * *", ttl=HOUR, job_timeout=10 * MINUTE)
# After the server check of 06:07 has read the usage.
cron.register(periodic.mail_usage_warnings, "periodic", cron="30 6 * * *", ttl=DAY, job_timeout=30 * MINUTE)
