"""Writing many prepared rows into one table in a single statement: ``COPY`` on PostgreSQL, one ``executemany``
elsewhere.

``bulk_create`` builds and compiles an ``INSERT`` with a placeholder per value; for an import of 100,000 rows
that costs several times the database's own work (docs/performance.md, "Import of 100,000 customers").
These rows are already what the database keeps, so they go straight to the driver.

``COPY`` is not a cursor ``execute``: ``connection.execute_wrapper`` does not see it. Code that counts
statements counts calls of ``insert_rows`` as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, connection, models


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *, with_keys: bool = False
) -> list[int]:
    """Insert ``rows`` (values in the order of ``fields``, model field names) into ``model``'s table; with
    ``with_keys``, return the new rows' primary keys in the rows' order. Call it inside a transaction.

    Values go to the driver as they are: adapted for the database (``connection.ops``, a field's
    ``get_db_prep_save``) and validated beforehand. No signal is sent, no default is applied.
    """
    if not rows:
        return []
    meta = model._meta
    columns = [str(meta.get_field(name).column) for name in fields]  # type: ignore[union-attr]
    keys: list[int] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            import psycopg
            from psycopg import sql

            if with_keys:
                # The keys first, from the table's own sequence in one statement: COPY returns none.
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [meta.db_table, meta.pk.column, len(rows)],
                )
                keys = [key for (key,) in cursor.fetchall()]
                columns.insert(0, str(meta.pk.column))
                rows = [(key, *row) for key, row in zip(keys, rows, strict=True)]
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(meta.db_table), sql.SQL(", ").join(sql.Identifier(column) for column in columns)
            )
            # As Django's cursor does for execute: a refused row raises Django's IntegrityError, not the driver's.
            try:
                with cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
            except psycopg.IntegrityError as error:
                raise IntegrityError(*error.args) from error
            return keys
        quote = connection.ops.quote_name
        statement_text = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608  (names from the model's metadata)
            quote(meta.db_table), ", ".join(quote(column) for column in columns), ", ".join(["%s"] * len(columns))
        )
        cursor.executemany(statement_text, rows)
        if with_keys:
            if connection.vendor != "sqlite":
                raise NotImplementedError(f"new keys from {connection.vendor}")
            # SQLite: the transaction holds the database's write lock since the insert, and an AUTOINCREMENT key
            # is one more than the largest ever used, so the rows just inserted have the last keys, in order.
            cursor.execute("SELECT last_insert_rowid()")
            (last,) = cursor.fetchone()
            keys = list(range(last - len(rows) + 1, last + 1))
    return keys
