"""Real task workers in separate processes, on a throw-away database of their own.

Used by the kill test (``test_workers.py``, REL-04) and by ``bench/provisioning.py``.
The test process runs the sandbox Plesk; the workers, the sweeper and the
seeding run as ``manage.py`` subprocesses with ``hosting.tests.worker_settings``
against a SQLite file or a fresh PostgreSQL database. The test reads the
outcome straight from the database with plain SQL.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "hosting.tests.worker_settings"


class Cluster:
    """A database, its migrations and seed, and the worker processes on it."""

    def __init__(
        self,
        workdir: Path,
        *,
        postgres_url: str | None = None,
        backend: str = "database",
        rq_worker_class: str | None = None,
        database_name: str | None = None,
        **env: str,
    ):
        self.workdir = workdir
        self.backend = backend
        self.rq_worker_class = rq_worker_class
        if postgres_url:
            parts = urlsplit(postgres_url)
            self.pg_admin_url = urlunsplit(parts._replace(path="/postgres"))
            # ``database_name``: a name of the caller's (created and dropped here), e.g. to keep within a prefix.
            self.pg_name = database_name or f"pp_workers_{uuid.uuid4().hex[:10]}"
            self.database_url = urlunsplit(parts._replace(path=f"/{self.pg_name}"))
            self._pg_execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')  # a crashed run's
            self._pg_execute(f'CREATE DATABASE "{self.pg_name}"')
        else:
            self.pg_name = None
            self.sqlite_path = workdir / "workers.sqlite3"
            self.database_url = f"sqlite:///{self.sqlite_path}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "DATABASE_URL": self.database_url,
            "TASKS_BACKEND": backend,
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.workers: list[subprocess.Popen] = []
        self.others: list[subprocess.Popen] = []
        self.kills = 0

    # --- the database -------------------------------------------------------------------------------

    def _pg_execute(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.pg_admin_url, autocommit=True) as connection:
            connection.execute(statement)

    def query(self, sql: str) -> list[tuple]:
        """Plain SQL on the workers' database (no Django connection of the test is involved)."""
        if self.pg_name:
            import psycopg

            with psycopg.connect(self.database_url) as connection:
                return list(connection.execute(sql).fetchall())
        connection = sqlite3.connect(self.sqlite_path, timeout=120)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()

    def manage(self, *args: str, timeout: float = 1200) -> str:
        result = subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def setup(self, sandbox_url: str, reseller_password: str, *, hostings: int, customers: int) -> None:
        """Migrate, then create ``hostings`` reseller hostings for ``customers`` customers, each one queued."""
        self.manage("migrate", "--noinput", "-v0")
        arguments = f"{sandbox_url!r}, {reseller_password!r}, {hostings}, {customers}"
        self.manage("shell", "-c", f"from hosting.tests.workers import seed; seed({arguments})")

    # --- processes ----------------------------------------------------------------------------------

    def _spawn(self, *args: str) -> subprocess.Popen:
        log = open(self.workdir / f"{args[0]}-{len(self.workers) + len(self.others)}.log", "w")  # noqa: SIM115
        return subprocess.Popen(  # noqa: S603 - our own manage.py with fixed arguments
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group: a kill takes the RQ work horse and scheduler processes with it.
            start_new_session=True,
        )

    def start_worker(self) -> subprocess.Popen:
        if self.backend == "rq":
            # The scheduler moves deferred attempts (back-off) into the queue when they are due.
            args = ("rqworker", "default", "--job-class", "django_tasks_rq.backend.Job", "--with-scheduler")
            if self.rq_worker_class:
                args += ("--worker-class", self.rq_worker_class)
        else:
            args = ("db_worker", "--interval", "0.05", "--no-reload", "--no-startup-delay")
        worker = self._spawn(*args)
        self.workers.append(worker)
        return worker

    def start_sweeper(self, interval: float = 1.0) -> None:
        self.others.append(
            self._spawn("shell", "-c", f"from hosting.tests.workers import sweep_loop; sweep_loop({interval})")
        )

    def kill(self, worker: subprocess.Popen) -> None:
        """SIGKILL: no clean-up of any kind, like a machine that loses power."""
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
        self.workers.remove(worker)
        self.kills += 1

    def stop(self) -> None:
        for process in [*self.workers, *self.others]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        self.workers.clear()
        self.others.clear()

    def close(self) -> None:
        self.stop()
        if self.pg_name:
            self._pg_execute(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    # --- what happened ------------------------------------------------------------------------------

    def statuses(self) -> dict[str, int]:
        return dict(self.query("SELECT status, COUNT(*) FROM hosting_resellerhosting GROUP BY status"))

    def wait_until_drained(self, timeout: float, *, poll: float = 0.2, tick=None) -> bool:
        """Wait until no hosting is in provisioning; ``tick()`` runs between polls (kills, faults)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self.statuses().get("provisioning"):
                return True
            if tick is not None:
                tick()
            time.sleep(poll)
        return False


# --- run inside the subprocesses (Django is set up there) ----------------------------------------------------


def seed(sandbox_url: str, reseller_password: str, hostings: int, customers: int) -> None:
    """A reseller with ``customers`` end customers and ``hostings`` hostings among them, all queued."""
    from conftest import make_customer, make_tenant
    from hosting.services import create_hosting
    from hosting.tests.helpers import bind_server, reseller_setup

    tenant = make_tenant("30001", "Drill Agentur", "drill")
    _contract, product = reseller_setup(tenant, bind_server(sandbox_url), number="o3001", password=reseller_password)
    people = [make_customer(tenant.account, f"W-{n:04d}") for n in range(customers)]
    actor = tenant.actor()
    for n in range(hostings):
        # Each with its domain: a space without one stops at its Plesk login (test_provisioning's drain covers it).
        domain = f"drill-{n}.example"
        create_hosting(actor, end_customer=people[n % customers], product=product, domain=domain)
    print(json.dumps({"hostings": hostings}))


def sweep_loop(interval: float) -> None:
    """``manage.py sweep_provisioning`` every ``interval`` seconds, with no grace: the drill has no slow enqueues."""
    from datetime import timedelta

    from hosting import provisioning

    while True:
        provisioning.sweep(grace=timedelta(seconds=1))
        time.sleep(interval)
