"""Benchmark of provisioning: the portal's own cost per job, and how throughput scales with workers.

Usage, from the repository root::

    .venv/bin/python bench/provisioning.py                                  # SQLite, database task backend
    .venv/bin/python bench/provisioning.py --database-url postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/provisioning.py --database-url postgres://... --backend rq
    .venv/bin/python bench/provisioning.py --database-url postgres://postgres@127.0.0.1:5432/pp_bench_prov \
        --backend rq --rq-worker-class rq.worker.SimpleWorker --redis-url redis://127.0.0.1:6379/13 \
        --hostings 1000 --latency 0.1 --repeat 1

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
b. **Throughput with 4 workers against 1**, each over its own fresh queue. Target ≥ 2.5× (issue #16) with
   ``--jobs``; with ``--hostings N`` (issue #22: 1,000 hostings queued at once, drained by 1 worker and by 4)
   the target is ≥ 3.5×.
c. **Nothing twice, nothing stuck** (every run): each hosting's subscription and each customer was created on
   the sandbox exactly once, no subscription of ours is on it twice, and every hosting reaches "active"
   (the script waits for that, not only for the queue to drain).

While a configuration drains, the script reads the machine's CPU time (``/proc/stat``): how busy both cores
were tells whether the workers or the machine set the limit. ``--load-command`` starts a command (e.g. the
load test, ``bench/load.py``) just before each drain and ends it after, so the drains run under that load.
A PostgreSQL URL whose database name contains "bench" names the throw-away database (it is dropped);
otherwise a random ``pp_workers_…`` database is made on that server.

The script is a report, not a test: it always exits 0 and ends with one ``SUMMARY`` line. Results and the
machine they were measured on are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hosting.tests.workers import Cluster  # noqa: E402  (plain Python: no Django in this process)
from plesk.sandbox import SandboxServer  # noqa: E402
from plesk.sandbox import server as sandbox_server  # noqa: E402

RESELLER_PW = "bench-reseller-pw"
ADMIN_PW = "bench-admin-pw"
# Four workers against one: the portal must not be what limits throughput while workers wait for Plesk.
SCALE_TARGET = 2.5
# Issue #22: 1,000 hostings queued at once (``--hostings``).
QUEUED_SCALE_TARGET = 3.5


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


def cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of all cores since boot."""
    fields = [float(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def verify(cluster, sandbox) -> dict:
    """Duplicates and stuck hostings, from the portal's database and the sandbox's own record of what it created."""
    rows = cluster.query("SELECT status, customer_external_id, external_id FROM hosting_resellerhosting")
    with sandbox.engine.lock:
        created = Counter((event.kind, event.external_id) for event in sandbox.state.created)
        webspaces = Counter(w.external_id for w in sandbox.state.webspaces if (w.external_id or "").startswith("pp-"))
    customers = {customer for _status, customer, _webspace in rows}
    return {
        "stuck": sum(status != "active" for status, _customer, _webspace in rows),
        # Created more than once, or not at all, for a hosting that is active.
        "duplicate_webspaces": sum(created[("webspace", webspace)] != 1 for _status, _c, webspace in rows),
        "duplicate_customers": sum(created[("customer", customer)] != 1 for customer in customers),
        "webspaces_twice": sum(count > 1 for count in webspaces.values()),
        "orphans": len(webspaces) - len(rows),
    }


@contextlib.contextmanager
def load(command: str | None):
    """``command`` running in its own process group while the block runs (the external load), then ended."""
    if not command:
        yield
        return
    process = subprocess.Popen(shlex.split(command), cwd=REPO, start_new_session=True)  # noqa: S603  (the user's)
    try:
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def database_name(url: str | None) -> str | None:
    name = urlsplit(url).path.lstrip("/") if url else ""
    return name if "bench" in name else None


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
            database_name=database_name(args.database_url),
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
                with load(args.load_command):
                    busy_before, total_before = cpu_times()
                    for _ in range(workers):
                        cluster.start_worker()
                    # Generous: a single worker drains 1,000 hostings in minutes on an idle machine.
                    drained = cluster.wait_until_drained(timeout=max(600, jobs * 3), poll=0.2)
                    busy_after, total_after = cpu_times()
                if not drained:
                    raise RuntimeError(f"not drained: {cluster.statuses()}")
                # Drained is not done: wait for every hosting to be active (a back-off may still be pending).
                deadline = time.monotonic() + 120
                while cluster.statuses() != {"active": jobs} and time.monotonic() < deadline:
                    time.sleep(0.5)
                plesk_seconds, requests = clock.total, clock.requests
                cluster.stop()
                checks = verify(cluster, sandbox)
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
        "cpu_busy": (busy_after - busy_before) / (total_after - total_before),
        **checks,
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
    parser.add_argument(
        "--hostings",
        type=int,
        help="hostings queued at once, as many for 1 as for 4 workers (instead of --jobs)",
    )
    parser.add_argument("--load-command", help="a command that runs during each drain (an external load)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per configuration; the median is reported")
    args = parser.parse_args()
    if args.backend == "rq" and not args.database_url:
        print("note: RQ with SQLite works but is not what production runs; measuring anyway")
    database = "PostgreSQL" if args.database_url else "SQLite"
    jobs = {1: args.hostings, 4: args.hostings} if args.hostings else {1: args.jobs, 4: 4 * args.jobs}
    target = QUEUED_SCALE_TARGET if args.hostings else SCALE_TARGET
    print(
        f"{database}, {args.backend} backend{f' ({args.rq_worker_class})' if args.rq_worker_class else ''}, "
        f"sandbox latency {args.latency * 1000:.0f} ms, {jobs[1]} jobs for 1 worker, {jobs[4]} for 4, "
        f"{args.repeat} runs each, nproc {os.cpu_count()}"
        f"{', under load: ' + args.load_command if args.load_command else ''}"
    )
    clock = PleskClock()
    results: dict[int, list[dict]] = {1: [], 4: []}
    for round_ in range(args.repeat):
        for workers in (1, 4):
            result = run(args, clock, workers, jobs[workers])
            results[workers].append(result)
            overhead = f", overhead {result['overhead_ms']:.1f} ms/job" if result["overhead_ms"] is not None else ""
            print(
                f"  run {round_ + 1}, {workers} worker(s): {result['jobs']} jobs in {result['window']:.2f} s "
                f"= {result['throughput']:.2f} jobs/s; {result['requests']} Plesk requests "
                f"({result['requests'] / result['jobs']:.2f} per job), Plesk time {result['plesk']:.2f} s"
                f"{overhead}; CPU {result['cpu_busy']:.0%} busy; {result['statuses']}; stuck {result['stuck']}, "
                f"created twice or never: {result['duplicate_webspaces']} subscriptions, "
                f"{result['duplicate_customers']} customers; on the server twice {result['webspaces_twice']}, "
                f"orphaned {result['orphans']}"
            )
    overhead = statistics.median(r["overhead_ms"] for r in results[1])
    single = statistics.median(r["throughput"] for r in results[1])
    four = statistics.median(r["throughput"] for r in results[4])
    per_job_plesk = statistics.median(r["plesk"] / r["jobs"] * 1000 for r in results[1])
    scale = four / single
    runs = results[1] + results[4]
    stuck = sum(r["stuck"] for r in runs)
    duplicates = sum(
        r["duplicate_webspaces"] + r["duplicate_customers"] + r["webspaces_twice"] + r["orphans"] for r in runs
    )
    print()
    print("| | measurement | ours | target | result |")
    print("|---|---|---:|---|---|")
    print(
        f"| a | portal overhead per job, 1 worker (Plesk time per job {per_job_plesk:.1f} ms) | "
        f"{overhead:.1f} ms | – | info |"
    )
    print(
        f"| b | throughput, 4 workers vs 1 ({four:.2f} vs {single:.2f} jobs/s) | {scale:.2f}× | "
        f"≥ {target}× | {'PASS' if scale >= target else 'FAIL'} |"
    )
    verdict = "PASS" if not duplicates + stuck else "FAIL"
    print(f"| c | duplicates / stuck, all runs | {duplicates} / {stuck} | 0 / 0 | {verdict} |")
    cpu = statistics.median(r["cpu_busy"] for r in results[4])
    print(
        f"SUMMARY {database} {args.backend}: {jobs[1]}/{jobs[4]} jobs, 4 vs 1 workers {scale:.2f}× (≥ {target}), "
        f"duplicates {duplicates}, stuck {stuck}, overhead {overhead:.1f} ms/job, CPU busy with 4 workers {cpu:.0%}"
    )


if __name__ == "__main__":
    main()
