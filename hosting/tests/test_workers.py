"""The kill test (issue 5, REL-04): real worker processes drain 200 provisioning jobs while they are
SIGKILLed at random moments and the sandbox Plesk times out, drops connections and fails with HTTP 500
after committing. Afterwards: zero duplicates on the sandbox, zero hostings stuck, every job final.

The workers run on a database of their own (a SQLite file, or a fresh PostgreSQL database when the suite
runs on PostgreSQL), because they are separate processes and cannot see the test's transaction.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from django.db import connection

from hosting.tests.helpers import HELD
from hosting.tests.workers import Cluster
from plesk.sandbox import FaultKind, SandboxServer

HOSTINGS = 200
CUSTOMERS = 50
WORKERS = 3
RESELLER_PW = "reseller-pw-456"
FAULTS = [FaultKind.TIMEOUT_AFTER_COMMIT, FaultKind.DROP_AFTER_COMMIT, FaultKind.HTTP_500, FaultKind.DROP]
OPERATIONS = ["customer add", "customer get", "webspace add", "webspace get"]


@pytest.fixture
def cluster(tmp_path, settings):
    database = settings.DATABASES["default"]
    postgres_url = None
    if connection.vendor == "postgresql":
        host, port = database.get("HOST") or "127.0.0.1", database.get("PORT") or 5432
        postgres_url = f"postgres://{database['USER']}@{host}:{port}/postgres"
    cluster = Cluster(tmp_path, postgres_url=postgres_url)
    yield cluster
    cluster.close()


def test_killed_workers_and_injected_faults_leave_no_duplicates_and_nothing_stuck(cluster, tmp_path):
    rng = random.Random(4711)
    with SandboxServer(
        "127.0.0.1", 0, admin_password="admin-pw-123", seed_demo=True, reseller_password=RESELLER_PW
    ) as sandbox:
        cluster.setup(sandbox.url, RESELLER_PW, hostings=HOSTINGS, customers=CUSTOMERS)
        assert cluster.statuses() == {"provisioning": HOSTINGS}
        # Each request takes a little while, as on a real server, so that kills land in the middle of jobs.
        sandbox.latency = 0.02
        for _ in range(WORKERS):
            cluster.start_worker()
        cluster.start_sweeper(interval=0.5)
        faults = Counter()
        next_kill = [rng.randint(3, 10)]

        def chaos():
            # While most jobs are still open: every poll maybe a fault for the next matching call, and a worker
            # killed every 3-10 attempts, the one up longest (the likeliest to be in the middle of a job). Both
            # follow the jobs, not the clock: on a busy machine, faults injected by the clock would pile up
            # faster than calls use them and fail every call, and workers killed by the clock would die while
            # still starting. The last jobs drain in peace: with only a few left, every fault would hit them,
            # which says nothing more.
            if cluster.statuses().get("provisioning", 0) < HOSTINGS // 10:
                sandbox.clear_faults()
                return
            if not sandbox.faults.active() and rng.random() < 0.3:
                kind = rng.choice(FAULTS)
                options = {"delay": HELD} if kind == FaultKind.TIMEOUT_AFTER_COMMIT else {}
                if kind == FaultKind.HTTP_500:
                    options["commit"] = rng.random() < 0.5
                sandbox.inject(kind, operation=rng.choice(OPERATIONS), **options)
                faults[kind] += 1
            attempts = cluster.query("SELECT SUM(attempts) FROM hosting_resellerhosting")[0][0]
            if attempts >= next_kill[0] and cluster.workers:
                cluster.kill(cluster.workers[0])
                cluster.start_worker()
                next_kill[0] = attempts + rng.randint(3, 10)

        # Minutes on an idle machine, several times that on a busy one: the limit only ends a drill that hangs.
        drained = cluster.wait_until_drained(timeout=1800, poll=0.1, tick=chaos)
        cluster.stop()
        sandbox.clear_faults()

        # A task a killed worker was running stays "running" in the task table for ever; the lease and the
        # sweep are what finish its hosting.
        rows = cluster.query(
            "SELECT id, status, attempts, claimed_until, customer_external_id, external_id "
            "FROM hosting_resellerhosting ORDER BY id"
        )
        statuses = Counter(row[1] for row in rows)
        assert drained, f"still provisioning after the time limit: {statuses}"
        assert statuses == {"active": HOSTINGS}, statuses
        assert all(row[3] is None for row in rows), "a lease was left behind"
        for _id, _status, _attempts, _claimed, customer_external_id, external_id in rows:
            assert sandbox.create_count("webspace", external_id=external_id) == 1, external_id
            assert sandbox.create_count("customer", external_id=customer_external_id) == 1, customer_external_id
        assert sandbox.create_count("webspace") == HOSTINGS
        assert sandbox.create_count("customer") == CUSTOMERS
        # The drill really happened: workers died, faults fired, and jobs needed more than one attempt.
        killed_mid_job = cluster.query(
            "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
        )[0][0]
        assert cluster.kills >= 5 and killed_mid_job >= 1 and sum(faults.values()) >= 15
        assert sum(row[2] for row in rows) > HOSTINGS
        # Every subscription on the server belongs to one of our hostings: nothing orphaned, nothing twice.
        with sandbox.engine.lock:
            ours = Counter(w.external_id for w in sandbox.state.webspaces if (w.external_id or "").startswith("pp-"))
        assert len(ours) == HOSTINGS and set(ours.values()) == {1}
