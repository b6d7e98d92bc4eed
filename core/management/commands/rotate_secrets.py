from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from core.crypto import EncryptedTextField, rotate


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the first key in ENCRYPTION_KEYS (after prepending a new key)."

    def handle(self, *args: Any, **options: Any) -> None:
        rotated = 0
        with transaction.atomic():
            for model in apps.get_models():
                # Concrete fields always have a column; the checks tell the type checker.
                columns = [
                    f.column for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField) and f.column
                ]
                pk_column = model._meta.pk.column
                if columns and pk_column:
                    rotated += _rotate_table(model._meta.db_table, pk_column, columns)
        self.stdout.write(f"Re-encrypted {rotated} secrets.")


def _rotate_table(table: str, pk: str, columns: list[str]) -> int:
    """Rotate the ciphertext column by column, on raw values: the plaintext never lands in a model."""
    quote = connection.ops.quote_name
    rotated = 0
    with connection.cursor() as cursor:
        for column in columns:
            cursor.execute(f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)}")  # noqa: S608
            for row_pk, value in cursor.fetchall():
                if value:
                    cursor.execute(
                        f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote(pk)} = %s",  # noqa: S608
                        [rotate(value), row_pk],
                    )
                    rotated += 1
    return rotated
