"""Benchmark of the customer import at 100,000 rows: its time against a bare COPY of the same rows.

Usage, from the repository root::

    .venv/bin/python bench/imports.py                                   # SQLite file /tmp/pp-bench-imports.sqlite3
    .venv/bin/python bench/imports.py --database-url postgres://postgres@127.0.0.1:5432/pp_bench_imports
    .venv/bin/python bench/imports.py --rows 20000 --keep

The script creates its own throw-away database (the name must contain "bench": it is dropped), migrates it,
writes a CSV file of ``--rows`` realistic end customers (fixed seed; German header, as a reseller's export
has it) and imports it into one reseller account through the services and tasks a request and a worker run
(the tasks run in this process, ``TASKS_BACKEND=immediate``):

- read: the upload and ``read_import`` (parse the file, keep its rows), for information;
- check: ``check_import`` (validate and normalise every row), for information;
- import: ``run_import`` (create the customers and their audit entries in committed batches) against the
  **floor**: the same rows, already normalised, written into the customers table by a bare ``COPY``
  (PostgreSQL) or one ``executemany`` (SQLite) and committed; the floor is taken before and after the
  import (into two other accounts) and averaged. Target (issue #22): the import ≤ 5× the floor.

While the import runs, a second connection polls the import's progress (``processed``) as its page does;
the distinct values it saw show that each batch commits its progress. Statements per batch are counted with
``connection.execute_wrapper`` plus the bulk inserts (``COPY`` passes no execute wrapper). The script is a
report, not a test: it always exits 0 and ends with one ``SUMMARY`` line. Results are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import os
import random
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_URL = "sqlite:////tmp/pp-bench-imports.sqlite3"
TARGET = 5.0

FIRST_NAMES = ["Anna", "Lena", "Deniz", "Jonas", "Claudia", "Piotr", "Lukas", "Mia", "Jürgen", "Ayşe", "Björn", "Olga"]
LAST_NAMES = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Öztürk", "Nowak", "Hartmann", "Groß"]
CITIES = [("Berlin", "10", "30"), ("Hamburg", "20", "40"), ("München", "80", "89"), ("Köln", "50", "221")]
STREETS = ["Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schulstraße", "Lindenallee", "Am Sägewerk"]
TRADES = ["Bäckerei", "Tischlerei", "Praxis", "Café", "Autohaus", "Steuerberatung", "Kanzlei"]
HEADER = ["Kundennummer", "Firma", "Nachname", "Vorname", "Straße", "PLZ", "Ort", "Land", "Telefon", "Mobil"]
HEADER += ["E-Mail", "Webseite"]


def csv_file(rows: int) -> bytes:
    """A reseller's customer list as Excel's "CSV UTF-8" writes it: semicolons, national phone numbers."""
    rng = random.Random(22)  # noqa: S311  (test data, the same in every run)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    for i in range(1, rows + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        city, postal, area = rng.choice(CITIES)
        company = f"{rng.choice(TRADES)} {last} GmbH" if rng.random() < 0.4 else ""
        writer.writerow(
            [
                f"K-{i:06d}",
                company,
                last,
                first,
                f"{rng.choice(STREETS)} {rng.randrange(1, 180)}",
                f"{postal}{rng.randrange(1000):03d}",
                city,
                "DE",
                f"0{area} {rng.randrange(1000000, 9999999)}",
                f"0170 {rng.randrange(1000000, 9999999)}",
                f"kunde{i}@example.test",
                f"www.kunde{i}.example" if company and rng.random() < 0.5 else "",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()


def prepare(url: str) -> None:
    import environ

    config = environ.Env.db_url_config(url)
    name = str(config["NAME"])
    if "bench" not in Path(name).name:
        sys.exit(f"Refusing {name!r}: the benchmark drops its database, so its name must contain 'bench'.")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(name + suffix).unlink(missing_ok=True)
    else:
        import psycopg
        from psycopg import sql

        admin = psycopg.connect(
            dbname="postgres",
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            autocommit=True,
        )
        with admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "partnerportal.settings"
    os.environ["DEBUG"] = "False"
    os.environ["PARTNERPORTAL_ENV"] = "development"
    os.environ["TASKS_BACKEND"] = "immediate"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    # The immediate task backend logs every task's start and end; the report is what matters here.
    logging.getLogger("django_tasks").setLevel(logging.WARNING)


def drop(url: str) -> None:
    from django.db import connections

    connections.close_all()
    import environ

    config = environ.Env.db_url_config(url)
    name = str(config["NAME"])
    if config["ENGINE"] == "django.db.backends.sqlite3":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(name + suffix).unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        dbname="postgres", host=config.get("HOST") or None, port=config.get("PORT") or None,
        user=config.get("USER") or None, password=config.get("PASSWORD") or None, autocommit=True,
    ) as admin:  # fmt: skip
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def reseller(number: str):
    from accounts.models import Account, Membership
    from core.actor import Actor
    from core.roles import Role
    from users.models import User

    account = Account.objects.create(number=number, name=f"Bench {number}", is_partner=True)
    owner = User.objects.create(username=f"bench-{number}", email=f"bench-{number}@example.test")
    Membership.objects.create(account=account, user=owner, role=Role.OWNER)
    return Actor(user=owner, account=account, role=Role.OWNER, ip="127.0.0.1")


def floor(actor, cleaned: list[list]) -> float:
    """The same rows, normalised, into the customers table of ``actor``'s account by one bare COPY (or
    executemany) and a commit: what the database needs to keep them."""
    from django.db import connection, transaction
    from django.utils import timezone
    from psycopg import sql

    from customers.imports import FIELD_NAMES

    columns = ["account_id", *FIELD_NAMES, "created_at", "updated_at"]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [(actor.account.pk, *row[1:], now, now) for row in cleaned]
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            statement = sql.SQL("COPY customers_endcustomer ({}) FROM STDIN").format(
                sql.SQL(", ").join(sql.Identifier(column) for column in columns)
            )
            with cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO customers_endcustomer ({', '.join(columns)}) VALUES ({placeholders})",  # noqa: S608
                rows,
            )
    return time.perf_counter() - started


class ProgressWatcher(threading.Thread):
    """Polls the import's ``processed`` over its own connection, as the import's page does (every 0.2 s)."""

    def __init__(self, pk: int):
        super().__init__(daemon=True)
        self.pk, self.seen, self.stopped = pk, [], threading.Event()

    def run(self) -> None:
        from django.db import connection

        from customers.models import CustomerImport

        try:
            while not self.stopped.wait(0.2):
                # unrestricted: the bench's own import
                value = CustomerImport.objects.filter(pk=self.pk).values_list("status", "processed").first()
                if value and (not self.seen or self.seen[-1] != value):
                    self.seen.append(value)
        finally:
            connection.close()


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, help="rows per batch (imports.BATCH_SIZE) for checking and importing")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    prepare(args.database_url)

    from django.core.management import call_command
    from django.db import connection

    from customers import imports, services
    from customers.models import CustomerImport, EndCustomer

    call_command("migrate", verbosity=0)
    if args.batch_size:
        imports.BATCH_SIZE = args.batch_size
    database = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    print(f"{database}, {args.rows} rows, batches of {imports.BATCH_SIZE}, nproc {os.cpu_count()}")
    data = csv_file(args.rows)
    print(f"  file: {len(data) / 1024 / 1024:.1f} MB CSV")
    actor = reseller("91001")

    timings = {}
    started = time.perf_counter()
    job = services.start_import(actor, name="kunden.csv", data=data)
    timings["read"] = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == CustomerImport.Status.UPLOADED, (job.status, job.refusal)
    started = time.perf_counter()
    services.check_import(actor, job, job.mapping)
    timings["check"] = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == CustomerImport.Status.VALIDATED and not job.errors, (job.status, job.errors[:3])
    cleaned = job.cleaned

    floors = [floor(reseller("91002"), cleaned)]

    counter, batches, inserts, starts = StatementCounter(), [0], [0], []
    create_batch, insert_rows = imports._create_batch, imports.insert_rows

    def counted_batch(*args, **kwargs):
        batches[0] += 1
        starts.append(time.perf_counter())
        return create_batch(*args, **kwargs)

    def counted_insert(*args, **kwargs):
        inserts[0] += 1
        return insert_rows(*args, **kwargs)

    imports._create_batch, imports.insert_rows = counted_batch, counted_insert
    watcher = ProgressWatcher(job.pk)
    watcher.start()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        services.run_import(actor, job, only_valid=False)
    timings["import"] = time.perf_counter() - started
    # A batch's time: from its start to the next one's (its statements, its commit, the next lock).
    spans = [(later - earlier) * 1000 for earlier, later in zip(starts, starts[1:], strict=False)]
    # Before the first batch: the request's service, and the task loading the job and its checked rows.
    before_batches = starts[0] - started
    watcher.stopped.set()
    watcher.join()
    imports._create_batch, imports.insert_rows = create_batch, insert_rows
    job.refresh_from_db()
    created = EndCustomer.objects.restrict(actor).count()
    assert (job.status, job.created_count, created) == ("done", args.rows, args.rows), (job.status, created)

    floors.append(floor(reseller("91003"), cleaned))
    bare = sum(floors) / len(floors)
    ratio = timings["import"] / bare
    statements = counter.count + inserts[0]
    # Around the batches: the service's lock and status, the task's load, the finish and its audit entry.
    per_batch = statements / batches[0]
    importing = [processed for status, processed in watcher.seen if status == "importing"]
    rss_growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024

    print()
    print("| | measurement | time | ratio | target |")
    print("|---|---|---:|---:|---|")
    print(f"| | read (upload and read_import: parse, keep the rows) | {timings['read']:.2f} s | – | info |")
    print(f"| | check (check_import: validate and normalise every row) | {timings['check']:.2f} s | – | info |")
    print(
        f"| | bare {'COPY' if database == 'PostgreSQL' else 'executemany'} of the same rows, committed "
        f"(before / after) | {floors[0]:.2f} / {floors[1]:.2f} s | – | – |"
    )
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(
        f"| i | import (run_import) vs the bare insert | {timings['import']:.2f} s | {ratio:.2f}× "
        f"| ≤ {TARGET}× {verdict} |"
    )
    print(
        f"| | whole import (read + check + import) vs the bare insert | "
        f"{sum(timings.values()):.2f} s | {sum(timings.values()) / bare:.2f}× | info |"
    )
    print(
        f"  statements while importing: {statements} for {batches[0]} batches = {per_batch:.1f} per batch "
        f"({inserts[0]} of them bulk inserts); peak RSS grew {rss_growth:.0f} MB during the import"
    )
    print(f"  before the first batch (the service, the task loading the job): {before_batches:.2f} s")
    if len(spans) >= 10:
        print(
            f"  a batch, start to next start: median {statistics.median(spans):.0f} ms; the first ten "
            f"{statistics.median(spans[:10]):.0f} ms, the last ten {statistics.median(spans[-10:]):.0f} ms"
        )
    print(
        f"  progress seen by another connection while importing: {len(importing)} distinct values, "
        f"{importing[:3]} … {importing[-3:]}"
    )
    print(
        f"SUMMARY {database} import of {args.rows} rows: {timings['import']:.2f} s = {ratio:.2f}× bare insert "  # noqa: S608
        f"(≤ {TARGET}, {verdict}); check {timings['check']:.2f} s, read {timings['read']:.2f} s; "
        f"{per_batch:.1f} statements per batch of {imports.BATCH_SIZE}; progress values seen {len(importing)}"
    )
    if not args.keep:
        drop(args.database_url)


if __name__ == "__main__":
    main()
