"""Load test: many logged-in users at once against the production process set, with nothing lost.

Usage, from the repository root (PostgreSQL and Redis on loopback)::

    .venv/bin/python bench/load.py                                    # 200 users, 60 s, 100,000 customers
    .venv/bin/python bench/load.py --users 20 --seconds 15 --customers 10000 --resellers 10   # short (CI)
    .venv/bin/python bench/load.py --keep                             # keep the database: the next run reuses it

What it does:

1. **Data.** A PostgreSQL database of its own (``--database-url``; the name must contain "bench", the
   script drops it at the end unless ``--keep``). ``--customers`` end customers are spread evenly over the
   first ``--resellers`` reseller accounts (realistic names and addresses, bulk-loaded as
   ``bench/customers.py`` does). Every simulated user logs in to *its own* reseller account: with more
   users than resellers, the accounts beyond ``--resellers`` are smaller resellers with one page of
   customers each (``SMALL_ACCOUNT_CUSTOMERS``). Each user is the owner of its account and has an API
   token; each account has a reseller contract on the sandbox Plesk with an active hosting product. A
   database seeded with the same figures by an earlier ``--keep`` run is reused: only what the earlier
   run wrote is removed.
2. **Server.** The production process set as ``make serve`` (scripts/serve.sh) starts it: gunicorn over
   HTTPS with a self-signed certificate made for this run (the users verify it), RQ workers and the periodic
   jobs, Redis as cache and queue (``--redis-url``: that Redis database is flushed), production settings with
   DEBUG off; the sandbox Plesk beside it. Everything listens on loopback only, and the script refuses any
   other address. Its logs are in ``var/load-bench-*/``, kept when the run fails.
3. **Load.** Headless Locust (in a child process; gevent does not mix with the Django set-up here):
   ``--users`` users log in through the login form (CSRF and all), then, with 1–3 s of think time
   between tasks, work in their account: the customer list (page 1, a search, a sort, a later page), a
   customer's detail tabs, creating and editing a customer, adding a to-do, the CSV export of the list,
   the API's customer list with their token, and a hosting order on the sandbox Plesk. Each request is
   named by its page type. The run is bounded: ``--seconds`` after the last user has logged in (plus the
   ramp-up), and at most ``--max-requests`` requests; at the end each user finishes the task it is in. The
   tables show the ramp-up (the logins) apart from the time when every user is logged in, on which the
   targets are judged, with the CPU the server, PostgreSQL, Locust and the machine used meanwhile.
4. **Checks.** Every write the server acknowledged (a redirect to the new or changed object) is recorded
   and afterwards read back from the database with the values written (an edit sent but not acknowledged
   may be what is stored instead); every hosting in the database must reach
   "active" ("eingesetzt") once the queue has drained (the sweep runs as in production); the sandbox
   must hold each hosting's subscription and Plesk customer exactly once; and every customer a user saw
   (links in pages, ids in the API, numbers in the CSV) must belong to that user's account.

Targets (issue #22): 0 server errors, 0 failed requests, p99 ≤ 10× p50 per page type, no lost write, no
stuck hosting, no duplicate in the sandbox, no isolation slip. The script prints a table per page type and
a final ``SUMMARY`` line, and exits non-zero on any error, failed request, lost write, duplicate,
isolation slip or stuck hosting. The latency ratio is reported; it fails the run only with
``--strict-latency`` (latency depends on the machine, the rest does not). Results: docs/performance.md.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib.util
import io
import ipaddress
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent

# bench/customers.py holds the realistic master data and the database lifecycle; loaded under another name,
# because a module called "customers" on sys.path would shadow the customers app.
_spec = importlib.util.spec_from_file_location("bench_customers", Path(__file__).with_name("customers.py"))
assert _spec is not None and _spec.loader is not None
data = sys.modules["bench_customers"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(data)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/partnerportal_load_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
PASSWORD = "load-bench-password-not-secret"  # noqa: S105 (test data on a throw-away database)
SANDBOX_ADMIN_PASSWORD = "load-bench-admin"  # noqa: S105 (the sandbox's, on loopback)
SANDBOX_RESELLER_PASSWORD = "load-bench-reseller"  # noqa: S105
SANDBOX_RESELLER = "reseller-demo"  # the reseller the sandbox's --seed-demo creates, with "Webhosting S"
SANDBOX_DEMO_CUSTOMERS = {"kunde-alt", "shop-alt"}  # what --seed-demo puts there besides the reseller
PLAN = "Webhosting S"
FIRST_ACCOUNT_NUMBER = 40001
SMALL_ACCOUNT_CUSTOMERS = 25  # one list page: the accounts beyond --resellers
HOSTINGS_PER_USER = 3  # the sandbox reseller's package holds 1,000 "Webhosting S" subscriptions
SAMPLE_CUSTOMERS = 50  # customers per user the detail tabs, to-dos and hosting orders pick from
PER_PAGE = 25  # core.views.DEFAULT_PER_PAGE
THINK_SECONDS = (1.0, 3.0)
STOP_TIMEOUT = 120  # seconds a user may take at the end to finish its task (a loaded server answers slowly)
LATENCY_RATIO = 10.0
CREATED_PREFIX = "W"  # numbers of the customers the run creates: W<account>-<run>-<n>; seeded ones are K<account>-…
AGENCIES = ["Webagentur", "Medienhaus", "IT-Service", "Digitalagentur", "Webdesign", "Systemhaus", "Netzwerkstatt"]


# --- guards -------------------------------------------------------------------------------------------------------


def loopback(host: str) -> str:
    """``host`` if every address it stands for is a loopback address; the script never loads anything else."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except socket.gaierror:
        sys.exit(f"Refusing {host!r}: it does not resolve.")
    if not addresses or not all(ipaddress.ip_address(address).is_loopback for address in addresses):
        sys.exit(f"Refusing {host!r}: the load test runs against loopback only.")
    return host


def free_port(host: str, port: int) -> int:
    with socket.socket() as probe:
        if probe.connect_ex((host, port)) == 0:
            sys.exit(f"Port {port} on {host} is in use: choose another with --port.")
    return port


# --- data ---------------------------------------------------------------------------------------------------------


