"""Provisioning of reseller hostings against a real sandbox Plesk over HTTP (issue 5, REL-01…05, PX-07, ISO-06).

Every test runs its own sandbox on a free loopback port. The client's bounds are generous
(``PATIENT_CLIENT``), so that a busy machine changes nothing but the time a test takes; only the tests
of an answer that never comes bound it more tightly (``IMPATIENT_CLIENT``), and hold the answer back far
longer (``HELD``).
"""

from __future__ import annotations

import contextlib
import random
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from audit.models import AuditEntry
from conftest import login
from customers.models import EndCustomer
from hosting import provisioning, services
from hosting.models import ProvisioningEvent, ResellerHosting
from hosting.services import create_hosting, retry_hosting
from hosting.tests.helpers import (
    ADMIN_PW,
    HELD,
    IMPATIENT_CLIENT,
    PATIENT_CLIENT,
    RESELLER_PW,
    bind_server,
    reseller_setup,
)
from plesk import PleskClient
from plesk.sandbox import FaultKind
from products.models import ResellerProduct
from tests.test_view_matrix import verified

pytestmark = pytest.mark.django_db

Status = ResellerHosting.Status


@pytest.fixture(autouse=True)
def patient_client(settings):
    settings.HOSTING_PLESK_CLIENT_OPTIONS = PATIENT_CLIENT
    settings.HOSTING_MAX_ATTEMPTS = 3


@pytest.fixture
def impatient_client(settings):
    settings.HOSTING_PLESK_CLIENT_OPTIONS = IMPATIENT_CLIENT


@pytest.fixture
def setup(world, sandbox):
    server = bind_server(sandbox.url)
    contract, product = reseller_setup(world.r1, server, number="o1441")
    return world.r1, contract, product


def create(tenant, product, customer=None, *, domain="", run=True, capture=None, **extra):
    customer = customer or tenant.plain_customer
    if run:
        with capture(execute=True):
            hosting = create_hosting(tenant.actor(), end_customer=customer, product=product, domain=domain, **extra)
    else:
        hosting = create_hosting(tenant.actor(), end_customer=customer, product=product, domain=domain, **extra)
    hosting.refresh_from_db()
    return hosting


def kinds(hosting) -> list[str]:
    return list(ProvisioningEvent.objects.filter(hosting=hosting).values_list("kind", flat=True))


def messages(hosting) -> str:
    return "\n".join(event.text for event in ProvisioningEvent.objects.filter(hosting=hosting))


def counts(sandbox, hosting) -> tuple[int, int]:
    return (
        sandbox.create_count("customer", external_id=hosting.customer_external_id),
        sandbox.create_count("webspace", external_id=hosting.external_id),
    )


def time_passes():
    """Leases and back-offs run out (instead of waiting for them)."""
    past = timezone.now() - timedelta(seconds=1)
    ResellerHosting.objects.filter(next_attempt_at__isnull=False).update(next_attempt_at=past)
    ResellerHosting.objects.filter(claimed_until__isnull=False).update(claimed_until=past)


def blind_lookup():
    """A first look-up that sees nothing, as if a concurrent job created the objects just after it."""

    def lookup(steps):
        steps.looked_up = True
        return None, None

    return lookup


def reseller_client(sandbox) -> PleskClient:
    return PleskClient(sandbox.url, login="reseller-demo", password=RESELLER_PW, allow_insecure_http=True)


