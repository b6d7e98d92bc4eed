"""Re-enqueue reseller hostings whose worker died, whose retry is due, or whose enqueue was lost.

Run it every minute or so (cron, systemd timer); it is safe to run at any time
and from several machines: the lease in ``hosting.provisioning`` lets only one
worker act on a hosting.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand

from hosting import provisioning


class Command(BaseCommand):
    help = "Re-enqueue provisioning jobs that a dead worker or a lost enqueue left behind."

    def add_arguments(self, parser):
        parser.add_argument(
            "--grace",
            type=int,
            default=int(provisioning.ENQUEUE_GRACE.total_seconds()),
            help="Seconds after which a never-started job counts as lost.",
        )

    def handle(self, *args, grace, **options):
        ids = provisioning.sweep(grace=timedelta(seconds=grace))
        self.stdout.write(f"{len(ids)} provisioning job(s) enqueued again.")
