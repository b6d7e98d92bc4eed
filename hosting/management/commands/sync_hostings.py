"""Check every reseller hosting against its subscription on the Plesk server (drift).

Run it every hour or so (cron, systemd timer). It enqueues one check per
reseller contract for the task workers; ``--now`` runs them here instead and
prints what changed.
"""

from django.core.management.base import BaseCommand

from hosting import sync


class Command(BaseCommand):
    help = "Mark hostings whose subscription was deleted, suspended or changed on the Plesk server."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Run the checks in this process, not as tasks.")

    def handle(self, *args, now, **options):
        if not now:
            ids = sync.enqueue_checks()
            self.stdout.write(f"{len(ids)} server check(s) enqueued.")
            return
        for contract_id in sync.contracts_to_check().values_list("pk", flat=True):
            result = sync.check_contract(contract_id)
            line = f"contract {contract_id}: {result.checked} checked, {len(result.changed)} changed"
            self.stdout.write(f"{line}; {result.error}" if result.error else line)