class TestSuccess:
    def test_creates_customer_and_subscription_with_the_plan(self, setup, sandbox, django_capture_on_commit_callbacks):
        tenant, contract, product = setup
        hosting = create(tenant, product, domain="kunde-neu.example", capture=django_capture_on_commit_callbacks)
        assert hosting.status == Status.ACTIVE
        assert hosting.subscription_name == "kunde-neu.example"
        assert hosting.external_id == f"pp-hosting-{hosting.pk}"
        assert hosting.customer_external_id == f"pp-customer-{tenant.plain_customer.pk}"
        assert hosting.plesk_customer_login == f"k{tenant.account.number}-r1-2"
        assert hosting.claimed_until is None and hosting.attempts == 1
        assert counts(sandbox, hosting) == (1, 1)
        with reseller_client(sandbox) as client:
            webspace = client.with_plan_names([client.get_webspace(external_id=hosting.external_id)])[0]
            customer = client.get_customer(external_id=hosting.customer_external_id)
        assert webspace.id == hosting.subscription_id and webspace.plan_name == "Webhosting S"
        assert webspace.owner_id == customer.id == hosting.plesk_customer_id
        assert kinds(hosting) == ["queued", "started", "call", "call", "call", "succeeded"]
        assert messages(hosting).splitlines()[1:] == [
            "Attempt 1 started.",
            "Looked for the Plesk customer and the subscription on the server.",
            "Plesk customer created.",
            "Subscription created.",
            "The subscription kunde-neu.example is active.",
        ]
        entry = AuditEntry.objects.get(object_id=str(hosting.pk), action=AuditEntry.Action.CREATE)
        assert entry.parent_id == str(tenant.plain_customer.pk)

    def test_without_a_domain_only_the_plesk_customer_and_the_customer_counts_it(
        self, setup, sandbox, django_capture_on_commit_callbacks
    ):
        tenant, contract, product = setup
        hosting = create(tenant, product, capture=django_capture_on_commit_callbacks)
        assert hosting.status == Status.PREPARED
        assert (hosting.subscription_id, hosting.subscription_name) == (None, "")
        assert counts(sandbox, hosting) == (1, 0)
        customer = EndCustomer.objects.with_counts().get(pk=tenant.plain_customer.pk)
        assert customer.product_count == 1
        assert customer.deletion_blockers()["products"] == 1

    def test_summary_mail_only_when_asked_and_without_password(
        self, setup, sandbox, django_capture_on_commit_callbacks
    ):
        tenant, contract, product = setup
        create(tenant, product, domain="ohne-mail.example", capture=django_capture_on_commit_callbacks)
        assert mail.outbox == []
        hosting = create(
            tenant, product, domain="mit-mail.example", send_summary=True, capture=django_capture_on_commit_callbacks
        )
        assert hosting.status == Status.ACTIVE
        assert len(mail.outbox) == 1
        assert "mit-mail.example" in mail.outbox[0].body
        assert mail.outbox[0].to == [tenant.plain_customer.email]

    def test_running_twice_creates_nothing_twice(self, setup, sandbox, django_capture_on_commit_callbacks):
        tenant, contract, product = setup
        hosting = create(tenant, product, domain="zweimal.example", capture=django_capture_on_commit_callbacks)
        assert provisioning.provision(hosting.pk) is None  # final: skipped
        # Even if the record forgot its result, a second run finds and adopts the objects.
        ResellerHosting.objects.filter(pk=hosting.pk).update(
            status=Status.PROVISIONING, subscription_id=None, plesk_customer_id=None
        )
        assert provisioning.provision(hosting.pk) == Status.ACTIVE
        hosting.refresh_from_db()
        assert counts(sandbox, hosting) == (1, 1)
        # A second hosting of the same customer reuses its Plesk customer.
        second = create(tenant, product, domain="zweite.example", capture=django_capture_on_commit_callbacks)
        assert second.status == Status.ACTIVE and second.plesk_customer_id == hosting.plesk_customer_id
        assert sandbox.create_count("customer", external_id=hosting.customer_external_id) == 1

    def test_the_service_checks_product_and_customer(self, setup, world, sandbox):
        tenant, contract, product = setup
        with pytest.raises(ValidationError):
            create_hosting(tenant.actor(), end_customer=tenant.plain_customer, product=tenant.product)  # branded
        with pytest.raises(ValidationError):
            create_hosting(tenant.actor(), end_customer=world.r2.plain_customer, product=product)
        ResellerProduct.objects.filter(pk=product.pk).update(status="inactive")
        with pytest.raises(ValidationError):
            create_hosting(tenant.actor(), end_customer=tenant.plain_customer, product=product)
        assert not ResellerHosting.objects.exists()


