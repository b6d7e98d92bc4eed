"""Indexes for the customer list at a million rows (issue #22).

Every column the list sorts by gets an index that starts with the account, so a sorted page reads 25 index
entries instead of sorting all of the account's customers. On PostgreSQL, the search box (``icontains`` over
``EndCustomerFilterSet.search_fields``) gets one trigram GIN index per field, whose expression is exactly what
Django generates for ``icontains`` there (``UPPER("col"::text) LIKE UPPER(%s)``), so a substring search reads
the index instead of every row. SQLite keeps its table scan: it has no such index.

On PostgreSQL the indexes are built with ``CREATE INDEX CONCURRENTLY``, which does not block writes while it
reads the table (about a minute at a million customers), and which cannot run in a transaction: hence
``atomic = False``.
"""

from django.db import migrations, models

SORT_INDEXES = [
    models.Index(fields=["account", "first_name"], name="endcustomer_acct_first_idx"),
    models.Index(fields=["account", "company"], name="endcustomer_acct_company_idx"),
]
SEARCH_FIELDS = ["number", "last_name", "first_name", "company", "email", "city"]


def _trigram_index(field):
    return f"customers_endcustomer_{field}_trgm"


def add_indexes(apps, schema_editor):
    model = apps.get_model("customers", "EndCustomer")
    if schema_editor.connection.vendor != "postgresql":
        for index in SORT_INDEXES:
            schema_editor.add_index(model, index)
        return
    for index in SORT_INDEXES:
        schema_editor.add_index(model, index, concurrently=True)
    # A trusted extension since PostgreSQL 13: the database's owner may create it.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    quote = schema_editor.quote_name
    for field in SEARCH_FIELDS:
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {quote(_trigram_index(field))} "
            f"ON {quote(model._meta.db_table)} USING gin (UPPER({quote(field)}::text) gin_trgm_ops)"
        )


def remove_indexes(apps, schema_editor):
    model = apps.get_model("customers", "EndCustomer")
    if schema_editor.connection.vendor != "postgresql":
        for index in SORT_INDEXES:
            schema_editor.remove_index(model, index)
        return
    for index in SORT_INDEXES:
        schema_editor.remove_index(model, index, concurrently=True)
    # The extension stays: other tables may use it, and it costs nothing unused.
    for field in SEARCH_FIELDS:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(_trigram_index(field))}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("customers", "0005_todo_plain_text"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="endcustomer", index=index) for index in SORT_INDEXES],
            database_operations=[migrations.RunPython(add_indexes, remove_indexes)],
        ),
    ]