@dataclass
class Spec:
    users: int
    resellers: int
    customers: int

    @property
    def accounts(self) -> int:
        return max(self.users, self.resellers)

    def rows(self, index: int) -> int:
        """How many customers the account at ``index`` (0-based) is seeded with."""
        if index >= self.resellers:
            return SMALL_ACCOUNT_CUSTOMERS
        share, rest = divmod(self.customers, self.resellers)
        return share + (1 if index < rest else 0)

    @property
    def total_rows(self) -> int:
        return sum(self.rows(index) for index in range(self.accounts))


def account_numbers(spec: Spec) -> list[str]:
    return [str(FIRST_ACCOUNT_NUMBER + index) for index in range(spec.accounts)]


def database_exists(config: dict) -> bool:
    with data._postgres_admin(config) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone() is not None


def seeded_as(spec: Spec) -> bool:
    """Whether the database holds exactly the accounts and seeded customers ``spec`` asks for."""
    from accounts.models import Account
    from customers.models import EndCustomer

    numbers = account_numbers(spec)
    if Account.objects.filter(number__in=numbers).count() != len(numbers) or Account.objects.count() != len(numbers):
        return False
    seeded = EndCustomer.objects.filter(number__startswith="K")
    return seeded.count() == spec.total_rows


def seed(spec: Spec) -> None:
    """Accounts, owners, customers, and per account a contract on the sandbox with a hosting product."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from accounts.models import Account, Membership
    from contracts.models import Contract, ShopProduct
    from core.roles import Role
    from customers.models import EndCustomer
    from hosting.models import HostingServer
    from products.models import ResellerProduct
    from users.models import User

    # Fixed seed: every run gets the same rows (test data, not secrets).
    rng = random.Random(20261206)  # noqa: S311
    # One Argon2 hash for every owner: hashing 200 passwords would take a minute, and all share one password.
    password_hash = make_password(PASSWORD)
    server = HostingServer.objects.create(
        name="Load sandbox", host="127.0.0.1", port=8880, use_tls=False, login="admin", is_sandbox=True
    )
    shop, _created = ShopProduct.objects.get_or_create(
        name="Reseller 50 GB", defaults={"area": "Reseller Webhosting", "kind": ShopProduct.Kind.RESELLER_TARIFF}
    )
    started = time.perf_counter()
    for index, number in enumerate(account_numbers(spec)):
        last = rng.choice(data.LAST_NAMES)
        with transaction.atomic():
            account = Account.objects.create(
                number=number, name=f"{rng.choice(AGENCIES)} {last} {rng.choice(data.LEGAL_FORMS)}".strip(),
                is_partner=True,
            )  # fmt: skip
            first = rng.choice(data.FIRST_NAMES)
            owner = User.objects.create(
                username=f"load-{index + 1:03d}",
                email=f"load-{index + 1:03d}@bench.example.test",
                first_name=first,
                last_name=last,
                password=password_hash,
            )
            Membership.objects.create(account=account, user=owner, role=Role.OWNER)
            customers = [
                EndCustomer(account=account, **row) for row in data._customer_rows(spec.rows(index), rng, f"l{number}x")
            ]
            for customer in customers:
                # Numbers unique across accounts, so a number seen in a response tells whose customer it is.
                customer.number = f"K{number}-{customer.number[2:]}"
            EndCustomer.objects.bulk_create(customers, batch_size=2000)
            contract = Contract.objects.create(
                account=account,
                number=f"o{number}",
                shop_product=shop,
                hosting_server=server,
                plesk_login=SANDBOX_RESELLER,
            )
            ResellerProduct.objects.create(
                account=account,
                kind=ResellerProduct.Kind.RESELLER_HOSTING,
                contract=contract,
                plan_name=PLAN,
                name=f"Hosting {PLAN}",
                net_price="4.90",
            )
        if (index + 1) % 25 == 0 or index + 1 == spec.accounts:
            print(f"  seeded {index + 1}/{spec.accounts} accounts ({time.perf_counter() - started:.0f} s)", flush=True)
    # Planner statistics as a maintained database has them (autovacuum would do this after a load this size).
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def reset_writes() -> None:
    """Remove what an earlier run wrote (its hostings, to-dos and customers), so a reused database is as seeded."""
    from customers.models import EndCustomer, Todo
    from hosting.models import ResellerHosting

    ResellerHosting.objects.all().delete()
    Todo.objects.all().delete()
    EndCustomer.objects.filter(number__startswith=CREATED_PREFIX).delete()


def prepare_run(spec: Spec, sandbox_port: int, base_url: str, run_id: str) -> dict[str, Any]:
    """Fresh API tokens, this run's keys on the encrypted fields and sandbox port; the plan for the Locust users."""
    from accounts.models import Account
    from contracts.models import Contract
    from customers.models import EndCustomer
    from hosting.models import HostingServer
    from products.models import ResellerProduct
    from users.models import APIToken, User

    # The encrypted fields are written again with this run's ENCRYPTION_KEYS (generated per run, never stored);
    # update() writes without reading what an earlier run's keys encrypted.
    HostingServer.objects.filter(name="Load sandbox").update(
        port=sandbox_port, password=SANDBOX_ADMIN_PASSWORD, credentials_refused_at=None
    )
    Contract.objects.update(plesk_password=SANDBOX_RESELLER_PASSWORD, plesk_login_refused_at=None)
    APIToken.objects.all().delete()
    rng = random.Random(run_id)  # noqa: S311
    users = []
    accounts = {a.number: a for a in Account.objects.filter(number__in=account_numbers(spec))}
    for index, number in enumerate(account_numbers(spec)[: spec.users]):
        account = accounts[number]
        user = User.objects.get(username=f"load-{index + 1:03d}")
        token = APIToken(user=user, account=account, name="load bench")
        key = token.issue_key()
        token.save()
        ids = list(EndCustomer.objects.filter(account=account).values_list("pk", flat=True))
        names = list(EndCustomer.objects.filter(account=account).values_list("last_name", flat=True).distinct())
        product = ResellerProduct.objects.get(account=account)
        users.append(
            {
                "index": index + 1,
                "username": user.username,
                "token": key,
                "account_id": account.pk,
                "account_number": number,
                "rows": len(ids),
                "sample": rng.sample(ids, min(SAMPLE_CUSTOMERS, len(ids))),
                "search_terms": rng.sample(names, min(10, len(names))),
                "contract_id": product.contract_id,
                "product_id": product.pk,
            }
        )
    return {"base_url": base_url, "run_id": run_id, "password": PASSWORD, "identities": users}


