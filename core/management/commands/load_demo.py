import os
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accounts import demo as accounts_demo
from contracts import demo as contracts_demo
from customers import demo as customers_demo
from hosting import demo as hosting_demo
from products import demo as products_demo

# Each app's demo loader, in dependency order; each is idempotent and returns its logins.
LOADERS: list[Callable[[], list[tuple[str, str]]]] = [accounts_demo.load, hosting_demo.load, customers_demo.load]
# Provider contracts and domains, then branded products: both need the demo end customers.
LOADERS += [contracts_demo.load, products_demo.load]


class Command(BaseCommand):
    help = "Load the demo data (idempotent: running it twice changes nothing). Refused in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded in production.")
        logins: list[tuple[str, str]] = []
        with transaction.atomic():
            for loader in LOADERS:
                logins.extend(loader() or [])
        if quiet:
            return
        # scripts/run.sh serves on HOST:PORT (make run passes them through).
        address = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
        self.stdout.write(self.style.SUCCESS(f"\nPartnerportal demo — http://{address}/"))
        self.stdout.write(f"All demo logins use the password '{accounts_demo.DEMO_PASSWORD}':")
        for username, description in logins:
            self.stdout.write(f"  {username:<12} {description}")
        self.stdout.write("")
