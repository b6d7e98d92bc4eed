"""Mail each reseller the hostings that use 90 % or more of a limit (``hosting.usage``).

Run it once a day, after a server check (``sync_hostings``) has read the usage. A reseller is told at most
once a day, and only when it has such hostings.
"""

from django.core.management.base import BaseCommand

from hosting import usage


class Command(BaseCommand):
    help = "Mail resellers their hostings near a limit of their plan (once a day)."

    def handle(self, *args, **options):
        sent = usage.send_warnings()
        self.stdout.write(f"{sent} usage warning(s) sent.")
