"""Benchmark of provisioning: the portal's own cost per job, and how throughput scales with workers.

Usage, from the repository root::

    .venv/bin/python bench/provisioning.py                                  # SQLite, database task backend
    .venv/bin/python bench/provisioning.py --database-url postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/provisioning.py --database-url postgres://... --backend rq

The sandbox Plesk runs in this process with a fixed latency of ``--latency`` seconds (default 0.05) on
every request. Real worker processes (``manage.py db_worker``, or ``rqworker`` with ``--backend rq``) drain
queued reseller hostings on a throw-away database (``hosting.tests.workers.Cluster``; a SQLite file in a
temporary folder, or a fresh PostgreSQL database on the server of ``--database-url`` that is dropped
afterwards). Every hosting is for a new end customer, so each job makes three Plesk requests: the look-up
packet, ``customer add`` and ``webspace add``.

a. **Portal overhead per job**, one worker (for reading b, not a target: a Plesk call costs far more): the
   time from the first job's start to the last job's end, minus the time the sandbox spent answering (its
   fixed latency included), divided by the number of jobs. What remains is ours: the task backend, the
   lease, the timeline writes, building and parsing XML, HTTP on loopback.
b. **Throughput with 4 workers against 1**, each over its own fresh queue. Target ≥ 2.5×.

The script is a report, not a test: it always exits 0 and ends with one ``SUMMARY`` line. Results and the
machine they were measured on are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hosting.tests.workers import Cluster  # noqa: E402  (plain Python: no Django in this process)
from plesk.sandbox import SandboxServer  # noqa: E402
from plesk.sandbox import server as sandbox_server  # noqa: E402

RESELLER_PW = "bench-reseller-pw"
ADMIN_PW = "bench-admin-pw"
# Four workers against one: the portal must not be what limits throughput while workers wait for Plesk.
SCALE_TARGET = 2.5


class PleskClock:
    """Adds up the time the sandbox spends on each request (its latency included), across threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.total = 0.0
        self.requests = 0
        original = sandbox_server._Handler._agent

        def timed(handler) -> None:
            started = time.perf_counter()
            try:
                original(handler)
            finally:
                with self.lock:
                    self.total += time.perf_counter() - started
                    self.requests += 1

        sandbox_server._Handler._agent = timed

    def reset(self) -> None:
        with self.lock:
            self.total, self.requests = 0.0, 0


def parse_time(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def run(args, clock: PleskClock, workers: int, jobs: int) -> dict:
    """Queue ``jobs`` hostings on a fresh database, let ``workers`` workers drain them, return the timings."""
    with tempfile.TemporaryDirectory(prefix="pp-bench-prov-") as workdir:
        env = {"HOSTING_PLESK_DEADLINE": "10", "HOSTING_LEASE_SECONDS": "60"}
        if args.backend == "rq":
            env["REDIS_URL"] = args.redis_url
        cluster = Cluster(
            Path(workdir),
            postgres_url=args.database_url,
            backend=args.backend,
            rq_worker_class=args.rq_worker_class,
            **env,
        )
        try:
            with SandboxServer(
                "127.0.0.1", 0, admin_password=ADMIN_PW, seed_demo=True, reseller_password=RESELLER_PW
            ) as sandbox:
                if args.backend == "rq":
                    import redis

                    redis.Redis.from_url(args.redis_url).flushdb()
                cluster.setup(sandbox.url, RESELLER_PW, hostings=jobs, customers=jobs)
                sandbox.latency = args.latency
                clock.reset()
                for _ in range(workers):
                    cluster.start_worker()
                if not cluster.wait_until_drained(timeout=600, poll=0.2):
                    raise RuntimeError(f"not drained: {cluster.statuses()}")
                plesk_seconds, requests = clock.total, clock.requests
                cluster.stop()
            statuses = cluster.statuses()
            first, last = cluster.query(
                "SELECT MIN(CASE WHEN kind = 'started' THEN time END), MAX(CASE WHEN kind = 'succeeded' THEN time END) "
                "FROM hosting_provisioningevent"
            )[0]
        finally:
            cluster.close()
    window = (parse_time(last) - parse_time(first)).total_seconds()
    return {
        "workers": workers,
        "jobs": jobs,
        "statuses": statuses,
        "window": window,
        "plesk": plesk_seconds,
        "requests": requests,
        "throughput": jobs / window,
        "overhead_ms": (window - plesk_seconds) / jobs * 1000 if workers == 1 else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL server URL; without it, a SQLite file")
    parser.add_argument("--backend", choices=["database", "rq"], default="database")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13", help="for --backend rq (flushed!)")
    parser.add_argument(
        "--rq-worker-class",
        help="for --backend rq, e.g. rq.worker.SimpleWorker (runs jobs in the worker instead of a fork per job)",
    )
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the sandbox waits per request")
    parser.add_argument("--jobs", type=int, default=100, help="jobs for one worker; four workers get four times")
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration; the median is reported")
    args = parser.parse_args()
    if args.backend == "rq" and not args.database_url:
        print("note: RQ with SQLite works but is not what production runs; measuring anyway")
    database = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{database}, {args.backend} backend, sandbox latency {args.latency * 1000:.0f} ms, "
        f"{args.jobs} jobs for 1 worker, {4 * args.jobs} for 4, {args.repeat} runs each, nproc {os.cpu_count()}"
    )
    clock = PleskClock()
    results: dict[int, list[dict]] = {1: [], 4: []}
    for round_ in range(args.repeat):
        for workers in (1, 4):
            result = run(args, clock, workers, args.jobs * workers)
            results[workers].append(result)
            overhead = f", overhead {result['overhead_ms']:.1f} ms/job" if result["overhead_ms"] is not None else ""
            print(
                f"  run {round_ + 1}, {workers} worker(s): {result['jobs']} jobs in {result['window']:.2f} s "
                f"= {result['throughput']:.2f} jobs/s; {result['requests']} Plesk requests "
                f"({result['requests'] / result['jobs']:.2f} per job), Plesk time {result['plesk']:.2f} s"
                f"{overhead}; {result['statuses']}"
            )
    overhead = statistics.median(r["overhead_ms"] for r in results[1])
    single = statistics.median(r["throughput"] for r in results[1])
    four = statistics.median(r["throughput"] for r in results[4])
    per_job_plesk = statistics.median(r["plesk"] / r["jobs"] * 1000 for r in results[1])
    scale = four / single
    print()
    print("| | measurement | ours | target | result |")
    print("|---|---|---:|---|---|")
    print(
        f"| a | portal overhead per job, 1 worker (Plesk time per job {per_job_plesk:.1f} ms) | "
        f"{overhead:.1f} ms | – | info |"
    )
    print(
        f"| b | throughput, 4 workers vs 1 ({four:.2f} vs {single:.2f} jobs/s) | {scale:.2f}× | "
        f"≥ {SCALE_TARGET}× | {'PASS' if scale >= SCALE_TARGET else 'FAIL'} |"
    )
    print(
        f"SUMMARY {database} {args.backend}: 4 vs 1 workers {scale:.2f}× (≥ {SCALE_TARGET}), "
        f"overhead {overhead:.1f} ms/job"
    )


if __name__ == "__main__":
    main()
