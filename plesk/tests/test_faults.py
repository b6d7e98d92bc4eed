"""Every injected fault maps to the right client exception (SECURITY-TESTS PX-01…04, PX-07, PX-08, PX-12, REL-01/02)."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest
from lxml import etree

from plesk import (
    PleskAlreadyExists,
    PleskAPIError,
    PleskClient,
    PleskConnectionError,
    PleskLimitExceeded,
    PleskOutcomeUnknown,
    PleskResponseError,
    PleskTimeout,
)
from plesk.sandbox import FaultKind, SandboxServer

from .conftest import ADMIN_PASSWORD, RESELLER, RESELLER_PASSWORD, make_client
from .test_client_operations import CUSTOMER_PASSWORD, add_customer, add_webspace

UNEXPECTED = "unexpected response from the server"


def test_connection_refused_means_nothing_was_sent(sandbox):
    with make_client(sandbox) as client:
        client.get_protos()  # leaves a pooled keep-alive connection behind
        sandbox.stop()
        with pytest.raises(PleskConnectionError) as caught:
            client.get_protos()
        assert not isinstance(caught.value, PleskOutcomeUnknown)
        sandbox.start()
        assert client.get_protos()[0] == "1.6.9.1"


def test_dns_failure_means_nothing_was_sent(monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    # A stub resolver: the test must not query real DNS.
    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    client = PleskClient("https://plesk.invalid:8443", login="admin", password=ADMIN_PASSWORD, connect_timeout=1)
    with client, pytest.raises(PleskConnectionError) as caught:
        client.get_protos()
    assert not isinstance(caught.value, PleskOutcomeUnknown)
    assert "plesk.invalid" in str(caught.value)


def test_timeout_after_commit_is_outcome_unknown_and_reconciles(sandbox):
    sandbox.inject(FaultKind.TIMEOUT_AFTER_COMMIT, operation="customer add", delay=3.0)
    with make_client(sandbox, deadline=0.4) as client:
        started = time.monotonic()
        with pytest.raises(PleskTimeout) as caught:
            add_customer(client)
        assert time.monotonic() - started < 1.5
        assert "deadline" in str(caught.value)
        # Reconcile by reading, never by creating again.
        assert client.get_customer(external_id="portal-cust-jdoe").login == "jdoe"
    assert sandbox.create_count("customer", external_id="portal-cust-jdoe") == 1


def test_reset_after_commit_is_outcome_unknown(sandbox):
    sandbox.inject(FaultKind.DROP_AFTER_COMMIT, operation="webspace add")
    with make_client(sandbox) as client:
        customer = add_customer(client)
        with pytest.raises(PleskOutcomeUnknown) as caught:
            add_webspace(client, owner_id=customer.id, external_id="portal-sub-1")
        assert not isinstance(caught.value, PleskResponseError)
        assert [w.name for w in client.get_webspaces(external_ids=["portal-sub-1"])] == ["example.com"]
    assert sandbox.create_count("webspace", external_id="portal-sub-1") == 1


def test_reset_without_commit_is_also_unknown_to_the_client(sandbox):
    sandbox.inject(FaultKind.DROP, operation="customer add")
    with make_client(sandbox) as client:
        with pytest.raises(PleskOutcomeUnknown):
            add_customer(client)
        assert client.get_customers(external_ids=["portal-cust-jdoe"]) == []
    assert sandbox.create_count("customer") == 0


def test_http_500_with_xml_is_parsed_into_the_api_error(sandbox):
    sandbox.inject(FaultKind.HTTP_500, operation="webspace add", errcode=1023, errtext="Internal error of the panel")
    with make_client(sandbox) as client:
        customer = add_customer(client)
        with pytest.raises(PleskAPIError) as caught:
            add_webspace(client, owner_id=customer.id)
        assert (caught.value.errcode, caught.value.errtext) == (1023, "Internal error of the panel")
        # The caller learns it was a server fault, so it can treat the outcome as unknown.
        assert caught.value.http_status == 500
        assert client.get_webspaces(owner_ids=[customer.id]) == []


def test_http_500_without_xml_is_a_response_error(sandbox):
    sandbox.inject(FaultKind.HTTP_500, xml=False)
    with make_client(sandbox) as client, pytest.raises(PleskResponseError) as caught:
        client.get_protos()
    assert "HTTP 500" in str(caught.value)


def test_api_error_in_http_200_and_already_exists(sandbox):
    sandbox.inject(FaultKind.API_ERROR, operation="webspace add", errcode=1007, errtext="Domain already exists.")
    with make_client(sandbox) as client:
        customer = add_customer(client)
        with pytest.raises(PleskAlreadyExists):
            add_webspace(client, owner_id=customer.id)
        add_webspace(client, owner_id=customer.id)  # the fault was for one call only


@pytest.mark.parametrize("variant", ["truncated", "garbage", "wrong_root", "bad_encoding", "no_mirror"])
def test_malformed_answers_are_refused_cleanly(sandbox, variant):
    sandbox.inject(FaultKind.MALFORMED, variant=variant)
    with make_client(sandbox) as client:
        with pytest.raises(PleskResponseError) as caught:
            client.get_protos()
        assert UNEXPECTED in str(caught.value)
        assert client.get_protos()[0] == "1.6.9.1"


@pytest.mark.parametrize("variant", ["xxe", "parameter_entity", "billion_laughs", "quadratic"])
def test_doctype_answers_are_refused_without_side_effects(sandbox, connection_counter, tmp_path, caplog, variant):
    secret_file = tmp_path / "hostname"
    secret_file.write_text("SECRET-HOSTNAME-MARKER")
    entity_url = f"http://127.0.0.1:{connection_counter.port}/xxe"
    sandbox.inject(FaultKind.DOCTYPE, variant=variant, entity_file=str(secret_file), entity_url=entity_url)
    caplog.set_level("DEBUG")
    with make_client(sandbox) as client, pytest.raises(PleskResponseError) as caught:
        client.get_protos()
    assert UNEXPECTED in str(caught.value)
    assert "SECRET-HOSTNAME-MARKER" not in str(caught.value) + caplog.text
    time.sleep(0.2)
    assert connection_counter.connections == 0


def test_doctype_refused_even_with_a_tampered_default_parser(sandbox, connection_counter, tmp_path):
    secret_file = tmp_path / "hostname"
    secret_file.write_text("SECRET-HOSTNAME-MARKER")
    unsafe = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=False)
    sandbox.inject(
        FaultKind.DOCTYPE, entity_file=str(secret_file), entity_url=f"http://127.0.0.1:{connection_counter.port}/"
    )
    etree.set_default_parser(unsafe)
    try:
        with make_client(sandbox) as client, pytest.raises(PleskResponseError):
            client.get_protos()
    finally:
        etree.set_default_parser()
    assert connection_counter.connections == 0


def test_the_xxe_payload_is_live_for_an_unsafe_parser(sandbox, tmp_path):
    """Control for the two tests above: the same payload does leak through a careless parser."""
    secret_file = tmp_path / "hostname"
    secret_file.write_text("SECRET-HOSTNAME-MARKER")
    sandbox.inject(FaultKind.DOCTYPE, entity_file=str(secret_file), entity_url="file:///nonexistent")
    response = httpx.post(sandbox.url, content=b"<packet/>", trust_env=False)
    unsafe = etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=True, recover=True)
    assert "SECRET-HOSTNAME-MARKER" in etree.tostring(etree.fromstring(response.content, unsafe)).decode()


@pytest.mark.parametrize("declare_length", [True, False])
def test_oversized_answers_stop_at_the_cap(sandbox, declare_length):
    sandbox.inject(FaultKind.OVERSIZED, size=3 * 1024 * 1024, declare_length=declare_length)
    with make_client(sandbox, max_response_bytes=1024 * 1024) as client:
        with pytest.raises(PleskResponseError) as caught:
            client.get_protos()
        assert "response too large" in str(caught.value)
        assert client.get_protos()[0] == "1.6.9.1"


def test_slow_drip_ends_at_the_overall_deadline(sandbox):
    # Each byte arrives well within the read timeout; only the overall deadline can end the call.
    sandbox.inject(FaultKind.SLOW_DRIP, interval=0.25)
    with make_client(sandbox, read_timeout=1.0, deadline=1.2) as client:
        started = time.monotonic()
        with pytest.raises(PleskTimeout) as caught:
            client.get_protos()
        elapsed = time.monotonic() - started
    assert 1.1 <= elapsed < 1.8
    assert "overall deadline of 1.2s" in str(caught.value)


def test_latency_is_added_and_scoped(sandbox):
    sandbox.inject(FaultKind.LATENCY, operation="server get_protos", delay=0.3, times=2)
    with make_client(sandbox) as client:
        started = time.monotonic()
        client.get_ips()
        assert time.monotonic() - started < 0.25
        for _ in range(2):
            started = time.monotonic()
            client.get_protos()
            assert time.monotonic() - started >= 0.3
        started = time.monotonic()
        client.get_protos()
        assert time.monotonic() - started < 0.25
        sandbox.latency = 0.2
        started = time.monotonic()
        client.get_ips()
        assert time.monotonic() - started >= 0.2


def test_faults_through_the_local_control_endpoint(sandbox):
    control = f"{sandbox.base_url}/_sandbox/faults"
    with httpx.Client(trust_env=False) as http:
        created = http.post(
            control, content=json.dumps({"kind": "api_error", "operation": "customer add", "errcode": 1024})
        )
        assert created.status_code == 201
        assert created.json()[0]["kind"] == "api_error"
        assert http.post(control, content=b'{"kind": "nonsense"}').status_code == 400
        with make_client(sandbox) as client, pytest.raises(PleskAPIError) as caught:
            client.add_customer(login="x1", password=CUSTOMER_PASSWORD, name="X", owner_login=RESELLER)
        assert caught.value.errcode == 1024
        http.post(control, content=b'{"kind": "latency", "times": null, "delay": 0.01}')
        assert len(http.get(control).json()) == 1
        assert http.delete(control).json() == []
    assert sandbox.faults.active() == []


def test_stopping_releases_a_held_answer_quickly():
    server = SandboxServer(admin_password=ADMIN_PASSWORD).start()
    server.inject(FaultKind.TIMEOUT_AFTER_COMMIT, delay=30)
    with make_client(server, deadline=0.3) as client, pytest.raises(PleskTimeout):
        client.get_protos()
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 2


def test_a_pooled_connection_that_the_server_closed_is_not_used_again(sandbox):
    def protos(login: str, password: str) -> tuple[str, ...]:
        with make_client(sandbox, login, password, reuse_connections=True) as client:
            return client.get_protos()

    protos("admin", ADMIN_PASSWORD)
    protos(RESELLER, RESELLER_PASSWORD)  # another login, same connection: credentials travel per request
    assert sandbox.connections_accepted == 1
    sandbox.stop()
    sandbox.start()
    assert protos("admin", ADMIN_PASSWORD)[0] == "1.6.9.1"
    assert sandbox.connections_accepted == 2


# --- hosting plans and the subscription lifecycle ----------------------------------------------------


def test_a_plan_created_before_a_timeout_is_found_again_not_duplicated(sandbox):
    sandbox.inject(FaultKind.TIMEOUT_AFTER_COMMIT, operation="service-plan add", delay=3.0)
    with make_client(sandbox, RESELLER, RESELLER_PASSWORD, deadline=0.4) as client:
        with pytest.raises(PleskTimeout):
            client.add_service_plan("Portal XS", limits={"disk_space": 1024**3}, external_id="portal-plan-9")
        assert client.get_service_plan(external_id="portal-plan-9").name == "Portal XS"
    assert sandbox.create_count("service-plan", external_id="portal-plan-9") == 1


def test_plesk_refusing_a_plan_leaves_nothing_behind(sandbox):
    text = "Unable to allocate the resources: the following limits of the reseller are exceeded: disk_space."
    sandbox.inject(FaultKind.API_ERROR, operation="service-plan add", errcode=1024, errtext=text)
    with make_client(sandbox, RESELLER, RESELLER_PASSWORD) as client:
        with pytest.raises(PleskLimitExceeded) as caught:
            client.add_service_plan("Portal XS", external_id="portal-plan-9")
        assert caught.value.errtext == text
        assert client.get_service_plans(external_ids=["portal-plan-9"]) == []
    assert sandbox.create_count("service-plan") == 0


def test_a_plan_change_before_a_timeout_is_read_back(sandbox):
    sandbox.inject(FaultKind.TIMEOUT_AFTER_COMMIT, operation="service-plan set", delay=3.0)
    with make_client(sandbox, RESELLER, RESELLER_PASSWORD, deadline=0.4) as client:
        with pytest.raises(PleskTimeout):
            client.set_service_plan(name="Webhosting S", limits={"max_db": 2})
        assert client.get_service_plan(name="Webhosting S").limits["max_db"] == 2
        client.set_service_plan(name="Webhosting S", limits={"max_db": 2})  # doing it again changes nothing
    with make_client(sandbox) as admin:
        assert admin.get_webspace(name="kunde-alt.example", limits=True).limits["max_db"] == 2


def test_a_dropped_plan_switch_is_reconciled_by_reading(sandbox):
    sandbox.inject(FaultKind.DROP, operation="webspace switch-subscription")
    with make_client(sandbox) as admin:
        large = admin.get_service_plan(name="Webhosting L", owner_login=RESELLER)
        with pytest.raises(PleskOutcomeUnknown):
            admin.switch_webspace_plan(name="kunde-alt.example", plan_guid=large.guid)
        assert admin.get_webspace(name="kunde-alt.example").plan_guid != large.guid
        admin.switch_webspace_plan(name="kunde-alt.example", plan_guid=large.guid)
        assert admin.get_webspace(name="kunde-alt.example").plan_guid == large.guid


def test_a_suspension_and_a_deletion_committed_before_a_reset(sandbox):
    sandbox.inject(FaultKind.DROP_AFTER_COMMIT, operation="webspace set")
    sandbox.inject(FaultKind.DROP_AFTER_COMMIT, operation="webspace del")
    with make_client(sandbox) as admin:
        with pytest.raises(PleskOutcomeUnknown):
            admin.set_webspace(name="kunde-alt.example", status=16)
        assert admin.get_webspace(name="kunde-alt.example").status == 16
        with pytest.raises(PleskOutcomeUnknown):
            admin.delete_webspace(name="kunde-alt.example")
        assert admin.get_webspaces(names=["kunde-alt.example"]) == []
    assert sandbox.delete_count("webspace", name="kunde-alt.example") == 1