# --- processes ----------------------------------------------------------------------------------------------------


@dataclass
class Processes:
    workdir: Path
    started: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def spawn(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.workdir / f"{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 (our own commands)
            command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((name, process))
        return process

    def check_alive(self) -> None:
        for name, process in self.started:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.workdir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self) -> None:
        """SIGTERM to each process group (gunicorn's and RQ's children with them), SIGKILL after 20 s."""
        for _name, process in reversed(self.started):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for _name, process in self.started:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.started.clear()


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def server_env(args: argparse.Namespace, keys: dict[str, str], tls: tuple[Path, Path], workdir: Path) -> dict[str, str]:
    """The environment of the production process set: what ``make serve`` reads."""
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "HOST": args.host,
        "PORT": str(args.port),
        "TASK_WORKERS": str(args.task_workers),
        "TLS_CERT": str(tls[0]),
        "TLS_KEY": str(tls[1]),
        "PARTNERPORTAL_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": keys["SECRET_KEY"],
        "ENCRYPTION_KEYS": keys["ENCRYPTION_KEYS"],
        "ALLOWED_HOSTS": args.host,
        "SITE_URL": f"https://{args.host}:{args.port}",
        "PLESK_ALLOW_PRIVATE_HOSTS": "true",
        "TASKS_BACKEND": "rq",
        "CACHE_REDIS": "true",
        "EMAIL_URL": "consolemail://",
        "STATIC_ROOT": str(REPO / "var" / "load-bench" / "static"),
        # Metrics files of this run's processes only (a `make serve` beside it keeps its own).
        "PROMETHEUS_MULTIPROC_DIR": str(workdir / "prometheus"),
        "PYTHONUNBUFFERED": "1",
    }
    if args.web_workers:
        env["WEB_WORKERS"] = str(args.web_workers)
    return env


