"""Provisioning outcomes and Plesk calls in /metrics, against a sandbox Plesk over real HTTP."""

from __future__ import annotations

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from core.tests.test_health import closed_port
from core.tests.test_metrics import TOKEN, sample, scrape
from hosting.models import HostingServer, ResellerHosting
from hosting.services import create_hosting
from hosting.tests.helpers import PATIENT_CLIENT, bind_server, reseller_setup
from plesk import PleskConnectionError
from plesk.sandbox import FaultKind

pytestmark = pytest.mark.django_db

Status = ResellerHosting.Status


@pytest.fixture(autouse=True)
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.HOSTING_PLESK_CLIENT_OPTIONS = PATIENT_CLIENT
    settings.HOSTING_MAX_ATTEMPTS = 3


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def provision(tenant, product, domain: str, capture) -> ResellerHosting:
    with capture(execute=True):
        hosting = create_hosting(tenant.actor(), end_customer=tenant.plain_customer, product=product, domain=domain)
    hosting.refresh_from_db()
    return hosting


def test_a_provisioning_job_and_its_plesk_calls_are_counted(world, sandbox, django_capture_on_commit_callbacks):
    server = bind_server(sandbox.url)
    _contract, product = reseller_setup(world.r1, server, number="o1501")
    outcome = {"job": "provisioning", "outcome": "succeeded"}
    before = value("partnerportal_provisioning_outcomes_total", **outcome)
    calls_before = value("partnerportal_plesk_call_duration_seconds_count", server="127.0.0.1")
    hosting = provision(world.r1, product, "metriken.example", django_capture_on_commit_callbacks)
    assert hosting.status == Status.ACTIVE
    body = scrape()
    assert sample(body, "partnerportal_provisioning_outcomes_total", **outcome) == before + 1
    calls = len(sandbox.exchanges)
    assert calls >= 3
    assert sample(body, "partnerportal_plesk_call_duration_seconds_count", server="127.0.0.1") == calls_before + calls


def test_a_retry_and_a_pause_are_counted_by_outcome(world, sandbox, django_capture_on_commit_callbacks):
    server = bind_server(sandbox.url)
    _contract, product = reseller_setup(world.r1, server, number="o1502")
    retry = {"job": "provisioning", "outcome": "retry_scheduled"}
    retries_before = value("partnerportal_provisioning_outcomes_total", **retry)
    errors_before = value("partnerportal_plesk_call_errors_total", server="127.0.0.1", error="PleskAPIError")
    sandbox.inject(FaultKind.HTTP_500, operation="webspace add")
    hosting = provision(world.r1, product, "wieder.example", django_capture_on_commit_callbacks)
    assert hosting.status == Status.PROVISIONING
    body = scrape()
    assert sample(body, "partnerportal_provisioning_outcomes_total", **retry) == retries_before + 1
    assert (
        sample(body, "partnerportal_plesk_call_errors_total", server="127.0.0.1", error="PleskAPIError")
        == errors_before + 1
    )

    paused = {"job": "provisioning", "outcome": "paused"}
    paused_before = value("partnerportal_provisioning_outcomes_total", **paused)
    _contract, refused = reseller_setup(world.r1, server, number="o1503", password="wrong-password")
    assert provision(world.r1, refused, "pause.example", django_capture_on_commit_callbacks).status == Status.PAUSED
    assert sample(scrape(), "partnerportal_provisioning_outcomes_total", **paused) == paused_before + 1


def test_an_unreachable_server_is_an_error_of_its_host(world):
    server = HostingServer.objects.create(
        name="Zu", host="127.0.0.1", port=closed_port(), use_tls=False, login="admin", password="x", is_sandbox=True
    )
    labels = {"server": "127.0.0.1", "error": "PleskConnectionError"}
    before = value("partnerportal_plesk_call_errors_total", **labels)
    with server.client(**PATIENT_CLIENT) as client, pytest.raises(PleskConnectionError):
        client.test_connection()
    assert sample(scrape(), "partnerportal_plesk_call_errors_total", **labels) == before + 1


def test_the_metrics_name_no_password(world, sandbox, django_capture_on_commit_callbacks):
    server = bind_server(sandbox.url)
    _contract, product = reseller_setup(world.r1, server, number="o1504")
    provision(world.r1, product, "geheim.example", django_capture_on_commit_callbacks)
    body = Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}").get("/metrics").content.decode()
    for secret in (server.password, product.contract.plesk_password, world.r1.account.name):
        assert secret not in body
