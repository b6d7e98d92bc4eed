"""TLS: verification on by default, CA bundles, and SHA-256 certificate pinning (SECURITY-TESTS PX-05)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from plesk import PleskClient, PleskConnectionError, PleskTLSError, transport
from plesk.sandbox import SandboxServer, generate_self_signed, pem_fingerprint
from plesk.transport import normalize_fingerprint, peer_certificate_fingerprint

from .conftest import ADMIN_PASSWORD


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[bytes, str, str]:
    """A self-signed certificate for 127.0.0.1 made at test time: (PEM, cert path, key path)."""
    directory = tmp_path_factory.mktemp("tls")
    certificate_pem, key_pem = generate_self_signed(("localhost", "127.0.0.1"))
    (directory / "cert.pem").write_bytes(certificate_pem)
    (directory / "key.pem").write_bytes(key_pem)
    return certificate_pem, str(directory / "cert.pem"), str(directory / "key.pem")


@pytest.fixture
def https_sandbox(certificate) -> Iterator[SandboxServer]:
    _, certfile, keyfile = certificate
    with SandboxServer(admin_password=ADMIN_PASSWORD, certfile=certfile, keyfile=keyfile) as server:
        yield server


def https_client(server: SandboxServer, **options) -> PleskClient:
    return PleskClient(
        server.base_url, login="admin", password=ADMIN_PASSWORD, connect_timeout=2, deadline=5, **options
    )


def test_verification_refuses_a_self_signed_certificate(https_sandbox, certificate):
    fingerprint = pem_fingerprint(certificate[0])
    with https_client(https_sandbox) as client, pytest.raises(PleskTLSError) as caught:
        client.get_protos()
    assert isinstance(caught.value, PleskConnectionError)
    assert f"certificate not trusted (fingerprint {fingerprint})" in str(caught.value)
    assert caught.value.fingerprint == fingerprint
    assert len(https_sandbox.exchanges) == 0


def test_pinned_fingerprint_is_accepted(https_sandbox, certificate):
    fingerprint = pem_fingerprint(certificate[0])
    assert https_sandbox.certificate_fingerprint == fingerprint
    assert peer_certificate_fingerprint("127.0.0.1", https_sandbox.port) == fingerprint
    for written in (fingerprint, fingerprint.replace(":", "").lower()):
        with https_client(https_sandbox, pinned_sha256=written) as client:
            assert client.get_protos()[0] == "1.6.9.1"


def test_a_different_pin_is_refused_before_credentials_are_sent(https_sandbox, certificate):
    other_pem, _ = generate_self_signed(("localhost",))
    client = https_client(https_sandbox, pinned_sha256=pem_fingerprint(other_pem))
    with client, pytest.raises(PleskTLSError) as caught:
        client.get_protos()
    assert caught.value.fingerprint == pem_fingerprint(certificate[0])
    assert len(https_sandbox.exchanges) == 0


def test_ca_bundle_as_pem_text_or_path(https_sandbox, certificate):
    certificate_pem, certfile, _ = certificate
    for bundle in (certificate_pem.decode(), certfile):
        with https_client(https_sandbox, ca_bundle=bundle) as client:
            assert client.get_protos()[0] == "1.6.9.1"


def test_a_trusted_certificate_for_another_host_name_is_refused(tmp_path):
    certificate_pem, key_pem = generate_self_signed(("plesk.other.example",))
    (tmp_path / "cert.pem").write_bytes(certificate_pem)
    (tmp_path / "key.pem").write_bytes(key_pem)
    server = SandboxServer(admin_password=ADMIN_PASSWORD, certfile=tmp_path / "cert.pem", keyfile=tmp_path / "key.pem")
    server.start()
    client = https_client(server, ca_bundle=certificate_pem.decode())
    with server, client, pytest.raises(PleskTLSError) as caught:
        client.get_protos()
    assert "certificate not trusted" in str(caught.value)
    assert "mismatch" in str(caught.value).lower()


def test_generated_certificate_of_the_sandbox():
    with SandboxServer(admin_password=ADMIN_PASSWORD, tls=True) as server:
        assert server.base_url.startswith("https://")
        with https_client(server, pinned_sha256=server.certificate_fingerprint) as client:
            assert client.get_protos()[0] == "1.6.9.1"


def test_plain_http_needs_an_explicit_opt_in():
    with pytest.raises(ValueError, match="allow_insecure_http"):
        PleskClient("http://127.0.0.1:8880", login="admin", password="x")
    with pytest.raises(ValueError):
        PleskClient("https://admin:pw@127.0.0.1:8443", login="admin", password="x")
    with pytest.raises(ValueError):
        PleskClient("https://127.0.0.1:8443", login="admin", password="x", pinned_sha256="abc")
    with pytest.raises(ValueError):
        PleskClient("https://127.0.0.1:8443", login="admin", password="x", pinned_sha256="00" * 32, ca_bundle="x.pem")
    assert normalize_fingerprint("AB:" * 31 + "AB") == bytes.fromhex("ab" * 32)


def test_reusing_clients_share_a_verified_connection_only_under_the_same_tls_settings(https_sandbox, certificate):
    fingerprint = pem_fingerprint(certificate[0])
    for _ in range(3):
        with https_client(https_sandbox, pinned_sha256=fingerprint, reuse_connections=True) as client:
            assert client.get_protos()[0] == "1.6.9.1"
    assert https_sandbox.connections_accepted == 1

    # The pooled connection was verified against that pin; a client with another pin (or none) gets its
    # own handshake, which fails, and sends nothing.
    other_pem, _ = generate_self_signed(("localhost",))
    for options in ({"pinned_sha256": pem_fingerprint(other_pem)}, {}):
        with https_client(https_sandbox, reuse_connections=True, **options) as client, pytest.raises(PleskTLSError):
            client.get_protos()
    assert len(https_sandbox.exchanges) == 3


def test_a_ca_bundle_file_is_read_for_every_client_so_its_connections_are_not_pooled(https_sandbox, certificate):
    _, certfile, _ = certificate
    for _ in range(2):
        with https_client(https_sandbox, ca_bundle=certfile, reuse_connections=True) as client:
            assert client.get_protos()[0] == "1.6.9.1"
    assert https_sandbox.connections_accepted == 2


def test_the_least_recently_used_pool_is_closed_beyond_the_limit(https_sandbox, certificate, monkeypatch):
    monkeypatch.setattr(transport, "MAX_SHARED_POOLS", 1)
    certificate_pem = certificate[0].decode()
    pinned = {"pinned_sha256": pem_fingerprint(certificate[0])}
    for options in (pinned, {"ca_bundle": certificate_pem}, pinned):
        with https_client(https_sandbox, reuse_connections=True, **options) as client:
            assert client.get_protos()[0] == "1.6.9.1"
    assert https_sandbox.connections_accepted == 3
    assert len(transport._shared_transports) == 1