def start_server(processes: Processes, env: dict[str, str]) -> int:
    """The production process set, as ``make serve`` starts it: collectstatic, migrate, gunicorn over HTTPS, the
    RQ workers and the periodic jobs (scripts/serve.sh reads ``env``). Returns its process group."""
    # serve.sh's collectstatic and migrate already write metrics, before serve.sh makes this folder.
    Path(env["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)
    return processes.spawn("serve", [str(REPO / "scripts" / "serve.sh")], env).pid


def wait_for_https(processes: Processes, base_url: str, cafile: Path, timeout: float = 300) -> None:
    import ssl
    import urllib.request

    context = ssl.create_default_context(cafile=str(cafile))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes.check_alive()
        try:
            with urllib.request.urlopen(f"{base_url}/login/", context=context, timeout=10) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the server did not answer within {timeout:.0f} s:\n{processes.tail('serve')}")


def wait_for_port(processes: Processes, host: str, port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        processes.check_alive()
        with socket.socket() as probe:
            if probe.connect_ex((host, port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {host}:{port} after {timeout:.0f} s")


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def make_certificate(workdir: Path, host: str) -> tuple[Path, Path]:
    sys.path.insert(0, str(REPO))
    from plesk.sandbox.tls import generate_self_signed

    certificate, key = generate_self_signed((host, "localhost"), days=2)
    paths = (workdir / "cert.pem", workdir / "key.pem")
    paths[0].write_bytes(certificate)
    paths[1].write_bytes(key)
    paths[1].chmod(0o600)
    return paths


# --- the Locust child ---------------------------------------------------------------------------------------------

CUSTOMER_LINK = re.compile(r'href="/customers/(\d+)/')
HOSTING_LOCATION = re.compile(r"^/hostings/(\d+)/$")
CUSTOMER_LOCATION = re.compile(r"^/customers/(\d+)/$")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DETAIL_TABS = ("products", "users", "todos", "activity")


def locust_child(plan_path: str, result_path: str) -> None:
    """Run the Locust users of ``plan_path``; write stats and every acknowledged write to ``result_path``."""
    import gevent
    from gevent import ssl as gevent_ssl
    from locust import FastHttpUser, events, task
    from locust.env import Environment

    plan = json.loads(Path(plan_path).read_text())
    identities = list(plan["identities"])
    run_id = plan["run_id"]
    # Per phase ("ramp-up": while users log in; "steady": all logged in) and page type: response times (ms),
    # failed requests, server errors, a few failure messages.
    pages: dict[str, dict[str, dict[str, Any]]] = {"ramp-up": {}, "steady": {}, "stopping": {}}
    phase = {"now": "ramp-up"}
    records: dict[str, dict[str, Any]] = {}  # per user: what the server acknowledged, and the customers seen
    task_errors: list[str] = []  # exceptions in the users' own code: a bug of this script, counted as a failure
    arrived = {"users": 0}  # users whose login is over, successful or not
    tasks = {"ramp-up": 0, "steady": 0, "stopping": 0}
    pick = random.Random()  # noqa: S311 (the mix of the load, not a secret)

    @events.user_error.add_listener
    def on_user_error(user_instance, exception, tb, **_kwargs):
        task_errors.append(f"{type(exception).__name__}: {exception}"[:300])

    @events.request.add_listener
    def on_request(name, response_time, response, exception, **_kwargs):
        page = pages[phase["now"]].setdefault(name, {"times": [], "failures": 0, "server_errors": 0, "examples": []})
        page["times"].append(response_time)
        if response is not None and (getattr(response, "status_code", 0) or 0) >= 500:
            page["server_errors"] += 1
        if exception is not None:
            page["failures"] += 1
            if len(page["examples"]) < 5:
                page["examples"].append(str(exception)[:300])

    def verified_context(**_kwargs):
        return gevent_ssl.create_default_context(cafile=plan["cafile"])

    class PortalUser(FastHttpUser):
        host = plan["base_url"]

        def wait_time(self) -> float:
            # Locust waits once after each task: counting the waits counts the tasks, per phase.
            tasks[phase["now"]] += 1
            return pick.uniform(*plan["think"])

        insecure = False
        # The server's certificate is this run's own: verified against it, not switched off.
        ssl_context_factory = staticmethod(verified_context)
        network_timeout = 120.0
        connection_timeout = 60.0

        def on_start(self):
            self.me = None
            self.seen_ids: set[int] = set()
            if identities:
                me = identities.pop(0)
                try:
                    if self.log_in(me):
                        self.me = me
                finally:
                    arrived["users"] += 1
            if self.me is None:
                # Not one of the users (Locust replaces a user that stops), or its login failed: it waits
                # for the end, so no other user takes its place and no account gets a second user.
                while True:
                    gevent.sleep(3600)
            self.record = records.setdefault(
                self.me["username"],
                {"account_id": self.me["account_id"], "created": {}, "pending": {}, "todos": [], "hostings": [],
                 "seen_ids": self.seen_ids, "seen_numbers": set()},
            )  # fmt: skip
            self.counter = 0
            self.hostings = 0
            self.page("/", "dashboard")

        def log_in(self, me) -> bool:
            token = self.csrf("/login/", "login form")
            with self.client.post(
                "/login/",
                data={"username": me["username"], "password": plan["password"], "csrfmiddlewaretoken": token},
                headers={"Referer": f"{self.host}/login/"},
                name="login",
                allow_redirects=False,
                catch_response=True,
            ) as response:
                if response.status_code != 302:
                    response.failure(f"login answered {response.status_code}")
                    return False
            return True

        # --- helpers ----------------------------------------------------------------------------------------

        def page(self, url: str, name: str, *, marker: str = "") -> str:
            """GET a page as the browser would; collect the customers it links to."""
            with self.client.get(url, name=name, catch_response=True) as response:
                text = response.text or ""
                if response.status_code != 200:
                    response.failure(f"{url} answered {response.status_code}")
                elif marker and marker not in text:
                    response.failure(f"{url}: {marker!r} missing")
                self.seen_ids.update(int(pk) for pk in CUSTOMER_LINK.findall(text))
                return text

        def csrf(self, url: str, name: str) -> str:
            found = CSRF_INPUT.search(self.page(url, name))
            return found.group(1) if found else ""

        def post_form(self, url: str, form: dict[str, str], name: str, expect: re.Pattern[str]) -> int | None:
            """GET the form page, POST ``form`` with its CSRF token; the pk in the redirect, or None."""
            form = {**form, "csrfmiddlewaretoken": self.csrf(url, f"{name} form")}
            with self.client.post(
                url, data=form, headers={"Referer": f"{self.host}{url}"}, name=name, allow_redirects=False,
                catch_response=True,
            ) as response:  # fmt: skip
                # No headers when the connection failed: Locust has counted that failure already.
                location = urlsplit((response.headers or {}).get("Location", "") or "").path
                found = expect.match(location) if response.status_code == 302 else None
                if found is None:
                    errors = re.findall(r'class="invalid-feedback[^"]*"[^>]*>([^<]+)', response.text or "")
                    response.failure(f"{url} answered {response.status_code} {location} {errors[:3]}")
                    return None
                return int(found.group(1))

        def any_customer(self) -> int:
            return pick.choice(self.me["sample"])

        def next_number(self) -> str:
            self.counter += 1
            return f"{self.me['index']:03d}-{self.counter:03d}"

        # --- tasks --------------------------------------------------------------------------------------

        @task(6)
        def list_first_page(self):
            self.page("/customers/", "list page 1", marker="<table")

        @task(3)
        def list_search(self):
            term = pick.choice(self.me["search_terms"])
            self.page(f"/customers/?q={term}", "list search", marker="<table")

        @task(2)
        def list_sorted(self):
            order = pick.choice(["last_name", "-last_name", "company", "-number"])
            self.page(f"/customers/?sort={order}", "list sorted", marker="<table")

        @task(2)
        def list_later_page(self):
            last = max(1, -(-self.me["rows"] // PER_PAGE))
            self.page(f"/customers/?page={pick.randint(min(2, last), last)}", "list later page", marker="<table")

        @task(5)
        def detail_tabs(self):
            pk = self.any_customer()
            self.page(f"/customers/{pk}/", "customer detail")
            tab = pick.choice(DETAIL_TABS)
            self.page(f"/customers/{pk}/{tab}/", f"customer tab {tab}")

        @task(2)
        def create_customer(self):
            suffix = self.next_number()
            first, last = pick.choice(data.FIRST_NAMES), pick.choice(data.LAST_NAMES)
            values = {
                "number": f"{CREATED_PREFIX}{self.me['account_number']}-{run_id}-{suffix}",
                "company": f"{pick.choice(data.TRADES)} {last} GmbH",
                "last_name": last,
                "first_name": first,
                "street": f"{pick.choice(data.STREETS)} {pick.randint(1, 180)}",
                "postal_code": f"{pick.randint(10000, 99999)}",
                "city": pick.choice(data.CITIES)[0],
                "country": "DE",
                "phone": f"+4930{pick.randint(1000000, 9999999)}",
                "mobile": f"+49151{pick.randint(10000000, 99999999)}",
                "email": f"{data.ascii_slug(first)}.{data.ascii_slug(last)}.{run_id}.{suffix}@example.test",
                "website": "",
            }
            pk = self.post_form("/customers/add/", values, "customer create", CUSTOMER_LOCATION)
            if pk is not None:
                self.record["created"][str(pk)] = values
                self.page(f"/customers/{pk}/", "customer detail")

        @task(2)
        def edit_customer(self):
            if not self.record["created"]:
                self.create_customer()
                return
            pk = pick.choice(list(self.record["created"]))
            values = {
                **self.record["created"][pk],
                "street": f"{pick.choice(data.STREETS)} {pick.randint(1, 180)}",
                "city": pick.choice(data.CITIES)[0],
                "postal_code": f"{pick.randint(10000, 99999)}",
            }
            # Sent but not (yet) acknowledged: the server may have stored it all the same.
            self.record["pending"][pk] = values
            if self.post_form(f"/customers/{pk}/edit/", values, "customer edit", CUSTOMER_LOCATION) is not None:
                self.record["created"][pk] = self.record["pending"].pop(pk)
                self.page(f"/customers/{pk}/", "customer detail")

        @task(2)
        def add_todo(self):
            pk = self.any_customer()
            values = {
                "title": f"Rückruf wegen Angebot {run_id}-{self.next_number()}",
                "description": "Kunde möchte das Paket wechseln.\nBitte bis Freitag melden.",
                "due_date": f"2027-0{pick.randint(1, 9)}-{pick.randint(10, 28)}",
                "status": "open",
                "assignee": "",
            }
            url = f"/customers/{pk}/todos/add/"
            done = self.post_form(url, values, "todo create", re.compile(rf"^/customers/({pk})/todos/$"))
            if done is not None:
                self.record["todos"].append({"customer": pk, **values})
                self.page(f"/customers/{pk}/todos/", "customer tab todos")

        @task(1)
        def export_csv(self):
            with self.client.get("/customers/?export=csv", name="list CSV export", catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"export answered {response.status_code}")
                    return
                rows = list(csv.reader(io.StringIO((response.content or b"").decode("utf-8-sig")), delimiter=";"))
                if len(rows) < 2:
                    response.failure("export without rows")
                self.record["seen_numbers"].update(row[0] for row in rows[1:] if row)

        @task(3)
        def api_list(self):
            offset = pick.randrange(0, max(1, self.me["rows"] - 50) + 1, 50)
            with self.client.get(
                f"/api/v1/customers/?limit=50&offset={offset}",
                headers={"Authorization": f"Bearer {self.me['token']}"},
                name="API customers list",
                catch_response=True,
            ) as response:
                if response.status_code != 200:
                    response.failure(f"API answered {response.status_code}")
                    return
                items = json.loads(response.content)["items"]
                self.seen_ids.update(item["id"] for item in items)
                self.record["seen_numbers"].update(item["number"] for item in items)

        @task(1)
        def order_hosting(self):
            if self.hostings >= plan["hostings_per_user"]:
                self.list_first_page()
                return
            self.hostings += 1
            pk = self.any_customer()
            domain = f"load-{run_id}-{self.next_number()}.example"
            form = {"end_customer": str(pk), "product": str(self.me["product_id"]), "domain": domain}
            url = f"/hostings/contracts/{self.me['contract_id']}/hostings/add/"
            hosting = self.post_form(url, form, "hosting order", HOSTING_LOCATION)
            if hosting is not None:
                self.record["hostings"].append({"id": hosting, "customer": pk, "domain": domain})
                self.page(f"/hostings/{hosting}/", "hosting detail")

    # At the end, each user finishes the task it is in (a write in flight is answered, so acknowledged or failed)
    # and then stops; only one still busy after stop_timeout is killed.
    environment = Environment(user_classes=[PortalUser], events=events, stop_timeout=plan["stop_timeout"])
    runner = environment.create_local_runner()
    spawn_rate = max(1.0, plan["users"] / plan["ramp"])
    started = time.monotonic()
    runner.start(len(identities), spawn_rate=spawn_rate)
    # The measured time starts when every user has logged in (or failed to), on a busy machine late.
    ramp_deadline = started + 10 * plan["ramp"] + 120
    while time.monotonic() < ramp_deadline and arrived["users"] < plan["users"]:
        gevent.sleep(0.2)
    ramp_seconds = time.monotonic() - started
    phase["now"] = "steady"
    cpu_before, steady_started = cpu_usage(plan["server_pgid"]), time.monotonic()
    end = steady_started + plan["seconds"]
    while time.monotonic() < end and environment.stats.total.num_requests < plan["max_requests"]:
        gevent.sleep(0.2)
    cpu = cpu_spent(cpu_before, cpu_usage(plan["server_pgid"]), time.monotonic() - steady_started)
    phase["now"] = "stopping"
    runner.quit()
    result = {
        "ramp_seconds": ramp_seconds,
        "cpu_warning": runner.cpu_warning_emitted,
        "cpu": cpu,
        "tasks": tasks,
        "pages": pages,
        "errors": [f"{e.method} {e.name}: {e.error} ×{e.occurrences}" for e in environment.stats.errors.values()],
        "records": {
            username: {**record, "seen_ids": sorted(record["seen_ids"]), "seen_numbers": sorted(record["seen_numbers"])}
            for username, record in records.items()
        },
        "logged_in": len(records),
        "task_errors": task_errors,
    }
    Path(result_path).write_text(json.dumps(result))


def cpu_usage(server_pgid: int) -> dict[str, float]:
    """CPU seconds used so far: by the server's processes (the process group of make serve), by PostgreSQL (all its
    processes, whoever's queries they run), by this Locust process, and by the whole machine (busy, and in all)."""
    import psutil

    usage = {"server": 0.0, "postgres": 0.0}
    for process in psutil.process_iter(["name"]):
        with contextlib.suppress(psutil.Error, ProcessLookupError):
            times = process.cpu_times()
            if os.getpgid(process.pid) == server_pgid:
                usage["server"] += times.user + times.system
            elif process.info["name"] in ("postgres", "postgresql"):
                usage["postgres"] += times.user + times.system
    mine = psutil.Process().cpu_times()
    usage["locust"] = mine.user + mine.system
    machine = psutil.cpu_times()
    usage["machine_all"] = sum(machine)
    usage["machine_busy"] = usage["machine_all"] - machine.idle - getattr(machine, "iowait", 0.0)
    return usage


def cpu_spent(before: dict[str, float], after: dict[str, float], seconds: float) -> dict[str, float]:
    """Cores busy on average over ``seconds``, per consumer; ``machine_share``: the busy share of all cores."""
    spent = {key: (after[key] - before[key]) / seconds for key in ("server", "postgres", "locust", "machine_busy")}
    spent["machine_share"] = (after["machine_busy"] - before["machine_busy"]) / max(
        after["machine_all"] - before["machine_all"], 1e-9
    )
    spent["seconds"] = seconds
    return spent


# --- checks after the run -----------------------------------------------------------------------------------------


@dataclass
class Findings:
    lost: list[str] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    slips: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def check_writes(records: dict[str, Any], findings: Findings) -> None:
    from customers.models import EndCustomer, Todo

    created = todos = landed = 0
    for username, record in records.items():
        for pk, values in record["created"].items():
            created += 1
            row = EndCustomer.objects.filter(pk=int(pk), account_id=record["account_id"]).values(*values).first()
            if row is None:
                findings.lost.append(f"{username}: customer {pk} ({values['number']}) is missing")
            elif row == record["pending"].get(pk):
                landed += 1
            elif row != values:
                differ = {key: (values[key], row[key]) for key in values if row[key] != values[key]}
                findings.lost.append(f"{username}: customer {pk} differs (written, stored): {differ}")
        for todo in record["todos"]:
            todos += 1
            found = Todo.objects.filter(
                end_customer_id=todo["customer"],
                end_customer__account_id=record["account_id"],
                title=todo["title"],
                description=todo["description"],
                due_date=todo["due_date"],
                status=todo["status"],
            ).count()
            if found != 1:
                findings.lost.append(f"{username}: to-do {todo['title']!r} found {found} times")
    findings.counts.update(customers_created=created, todos_created=todos, unacknowledged_edits_stored=landed)


def wait_for_hostings(env: dict[str, str], timeout: float) -> float:
    """Wait until no hosting (all are this run's orders) is being worked on, running the sweep every 30 s meanwhile
    (as the periodic job does); returns the seconds waited."""
    from django.db import connection

    from hosting.models import ResellerHosting

    started = time.monotonic()
    deadline = started + timeout
    next_sweep = started
    while time.monotonic() < deadline:
        running = ResellerHosting.objects.filter(status__in=ResellerHosting.JOB_STATUSES).exists()
        if not running:
            break
        if time.monotonic() >= next_sweep:
            manage(env, "sweep_provisioning")
            next_sweep = time.monotonic() + 30
        connection.close()  # a fresh snapshot each poll
        time.sleep(1)
    return time.monotonic() - started


def check_hostings(records: dict[str, Any], findings: Findings, sandbox_url: str) -> None:
    from hosting.models import ResellerHosting
    from plesk import PleskClient

    ordered = {h["id"]: (username, h) for username, r in records.items() for h in r["hostings"]}
    # Every hosting in the database is this run's (reset_writes): the acknowledged orders, and any order whose
    # answer did not arrive. Each must be set up, and be on the sandbox once.
    rows = {h.pk: h for h in ResellerHosting.objects.all()}
    for pk, row in rows.items():
        if pk not in ordered and (row.status != ResellerHosting.Status.ACTIVE or row.subscription_id is None):
            findings.stuck.append(f"hosting {pk} (ordered, answer not received) is {row.status} {row.failure or ''}")
    for pk, (username, hosting) in ordered.items():
        row = rows.get(pk)
        if row is None:
            findings.lost.append(f"{username}: hosting {pk} ({hosting['domain']}) is missing")
            continue
        if row.account_id != records[username]["account_id"] or row.end_customer_id != hosting["customer"]:
            findings.lost.append(f"{username}: hosting {pk} has another account or customer")
        if row.domain != hosting["domain"]:
            findings.lost.append(f"{username}: hosting {pk} has domain {row.domain!r}, ordered {hosting['domain']!r}")
        if row.status != ResellerHosting.Status.ACTIVE or row.subscription_id is None:
            findings.stuck.append(f"{username}: hosting {pk} is {row.status} {row.failure or ''}")
    findings.counts["hostings_ordered"] = len(ordered)
    findings.counts["hostings_in_database"] = len(rows)
    findings.counts["hostings_active"] = sum(1 for r in rows.values() if r.status == ResellerHosting.Status.ACTIVE)

    # What the sandbox holds, as the reseller sees it: each hosting's subscription and each customer once.
    with PleskClient(
        f"{sandbox_url}/enterprise/control/agent.php",
        login=SANDBOX_RESELLER,
        password=SANDBOX_RESELLER_PASSWORD,
        allow_insecure_http=True,
    ) as plesk:
        customers = [c for c in plesk.get_customers() if c.login not in SANDBOX_DEMO_CUSTOMERS]
        webspaces = [w for w in plesk.get_webspaces() if w.owner_login not in SANDBOX_DEMO_CUSTOMERS]
    for label, keys in (
        ("subscription external id", [w.external_id for w in webspaces]),
        ("subscription name", [w.name for w in webspaces]),
        ("Plesk customer external id", [c.external_id for c in customers]),
        ("Plesk customer login", [c.login for c in customers]),
    ):
        seen: dict[Any, int] = {}
        for key in keys:
            seen[key] = seen.get(key, 0) + 1
        findings.duplicates += [f"{label} {key!r} ×{n}" for key, n in seen.items() if n > 1]
    by_external_id = {w.external_id: w for w in webspaces}
    for pk, row in rows.items():
        webspace = by_external_id.get(row.external_id)
        if row.status == ResellerHosting.Status.ACTIVE and (webspace is None or webspace.id != row.subscription_id):
            findings.stuck.append(f"hosting {pk}: its subscription is not on the sandbox as recorded")
    extra = {w.external_id for w in webspaces} - {row.external_id for row in rows.values()}
    findings.duplicates += [f"subscription {external_id!r} on the sandbox belongs to no order" for external_id in extra]
    wanted = {row.customer_external_id for row in rows.values()}
    findings.duplicates += [
        f"Plesk customer {c.login!r} belongs to no order" for c in customers if c.external_id not in wanted
    ]
    findings.counts["sandbox_subscriptions"] = len(webspaces)
    findings.counts["sandbox_customers"] = len(customers)


def check_isolation(records: dict[str, Any], findings: Findings) -> None:
    from customers.models import EndCustomer

    seen_ids = seen_numbers = 0
    for username, record in records.items():
        ids, numbers = set(record["seen_ids"]), set(record["seen_numbers"])
        seen_ids += len(ids)
        seen_numbers += len(numbers)
        own = EndCustomer.objects.filter(account_id=record["account_id"])
        foreign_ids = ids - set(own.filter(pk__in=ids).values_list("pk", flat=True))
        foreign_numbers = numbers - set(own.filter(number__in=numbers).values_list("number", flat=True))
        if foreign_ids:
            findings.slips.append(f"{username} saw customers {sorted(foreign_ids)[:10]} of another account")
        if foreign_numbers:
            findings.slips.append(f"{username} saw customer numbers {sorted(foreign_numbers)[:10]} of another account")
    findings.counts.update(customer_ids_seen=seen_ids, customer_numbers_seen=seen_numbers)


# --- report -------------------------------------------------------------------------------------------------------


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered))) - 1))]


def report(pages: dict[str, dict[str, Any]]) -> tuple[list[str], int, int, int]:
    """Print the table of one phase; return the page types over the latency ratio, failures, server errors and
    requests."""
    header = ("page type", "count", "p50 ms", "p95 ms", "p99 ms", "p99/p50", "failed", "5xx")
    rows = [header]
    missed, failed, server_errors = [], 0, 0
    everything: list[float] = []
    for name in sorted(pages):
        page = pages[name]
        samples = page["times"]
        everything += samples
        p50, p95, p99 = (percentile(samples, share) for share in (0.50, 0.95, 0.99))
        ratio = p99 / p50 if p50 else float("inf")
        if ratio > LATENCY_RATIO:
            missed.append(name)
        failed += page["failures"]
        server_errors += page["server_errors"]
        rows.append((name, str(len(samples)), f"{p50:.0f}", f"{p95:.0f}", f"{p99:.0f}", f"{ratio:.1f}×",
                     str(page["failures"]), str(page["server_errors"])))  # fmt: skip
    if everything:
        p50, p95, p99 = (percentile(everything, share) for share in (0.50, 0.95, 0.99))
        rows.append(("all", str(len(everything)), f"{p50:.0f}", f"{p95:.0f}", f"{p99:.0f}", f"{p99 / p50:.1f}×",
                     str(failed), str(server_errors)))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for index, row in enumerate(rows):
        cells = (c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        print("| " + " | ".join(cells) + " |")
        if index == 0:
            print("|" + "|".join(("-" * (w + 1) + ":") if i else ("-" * (w + 2)) for i, w in enumerate(widths)) + "|")
    for name, page in sorted(pages.items()):
        for example in page["examples"]:
            print(f"  failure, {name}: {example}")
    return missed, failed, server_errors, len(everything)


# --- the run ------------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    config = data.parse_database_url(args.database_url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("The load test runs on PostgreSQL, as production does.")
    loopback(config.get("HOST") or "127.0.0.1")
    redis_host = urlsplit(args.redis_url).hostname or "127.0.0.1"
    loopback(redis_host)
    spec = Spec(users=args.users, resellers=args.resellers, customers=args.customers)
    run_id = secrets.token_hex(2)
    base_url = f"https://{args.host}:{args.port}"
    from cryptography.fernet import Fernet

    # Fresh keys each run, never stored: the encrypted fields are written again with them (prepare_run).
    keys = {"SECRET_KEY": secrets.token_urlsafe(64), "ENCRYPTION_KEYS": Fernet.generate_key().decode()}
    os.environ["ENCRYPTION_KEYS"] = keys["ENCRYPTION_KEYS"]
    (REPO / "var").mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="load-bench-", dir=REPO / "var"))
    processes = Processes(workdir)
    started = time.monotonic()
    seed_seconds = 0.0
    print(
        f"load test: {spec.users} users for {args.seconds} s; {spec.customers:,} customers over {spec.resellers} "
        f"resellers, {spec.accounts} accounts; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
        f"logs in {workdir.relative_to(REPO)}",
        flush=True,
    )

    def interrupted(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGINT, interrupted)
    reused = database_exists(config)
    try:
        if not reused:
            data.create_database(config)
        data.setup_django(args.database_url)
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0, interactive=False)
        if reused and not seeded_as(spec):
            print("  the database holds other data: seeding it anew", flush=True)
            connections.close_all()
            data.create_database(config)
            call_command("migrate", verbosity=0, interactive=False)
            reused = False
        seeding = time.monotonic()
        if reused:
            reset_writes()
            print("  reusing the seeded database", flush=True)
        else:
            seed(spec)
        seed_seconds = time.monotonic() - seeding
        tls = make_certificate(workdir, args.host)
        plan = prepare_run(spec, args.sandbox_port, base_url, run_id)
        plan.update(
            cafile=str(tls[0]),
            users=spec.users,
            seconds=args.seconds,
            ramp=max(5.0, spec.users / 20),
            think=list(THINK_SECONDS),
            max_requests=args.max_requests or spec.users * args.seconds * 2,
            hostings_per_user=HOSTINGS_PER_USER,
            stop_timeout=STOP_TIMEOUT,
        )
        connections.close_all()
        flush_redis(args.redis_url)

        env = server_env(args, keys, tls, workdir)
        sandbox_env = {
            **os.environ,
            "PLESK_SANDBOX_ADMIN_PASSWORD": SANDBOX_ADMIN_PASSWORD,
            "PLESK_SANDBOX_RESELLER_PASSWORD": SANDBOX_RESELLER_PASSWORD,
        }
        sandbox = [sys.executable, "-m", "plesk.sandbox", "--host", args.host, "--port", str(args.sandbox_port),
                   "--seed-demo"]  # fmt: skip
        processes.spawn("sandbox", sandbox, sandbox_env)
        wait_for_port(processes, args.host, args.sandbox_port)
        plan["server_pgid"] = start_server(processes, env)
        wait_for_https(processes, base_url, tls[0])
        print(f"  server up at {base_url} ({time.monotonic() - started:.0f} s since start)", flush=True)

        plan_path, result_path = workdir / "plan.json", workdir / "result.json"
        plan_path.write_text(json.dumps(plan))
        load_average_before = os.getloadavg()[0]
        child = subprocess.run(  # noqa: S603 (this script)
            [sys.executable, __file__, "--locust-child", str(plan_path), str(result_path)],
            cwd=REPO,
            check=False,
            timeout=args.seconds + 8 * plan["ramp"] + 600,
        )
        load_average_after = os.getloadavg()[0]
        processes.check_alive()
        if child.returncode != 0 or not result_path.exists():
            raise RuntimeError(f"the Locust child failed with {child.returncode}")
        result = json.loads(result_path.read_text())

        findings = Findings()
        records = result["records"]
        waited = wait_for_hostings(env, args.drain_timeout)
        check_writes(records, findings)
        check_hostings(records, findings, f"http://{args.host}:{args.sandbox_port}")
        check_isolation(records, findings)
    finally:
        processes.stop()
        with contextlib.suppress(Exception):
            flush_redis(args.redis_url)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            data.drop_database(config)

    cpu = result["cpu"]
    print()
    print(
        f"{spec.users} users ({result['logged_in']} logged in); ramp-up (logins) {result['ramp_seconds']:.0f} s, "
        f"then {cpu['seconds']:.0f} s with every user logged in; seeding "
        f"{'reused' if reused else f'{seed_seconds:.0f} s'}; load average {load_average_before:.1f} before, "
        f"{load_average_after:.1f} after; Locust CPU warning: {'yes' if result['cpu_warning'] else 'no'}"
    )
    print(
        f"CPU while every user was logged in (cores busy on average, of {os.cpu_count()}): server "
        f"{cpu['server']:.2f}, PostgreSQL {cpu['postgres']:.2f}, Locust {cpu['locust']:.2f}, whole machine "
        f"{cpu['machine_busy']:.2f} ({cpu['machine_share']:.0%} busy)"
    )
    print()
    print("Every user logged in (the targets are judged on this phase):")
    missed, failed, server_errors, total = report(result["pages"]["steady"])
    if total:
        # What the server's processes spent per request, and what the offered load needs at that rate: on a machine
        # with fewer free cores than that, requests queue and the tail latency grows with the queue.
        per_request = cpu["server"] * cpu["seconds"] / total
        per_task = total / max(1, result["tasks"]["steady"])
        think = sum(THINK_SECONDS) / 2
        offered = spec.users / think * per_task
        print(
            f"server CPU per request {per_request * 1000:.0f} ms; {per_task:.2f} requests per task; {spec.users} users "
            f"thinking {think:g} s on average would ask for {offered:.0f} requests/s if the server answered at once, "
            f"which at that rate needs {offered * per_request:.1f} cores for the server alone; it served "
            f"{total / cpu['seconds']:.1f} requests/s"
        )
    print()
    print("Ramp-up (each user's login, and its first tasks while others still log in):")
    _missed, ramp_failed, ramp_errors, ramp_total = report(result["pages"]["ramp-up"])
    failed, server_errors, total = failed + ramp_failed, server_errors + ramp_errors, total + ramp_total
    stopping = result["pages"]["stopping"].values()
    failed += sum(page["failures"] for page in stopping)
    server_errors += sum(page["server_errors"] for page in stopping)
    total += sum(len(page["times"]) for page in stopping)
    print(
        f"At the end: {sum(len(page['times']) for page in stopping)} requests of the tasks in progress, "
        f"{sum(page['failures'] for page in stopping)} failed"
    )
    for name, page in sorted(result["pages"]["stopping"].items()):
        for example in page["examples"]:
            print(f"  failure, {name}: {example}")
    for error in result["errors"][:20]:
        print(f"  error: {error}")
    for error in result["task_errors"][:20]:
        print(f"  error in the load script itself: {error}")
    print()
    counts = ", ".join(f"{key} {value}" for key, value in findings.counts.items())
    print(f"writes and reads checked: {counts}; queue drained {waited:.0f} s after the load")
    for label, items in (
        ("lost write", findings.lost),
        ("stuck hosting", findings.stuck),
        ("duplicate", findings.duplicates),
        ("isolation slip", findings.slips),
    ):
        for item in items[:20]:
            print(f"  {label}: {item}")
    not_logged_in = spec.users - result["logged_in"]
    problems = {
        "failed requests": failed,
        "server errors": server_errors,
        "users not logged in": not_logged_in,
        "errors in the load script": len(result["task_errors"]),
        "runs without requests": 0 if total else 1,
        "lost writes": len(findings.lost),
        "stuck hostings": len(findings.stuck),
        "duplicates": len(findings.duplicates),
        "isolation slips": len(findings.slips),
    }
    if args.strict_latency:
        problems["page types over p99/p50 10×"] = len(missed)
    failing = {label: n for label, n in problems.items() if n}
    latency = f"p99/p50 ≤ {LATENCY_RATIO:g}× missed by: {', '.join(missed)}" if missed else "p99/p50 ≤ 10× everywhere"
    verdict = "FAIL " + ", ".join(f"{label} {n}" for label, n in failing.items()) if failing else "PASS"
    print()
    print(
        f"SUMMARY {verdict}: {spec.users} users, {args.seconds} s, {spec.customers:,} customers over "
        f"{spec.resellers} resellers; {total:,} requests, {failed} failed, {server_errors} server errors; "
        f"{latency}; total {time.monotonic() - started:.0f} s"
    )
    if failing:
        print(f"logs, plan and results kept in {workdir.relative_to(REPO)}")
        return 1
    shutil.rmtree(workdir)
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200, help="concurrent users, each in its own account")
    parser.add_argument("--seconds", type=int, default=60, help="how long all users work, after the ramp-up")
    parser.add_argument("--customers", type=int, default=100_000, help="end customers over the resellers")
    parser.add_argument("--resellers", type=int, default=50, help="reseller accounts holding --customers")
    parser.add_argument("--max-requests", type=int, default=0, help="stop after this many (default 2 per user-second)")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="PostgreSQL; its name must hold 'bench'")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="queue and cache (this database is flushed!)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address the server listens on")
    parser.add_argument("--port", type=int, default=8443, help="the server's HTTPS port")
    parser.add_argument("--sandbox-port", type=int, help="the sandbox Plesk's port (default: --port + 1)")
    parser.add_argument("--web-workers", type=int, help="gunicorn processes (default: make serve's, 2 × cores + 1)")
    parser.add_argument("--task-workers", type=int, default=2, help="RQ workers")
    parser.add_argument("--drain-timeout", type=float, default=600, help="seconds to wait for the hostings")
    parser.add_argument("--keep", action="store_true", help="keep the database; the next run with it reuses it")
    parser.add_argument("--strict-latency", action="store_true", help="fail when p99 > 10× p50 for any page type")
    parser.add_argument("--locust-child", nargs=2, metavar=("PLAN", "RESULT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.locust_child:
        locust_child(*args.locust_child)
        return
    if args.users < 1 or args.seconds < 1 or args.resellers < 1 or args.customers < args.resellers:
        parser.error("--users, --seconds and --resellers must be at least 1, --customers at least --resellers")
    if args.users > 1000 or args.seconds > 3600:
        parser.error("bounded: at most 1,000 users and 3,600 seconds")
    loopback(args.host)
    args.sandbox_port = args.sandbox_port or args.port + 1
    free_port(args.host, args.port)
    free_port(args.host, args.sandbox_port)
    sys.exit(run(args))


if __name__ == "__main__":
    main()
