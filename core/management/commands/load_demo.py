import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from core import demo_loading


class Command(BaseCommand):
    help = "Load the demo data (idempotent: running it twice changes nothing). Refused in production."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded in production.")
        logins: list[tuple[str, str]] = []
        with transaction.atomic():
            for loader in demo_loading.loaders():
                logins.extend(loader() or [])
        if quiet:
            return
        # scripts/run.sh serves on HOST:PORT (make run passes them through).
        address = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
        self.stdout.write(self.style.SUCCESS(f"\nPartnerportal demo — http://{address}/"))
        self.stdout.write(f"All demo logins use the password '{demo_loading.DEMO_PASSWORD}':")
        for username, description in logins:
            self.stdout.write(f"  {username:<12} {description}")
        self.stdout.write("")
