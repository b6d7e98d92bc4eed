"""Writing many prepared rows into one table in a single statement: ``COPY`` on PostgreSQL, one ``executemany``
elsewhere.

``bulk_create`` builds and compiles an ``INSERT`` with a placeholder per value; for an import of 100,000 rows
that costs about four times the database's own work (docs/performance.md, "Import of 100,000 customers").
These rows are already what the database keeps, so they go straight to the driver.

``COPY`` is not a cursor ``execute``: ``connection.execute_wrapper`` does not see it. Code that counts
statements counts calls of ``insert_rows`` as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert ``rows`` (values in the order of ``fields``, model field names) into ``model``'s table.

    Values go to the driver as they are: adapted for the database (``connection.ops``, a field's
    ``get_db_prep_save``) and validated beforehand. No signal is sent, no default is applied, no key returned.
    """
    if not rows:
        return
    meta = model._meta
    columns = [str(meta.get_field(name).column) for name in fields]  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            from psycopg import sql

            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(meta.db_table), sql.SQL(", ").join(sql.Identifier(column) for column in columns)
            )
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        quote = connection.ops.quote_name
        statement_text = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608  (names from the model's metadata)
            quote(meta.db_table), ", ".join(quote(column) for column in columns), ", ".join(["%s"] * len(columns))
        )
        cursor.executemany(statement_text, rows)