class TestUnknownOutcomes:
    @pytest.mark.parametrize("kind", [FaultKind.TIMEOUT_AFTER_COMMIT, FaultKind.DROP_AFTER_COMMIT])
    @pytest.mark.parametrize("operation", ["customer add", "webspace add"])
    def test_adopted_after_commit_without_answer(
        self, setup, sandbox, impatient_client, django_capture_on_commit_callbacks, kind, operation
    ):
        tenant, contract, product = setup
        sandbox.inject(kind, operation=operation, delay=HELD)
        hosting = create(tenant, product, domain="unklar.example", capture=django_capture_on_commit_callbacks)
        assert hosting.status == Status.ACTIVE, hosting.failure_reason
        assert counts(sandbox, hosting) == (1, 1)
        step = {"customer add": "Creating the Plesk customer", "webspace add": "Creating the subscription"}[operation]
        assert f"{step}: no usable answer, so the outcome is unknown." in messages(hosting)
        assert "Adopted" in messages(hosting)

    def test_http_500_without_commit_is_retried_then_created_once(
        self, setup, sandbox, django_capture_on_commit_callbacks
    ):
        tenant, contract, product = setup
        sandbox.inject(FaultKind.HTTP_500, operation="webspace add")
        hosting = create(tenant, product, domain="fuenfhundert.example", capture=django_capture_on_commit_callbacks)
        assert hosting.status == Status.PROVISIONING and hosting.next_attempt_at is not None
        assert "retry_scheduled" in kinds(hosting)
        time_passes()
        assert provisioning.sweep(grace=timedelta(0)) == [hosting.pk]
        hosting.refresh_from_db()
        assert hosting.status == Status.ACTIVE and hosting.attempts == 2
        assert counts(sandbox, hosting) == (1, 1)

    def test_already_exists_is_adopted(self, setup, sandbox, django_capture_on_commit_callbacks, monkeypatch):
        """The subscription appears between our look-up and our add (another worker): Plesk says 1007."""
        tenant, contract, product = setup
        hosting = create(tenant, product, domain="rennen.example", run=False)
        with reseller_client(sandbox) as client:
            owner = client.add_customer(
                login=provisioning.customer_login(hosting),
                password="x-secret-123",
                name="Karla Kunde",
                external_id=hosting.customer_external_id,
            )
            client.add_webspace(
                "rennen.example", owner_id=owner.id, plan_name="Webhosting S", external_id=hosting.external_id
            )
        monkeypatch.setattr(provisioning._Steps, "lookup", blind_lookup())
        assert provisioning.provision(hosting.pk) == Status.ACTIVE
        assert "Creating the subscription: it exists already." in messages(hosting)
        assert counts(sandbox, hosting) == (1, 1)

    def test_a_domain_taken_by_someone_else_fails_in_plain_words(
        self, setup, sandbox, django_capture_on_commit_callbacks
    ):
        tenant, contract, product = setup
        hosting = create(tenant, product, domain="kunde-alt.example", capture=django_capture_on_commit_callbacks)
        assert hosting.status == Status.FAILED
        assert hosting.failure_reason == "Step 2 of 2: the domain kunde-alt.example already exists on the server."
        # The retry reuses the customer created in step 1.
        customers_before = sandbox.create_count("customer", external_id=hosting.customer_external_id)
        ResellerHosting.objects.filter(pk=hosting.pk).update(domain="kunde-neu2.example")
        with django_capture_on_commit_callbacks(execute=True):
            retry_hosting(tenant.actor(), hosting)
        hosting.refresh_from_db()
        assert hosting.status == Status.ACTIVE
        assert sandbox.create_count("customer", external_id=hosting.customer_external_id) == customers_before == 1


