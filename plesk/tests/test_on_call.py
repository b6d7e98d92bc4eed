"""The ``on_call`` hook: every exchange reported with its host, time and error, for the caller to measure."""

from __future__ import annotations

import socket

import pytest

from plesk import PleskAPIError, PleskClient, PleskConnectionError, PleskNotFound
from plesk.sandbox import FaultKind, SandboxServer
from plesk.tests.conftest import make_client

Call = tuple[str, float, BaseException | None]


def test_an_answered_call_and_a_missing_object_are_no_errors(sandbox: SandboxServer) -> None:
    calls: list[Call] = []
    with make_client(sandbox, on_call=lambda *call: calls.append(call)) as client:
        client.get_server_info()
        with pytest.raises(PleskNotFound):
            client.get_customer(login="nobody-here")
    assert [(host, error) for host, _seconds, error in calls] == [("127.0.0.1", None), ("127.0.0.1", None)]
    assert all(seconds > 0 for _host, seconds, _error in calls)


def test_an_error_plesk_answers_is_reported(sandbox: SandboxServer) -> None:
    calls: list[Call] = []
    sandbox.inject(FaultKind.API_ERROR, operation="server get")
    with make_client(sandbox, on_call=lambda *call: calls.append(call)) as client, pytest.raises(PleskAPIError):
        client.get_server_info()
    [(_host, _seconds, error)] = calls
    assert isinstance(error, PleskAPIError)


def test_a_call_without_an_answer_is_reported_with_its_exception() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    calls: list[Call] = []
    client = PleskClient(
        f"http://127.0.0.1:{port}",
        login="admin",
        password="x",
        allow_insecure_http=True,
        on_call=lambda *call: calls.append(call),
    )
    with client, pytest.raises(PleskConnectionError) as raised:
        client.get_server_info()
    [(host, _seconds, error)] = calls
    assert host == "127.0.0.1"
    assert error is raised.value
