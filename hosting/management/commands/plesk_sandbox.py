from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from plesk.sandbox.serve import serve


class Command(BaseCommand):
    help = (
        "Serve the sandbox Plesk (a fake Plesk XML API server) for the demo and for development. Refused in production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8880)
        parser.add_argument("--admin-password", required=True, help="password of the login 'admin'")
        parser.add_argument("--state", metavar="FILE", help="JSON state file, kept between runs")
        parser.add_argument("--seed-demo", action="store_true", help="add reseller-demo with plans and subscriptions")
        parser.add_argument("--reseller-password", help="password of reseller-demo (default: generated, printed)")
        parser.add_argument("--schema-dir", metavar="DIR", help="Plesk XSD files for request validation")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("The Plesk sandbox is for the demo and development only.")
        serve(
            options["host"],
            options["port"],
            options["admin_password"],
            state_file=options["state"],
            seed_demo=options["seed_demo"],
            schema_dir=options["schema_dir"],
            reseller_password=options["reseller_password"],
            out=self.stdout,
        )