class TestFailures:
    def test_a_hosting_waiting_for_its_next_attempt_can_be_retried_at_once(
        self, world, setup, sandbox, client_for, django_capture_on_commit_callbacks
    ):
        tenant, contract, product = setup
        sandbox.stop()
        hosting = create(tenant, product, domain="gleich.example", capture=django_capture_on_commit_callbacks)
        assert hosting.status == Status.PROVISIONING and hosting.next_attempt_at is not None
        client = client_for(tenant.owner)
        detail = client.get(f"/hostings/{hosting.pk}/").content.decode()
        assert "The Plesk server could not be reached." in detail and "Retry now" in detail
        assert client_for(tenant.employee).get(f"/hostings/{hosting.pk}/").status_code == 200
        sandbox.start()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/hostings/{hosting.pk}/retry/")
        assert response.status_code == 302
        hosting.refresh_from_db()
        assert hosting.status == Status.ACTIVE and hosting.attempts == 2
        assert counts(sandbox, hosting) == (1, 1)
        # Another account's retry finds nothing; a running or finished one cannot be retried.
        with pytest.raises(ValidationError):
            retry_hosting(world.r2.actor(), hosting)
        with pytest.raises(ValidationError):
            retry_hosting(tenant.actor(), hosting)

    def test_server_down_retries_with_backoff_then_fails(self, setup, sandbox, django_capture_on_commit_callbacks):
        tenant, contract, product = setup
        sandbox.stop()
        before = timezone.now()
        hosting = create(tenant, product, domain="down.example", capture=django_capture_on_commit_callbacks)
        after = timezone.now()
        assert hosting.status == Status.PROVISIONING
        assert hosting.failure_reason == "The Plesk server could not be reached."
        # The first back-off is between half and all of BACKOFF_BASE, counted from when the attempt ended.
        base = timedelta(seconds=provisioning.BACKOFF_BASE)
        assert before + base / 2 <= hosting.next_attempt_at <= after + base
        assert provisioning.provision(hosting.pk) is None  # not due yet
        for _attempt in range(2):
            time_passes()
            provisioning.sweep(grace=timedelta(0))
        hosting.refresh_from_db()
        assert hosting.status == Status.FAILED and hosting.attempts == 3
        assert hosting.failure_reason == "The Plesk server could not be reached. Gave up after 3 attempts."
        assert kinds(hosting).count("retry_scheduled") == 2
        sandbox.start()
        assert counts(sandbox, hosting) == (0, 0)
        # The retry button works once the server is back.
        with django_capture_on_commit_callbacks(execute=True):
            retry_hosting(tenant.actor(), hosting)
        hosting.refresh_from_db()
        assert hosting.status == Status.ACTIVE and counts(sandbox, hosting) == (1, 1)
        with pytest.raises(ValidationError):
            retry_hosting(tenant.actor(), hosting)  # only failed ones

    def test_refused_login_pauses_every_job_of_the_contract_until_the_operator_corrects_it(
        self, world, sandbox, django_capture_on_commit_callbacks
    ):
        """PX-07: one refused login, no retry loop, no second login with the same credentials."""
        server = bind_server(sandbox.url)
        contract, product = reseller_setup(world.r1, server, number="o1442", password="wrong-password")
        hosting = create(world.r1, product, domain="auth.example", capture=django_capture_on_commit_callbacks)
        assert hosting.status == Status.PAUSED
        assert hosting.failure_reason.startswith("Paused: the reseller's Plesk login was refused.")
        assert hosting.attempts == 1 and hosting.next_attempt_at is None
        assert kinds(hosting)[-1] == "paused" and "retry_scheduled" not in kinds(hosting)
        assert len(sandbox.exchanges) == 1
        contract.refresh_from_db()
        assert contract.plesk_login_refused_at is not None
        # Nothing else tries the refused login: a second hosting, the sweep, the subscriptions tab.
        second = create(world.r1, product, domain="auth2.example", capture=django_capture_on_commit_callbacks)
        assert second.status == Status.PAUSED
        assert provisioning.sweep(grace=timedelta(0)) == []
        with pytest.raises(services.ServerUnavailable, match="not tried again until the provider corrects it"):
            services.list_subscriptions(world.r1.actor(), contract)
        assert len(sandbox.exchanges) == 1
        assert sandbox.create_count("customer") == 0
        # The operator corrects the password in the operator area; the sweep resumes both jobs.
        client = verified(login(Client(), world.staff), world.staff)
        refused = client.get("/operator/contracts/contract/?plesk_login=refused").content.decode()
        accepted = client.get("/operator/contracts/contract/?plesk_login=accepted").content.decode()
        assert ">o1442<" in refused and ">o1442<" not in accepted
        response = client.post(
            f"/operator/contracts/contract/{contract.pk}/change/",
            {
                "owner_account": world.r1.account.pk,
                "number": contract.number,
                "shop_product": contract.shop_product_id,
                "area": contract.area,
                "status": contract.status,
                "note": "",
                "hosting_server": server.pk,
                "plesk_login": "reseller-demo",
                "plesk_password": RESELLER_PW,
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        contract.refresh_from_db()
        assert contract.plesk_login_refused_at is None
        with django_capture_on_commit_callbacks(execute=True):
            assert provisioning.sweep() == [hosting.pk, second.pk]
        for resumed in (hosting, second):
            resumed.refresh_from_db()
            assert resumed.status == Status.ACTIVE and resumed.failure_reason == ""
            assert counts(sandbox, resumed) == (1, 1)
        assert "Queued again: the Plesk login was corrected." in messages(hosting)

    def test_refused_server_credentials_are_not_used_again_until_tested_or_changed(self, world, sandbox):
        server = bind_server(sandbox.url)
        server.password = "wrong-password"
        server.save()
        result = services.test_connection(server)
        assert not result.ok and "refused the login" in result.message
        server.refresh_from_db()
        assert server.credentials_refused_at is not None
        with pytest.raises(ValidationError, match="not tried again"):
            server.client()
        exchanges = len(sandbox.exchanges)
        server.password = ADMIN_PW
        server.save()
        result = services.test_connection(server)  # staff's deliberate test tries once more …
        assert result.ok and len(sandbox.exchanges) == exchanges + 1
        server.refresh_from_db()
        assert server.credentials_refused_at is None  # … and a success clears the mark

    def test_objects_of_another_account_are_not_permitted(self, world, sandbox):
        """ISO-06: a job whose product belongs to another account fails without touching Plesk."""
        server = bind_server(sandbox.url)
        _contract, own_product = reseller_setup(world.r1, server, number="o1443")
        other_contract, other_product = reseller_setup(world.r2, server, number="o1444")
        hosting = ResellerHosting.objects.create(
            account=world.r1.account,
            end_customer=world.r1.plain_customer,
            product=other_product,
            contract=other_contract,
            domain="fremd.example",
            customer_external_id="pp-customer-x",
            external_id="pp-hosting-x",
        )
        before = len(sandbox.exchanges)
        assert provisioning.provision(hosting.pk) == Status.FAILED
        hosting.refresh_from_db()
        assert hosting.failure_reason.startswith("Not permitted")
        assert len(sandbox.exchanges) == before
        # The other direction too: R1's product, R2's customer.
        foreign = ResellerHosting.objects.create(
            account=world.r1.account,
            end_customer=world.r2.plain_customer,
            product=own_product,
            contract=own_product.contract,
        )
        assert provisioning.provision(foreign.pk) == Status.FAILED
        assert len(sandbox.exchanges) == before


class TestKilledWorker:
    def test_a_dead_workers_job_is_finished_by_the_sweep_without_duplicates(self, setup, sandbox):
        tenant, contract, product = setup
        hosting = create(tenant, product, domain="tot.example", run=False)  # the on-commit enqueue is lost
        assert provisioning.sweep() == []  # within the grace period nothing is touched
        claimed = provisioning.claim(hosting.pk)
        # The worker gets as far as creating the Plesk customer, then dies.
        with contract.plesk_client(**provisioning.client_options()) as client:
            provisioning._Steps(claimed.hosting, client, claimed.timeline).customer()
        # The new Plesk customer is recorded, with the timeline, the moment Plesk confirms it: a cancellation
        # may remove it whatever happens next.
        assert messages(hosting).splitlines()[1:] == [
            "Attempt 1 started.",
            "Looked for the Plesk customer on the server.",
            "Plesk customer created.",
        ]
        assert ResellerHosting.objects.get(pk=hosting.pk).created_plesk_customer
        assert provisioning.provision(hosting.pk) is None  # a live lease: nobody else starts it
        assert provisioning.sweep(grace=timedelta(0)) == []
        time_passes()
        call_command("sweep_provisioning", "--grace", "0", stdout=open("/dev/null", "w"))  # noqa: SIM115
        hosting.refresh_from_db()
        assert hosting.status == Status.ACTIVE and hosting.attempts == 2
        assert counts(sandbox, hosting) == (1, 1)

    def test_a_lost_lease_keeps_the_outcomes_of_the_calls_made_but_not_the_result(self, setup, sandbox):
        tenant, contract, product = setup
        hosting = create(tenant, product, domain="abgeloest.example", run=False)
        claimed = provisioning.claim(hosting.pk)
        with contract.plesk_client(**provisioning.client_options()) as client:
            provisioning._Steps(claimed.hosting, client, claimed.timeline).customer()
        # The worker took too long: its lease ran out and another one took the job over.
        time_passes()
        assert provisioning.claim(hosting.pk) is not None
        assert not provisioning._finish(claimed, (ProvisioningEvent.Kind.FAILED, "never written"), status=Status.FAILED)
        hosting.refresh_from_db()
        assert hosting.status == Status.PROVISIONING and hosting.attempts == 2 and hosting.claimed_until is not None
        assert messages(hosting).splitlines()[1:] == [
            "Attempt 1 started.",
            "Looked for the Plesk customer on the server.",
            "Plesk customer created.",
            "Attempt 2 started.",
        ]


class TestClaim:
    def test_a_worker_that_read_the_job_before_another_took_it_does_not_take_it(self, setup):
        tenant, _contract, product = setup
        hosting = create(tenant, product, domain="wettlauf.example", run=False)
        other = []

        def another_worker_first(execute, sql, params, many, context):
            if sql.startswith("UPDATE") and not other:
                other.append("reading")
                other.append(provisioning.claim(hosting.pk))  # takes the job between our read and our UPDATE
                ResellerHosting.objects.filter(pk=hosting.pk).update(claimed_until=None)  # and lets it go again
            return execute(sql, params, many, context)

        with connection.execute_wrapper(another_worker_first):
            assert provisioning.claim(hosting.pk) is None  # the row is free again, but not the version we read
        assert other[1] is not None
        hosting.refresh_from_db()
        assert hosting.attempts == 1 and kinds(hosting) == ["queued", "started"]


class TestSweepWithAQueue:
    def test_a_job_whose_task_waits_in_the_queue_is_left_alone_and_a_lost_one_is_enqueued_again(self, setup, settings):
        """A long queue must not grow with every sweep: only jobs whose task is gone are enqueued again."""
        from django_tasks_db.models import DBTaskResult

        from hosting.tasks import enqueue_provisioning

        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": []}}
        tenant, _contract, product = setup
        hosting = create(tenant, product, domain="warten.example", run=False)
        enqueue_provisioning(hosting.pk)
        assert DBTaskResult.objects.count() == 1
        assert provisioning.sweep(grace=timedelta(0)) == []
        assert DBTaskResult.objects.count() == 1
        DBTaskResult.objects.all().delete()  # the task is lost (a flushed Redis, a deleted row)
        assert provisioning.sweep(grace=timedelta(0)) == [hosting.pk]
        assert DBTaskResult.objects.count() == 1


class TestDrain:
    @pytest.mark.parametrize("seed", [4711, 2026, 7])
    def test_random_faults_and_kills_drain_without_duplicates(self, world, sandbox, settings, seed):
        # A second's bound keeps the held answers cheap. On a busy machine it may also end a real answer:
        # that is one more unknown outcome, which is what this test throws at the jobs anyway, so the jobs
        # get as many attempts and the test as much time as they need to drain.
        settings.HOSTING_MAX_ATTEMPTS = 1000
        settings.HOSTING_PLESK_CLIENT_OPTIONS = {"deadline": 1.0, "read_timeout": 1.0, "connect_timeout": 1.0}
        rng = random.Random(seed)
        server = bind_server(sandbox.url)
        _contract, product = reseller_setup(world.r1, server, number="o1445")
        from conftest import make_customer

        customers = [make_customer(world.r1.account, f"D-{n}") for n in range(10)]
        hostings = [
            create(world.r1, product, customers[n % 10], domain=f"drain-{n}.example" if n % 3 else "", run=False)
            for n in range(30)
        ]
        operations = ["customer add", "customer get", "webspace add", "webspace get"]

        def drain():
            end = time.monotonic() + 600
            while time.monotonic() < end:
                pending = list(ResellerHosting.objects.filter(status=Status.PROVISIONING).values_list("pk", flat=True))
                if not pending:
                    break
                for pk in pending:
                    if rng.random() < 0.35:
                        kind = rng.choice(
                            [FaultKind.TIMEOUT_AFTER_COMMIT, FaultKind.DROP_AFTER_COMMIT, FaultKind.HTTP_500]
                        )
                        options = {"delay": HELD} if kind == FaultKind.TIMEOUT_AFTER_COMMIT else {}
                        if kind == FaultKind.HTTP_500:
                            options["commit"] = rng.random() < 0.5
                        sandbox.inject(kind, operation=rng.choice(operations), **options)
                    dice = rng.random()
                    if dice < 0.05:
                        provisioning.claim(pk)  # the worker dies right after taking the job
                    elif dice < 0.1:
                        claimed = provisioning.claim(pk)  # … or after creating the Plesk customer
                        if claimed is not None:
                            client = claimed.hosting.contract.plesk_client(**provisioning.client_options())
                            with client, contextlib.suppress(provisioning.Transient, provisioning.Permanent):
                                provisioning._Steps(claimed.hosting, client).customer()
                    else:
                        provisioning.provision(pk)
                    sandbox.clear_faults()
                time_passes()
                provisioning.sweep(grace=timedelta(0))

        drain()
        # The spaces made without a domain have their Plesk login only.
        for hosting in hostings:
            hosting.refresh_from_db()
            assert hosting.status == (Status.ACTIVE if hosting.domain else Status.PREPARED), hosting.status
            assert counts(sandbox, hosting) == (1, 1 if hosting.domain else 0)
            assert hosting.claimed_until is None
        assert sandbox.create_count("webspace") == 20
        # Each gets its domain; its subscription goes under the login prepared for it.
        for hosting in hostings:
            if not hosting.domain:
                services.add_hosting_domain(world.r1.actor(), hosting, domain=f"later-{hosting.pk}.example")
        drain()
        statuses = dict(ResellerHosting.objects.values_list("pk", "status"))
        assert all(status == Status.ACTIVE for status in statuses.values()), statuses
        for hosting in hostings:
            hosting.refresh_from_db()
            assert counts(sandbox, hosting) == (1, 1)
            assert hosting.claimed_until is None
        assert sandbox.create_count("webspace") == 30
        assert sandbox.create_count("customer") == 10


class TestMore:
    def test_slow_drip_is_an_unknown_outcome_and_reconciled(
        self, setup, sandbox, impatient_client, django_capture_on_commit_callbacks
    ):
        """PX-04: the overall deadline ends a dripping answer; the job reads instead of creating again."""
        tenant, contract, product = setup
        # A byte a second: the answer would take minutes, far past the deadline.
        sandbox.inject(FaultKind.SLOW_DRIP, operation="webspace add", interval=1.0)
        hosting = create(tenant, product, domain="tropf.example", capture=django_capture_on_commit_callbacks)
        assert hosting.status == Status.ACTIVE
        assert "Creating the subscription: no usable answer, so the outcome is unknown." in messages(hosting)
        assert counts(sandbox, hosting) == (1, 1)

    def test_customer_created_by_a_concurrent_job_is_adopted(self, setup, sandbox, monkeypatch):
        """REL-08: our look-up misses, the add gets 1007, the second look-up adopts the other job's customer."""
        tenant, contract, product = setup
        hosting = create(tenant, product, domain="parallel.example", run=False)
        with reseller_client(sandbox) as client:
            client.add_customer(
                login=provisioning.customer_login(hosting),
                password="x-secret-123",
                name="Karla Kunde",
                external_id=hosting.customer_external_id,
            )
        monkeypatch.setattr(provisioning._Steps, "lookup", blind_lookup())
        assert provisioning.provision(hosting.pk) == Status.ACTIVE
        assert "Creating the Plesk customer: it exists already." in messages(hosting)
        assert counts(sandbox, hosting) == (1, 1)

    def test_a_deleted_hosting_is_skipped(self, setup):
        from hosting.tasks import provision_hosting

        result = provision_hosting.enqueue(999999)
        assert result.return_value is None

    def test_retry_is_for_failed_hostings_of_the_own_account_only(
        self, world, sandbox, django_capture_on_commit_callbacks
    ):
        server = bind_server(sandbox.url)
        _contract, product = reseller_setup(world.r1, server, number="o1446", plan="Gibt es nicht")
        hosting = create(world.r1, product, domain="nochmal.example", capture=django_capture_on_commit_callbacks)
        assert hosting.status == Status.FAILED
        with pytest.raises(ValidationError):
            retry_hosting(world.r2.actor(), hosting)  # another account: as if it did not exist
        retry_hosting(world.r1.actor(), hosting)  # the enqueue is not run: still provisioning
        with pytest.raises(ValidationError):
            retry_hosting(world.r1.actor(), hosting)  # the second click: already running (REL-07)
        assert ResellerHosting.objects.get(pk=hosting.pk).status == Status.PROVISIONING
        assert ResellerHosting.objects.restrict(world.r2.actor()).count() == 0
        assert ResellerHosting.objects.restrict(world.r1.actor()).count() == 1

    def test_the_customer_password_is_never_stored_or_logged(
        self, setup, sandbox, django_capture_on_commit_callbacks, monkeypatch, caplog
    ):
        """PX-11: the random Plesk password goes to Plesk only."""
        marker = "ZZ-PW-MARKER-4711"
        monkeypatch.setattr(provisioning.secrets, "token_urlsafe", lambda _n=None: marker)
        tenant, contract, product = setup
        with caplog.at_level("DEBUG"):
            hosting = create(tenant, product, domain="geheim.example", capture=django_capture_on_commit_callbacks)
        assert hosting.status == Status.ACTIVE
        assert marker not in caplog.text
        assert marker not in messages(hosting)
        assert not AuditEntry.objects.filter(changes__icontains=marker).exists()
        assert marker not in str(ResellerHosting.objects.filter(pk=hosting.pk).values().get())
        assert any(marker.encode() in exchange.request for exchange in sandbox.exchanges)  # it did reach Plesk
