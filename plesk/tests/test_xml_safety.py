"""Hardened parsing, safe request building and secret-free logs (SECURITY-TESTS PX-01, 02, 08, 09, 11, 12)."""

from __future__ import annotations

import logging

import pytest
from lxml import etree

from plesk import PleskAPIError, PleskAuthError, PleskResponseError, ops, read_answer
from plesk.client import build_packet
from plesk.sandbox.faults import doctype_body
from plesk.xml import XMLRejected, parse_xml, redacted_xml, to_bytes

from .conftest import ADMIN_PASSWORD, RESELLER, make_client
from .test_client_operations import CUSTOMER_PASSWORD, FTP_PASSWORD

HOSTILE = [
    doctype_body("xxe", entity_file="/etc/hostname", entity_url="http://127.0.0.1:9/"),
    doctype_body("parameter_entity", entity_file="/etc/hostname", entity_url="http://127.0.0.1:9/"),
    doctype_body("billion_laughs", entity_file="", entity_url=None),
    doctype_body("quadratic", entity_file="", entity_url=None),
    # The same DOCTYPE in UTF-16, which a byte scan for "<!DOCTYPE" cannot see.
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE packet [<!ENTITY a "b">]><packet>&a;</packet>'.encode("utf-16"),
    b'<packet version="1.6.9.1"><server><get_protos><result><status>ok</sta',
    b"",
    b"   \n",
]


@pytest.mark.parametrize("document", HOSTILE)
def test_parse_refuses_doctypes_entities_and_broken_documents(document):
    with pytest.raises(XMLRejected):
        parse_xml(document)


def test_parse_refuses_even_with_a_tampered_default_parser():
    etree.set_default_parser(etree.XMLParser(resolve_entities=True, load_dtd=True, no_network=False))
    try:
        for document in HOSTILE[:5]:
            with pytest.raises(XMLRejected):
                parse_xml(document)
    finally:
        etree.set_default_parser()


def test_parse_accepts_plain_packets_with_markup_in_values():
    root = parse_xml(b"<packet><x>&lt;script&gt;alert(1)&lt;/script&gt; &amp; ]]&gt;</x><!-- note --></packet>")
    assert root.findtext("x") == "<script>alert(1)</script> & ]]>"


HOSTILE_CUSTOMER = {"login": "a</login><passwd>x", "password": "p]]>w&<d", "name": "A & B <x>", "company": "ex]]>ample"}


def test_requests_are_built_with_the_element_api():
    packet = to_bytes(build_packet([ops.add_customer(**HOSTILE_CUSTOMER)], "1.6.9.1"))
    assert b"<passwd>x" not in packet
    root = parse_xml(packet)
    assert root.findtext("customer/add/gen_info/login") == "a</login><passwd>x"
    assert root.findtext("customer/add/gen_info/passwd") == "p]]>w&<d"
    assert root.findtext("customer/add/gen_info/pname") == "A & B <x>"


def test_requests_with_hostile_values_are_schema_valid(input_schema):
    operations = [ops.add_customer(**HOSTILE_CUSTOMER), ops.add_webspace("ex]]>ample.test", plan_name="A & B <x>")]
    assert input_schema.validate(build_packet(operations, "1.6.9.1"))


def test_hostile_values_arrive_literally_at_the_server(sandbox, admin):
    ref = admin.add_customer(
        login="lit-eral", password=CUSTOMER_PASSWORD, name="A & B <x>", company="<script>alert(1)</script>",
        description="ex]]>ample", owner_login=RESELLER,
    )  # fmt: skip
    customer = admin.get_customer(id=ref.id)
    assert (customer.name, customer.company, customer.description) == (
        "A & B <x>",
        "<script>alert(1)</script>",
        "ex]]>ample",
    )
    # The sandbox refuses such a login and domain (as Plesk does), but receives them unaltered.
    with pytest.raises(PleskAPIError, match="is invalid"):
        admin.add_customer(login="a</login><passwd>x", password=CUSTOMER_PASSWORD, name="X")
    with pytest.raises(PleskAPIError, match="is invalid"):
        admin.add_webspace("ex]]>ample.test", owner_id=ref.id, ftp_login="lit", ftp_password=FTP_PASSWORD)
    received = [parse_xml(exchange.request) for exchange in sandbox.exchanges]
    assert "a</login><passwd>x" in [r.findtext("customer/add/gen_info/login") for r in received]
    assert "ex]]>ample.test" in [r.findtext("webspace/add/gen_setup/name") for r in received]


def test_redaction_of_passwords_keys_and_tokens():
    packet = build_packet(
        [
            ops.add_customer(login="jdoe", password="PASSWORD-1", name="J"),
            ops.add_webspace("e.example", ftp_login="f", ftp_password="PASSWORD-2"),
            ops.set_webspace(name="e.example", ftp_password="PASSWORD-3"),
            ops.delete_secret_key("KEY-1"),
            ops.terminate_session("TOKEN-1"),
        ],
        "1.6.9.1",
    )
    answer = parse_xml(
        b"<packet><server><create_session><result><status>ok</status><id>TOKEN-2</id></result></create_session>"
        b"</server><secret_key><create><result><status>ok</status><key>KEY-2</key></result></create></secret_key>"
        b"<customer><add><result><status>ok</status><id>12</id></result></add></customer></packet>"
    )
    text = redacted_xml(packet) + redacted_xml(answer)
    for secret in ("PASSWORD-1", "PASSWORD-2", "PASSWORD-3", "KEY-1", "KEY-2", "TOKEN-1", "TOKEN-2"):
        assert secret not in text
    assert "<id>12</id>" in text and "jdoe" in text


def test_no_secrets_in_logs_at_debug(sandbox, admin, caplog):
    caplog.set_level(logging.DEBUG)
    ref = admin.add_customer(login="jdoe", password="Cust0mer-SECRET", name="Jane", owner_login=RESELLER)
    admin.add_webspace(
        "example.com", owner_id=ref.id, plan_name="Webhosting S", ftp_login="jd", ftp_password="Ftp-SECRET-1"
    )
    session = admin.create_session("jdoe", "192.0.2.45")
    key = admin.create_secret_key(ip_addresses=["127.0.0.1"])
    with make_client(sandbox, login=None, password=None, secret_key=key) as keyed:
        keyed.get_protos()
    with make_client(sandbox, password="Wrong-SECRET-pw") as wrong, pytest.raises(PleskAuthError):
        wrong.get_protos()
    assert "Plesk request to" in caplog.text and "Plesk answer" in caplog.text
    for secret in ("Cust0mer-SECRET", "Ftp-SECRET-1", "Wrong-SECRET-pw", session.id, key, ADMIN_PASSWORD):
        assert secret not in caplog.text
    assert ADMIN_PASSWORD not in repr(admin)
    assert session.id not in repr(session)


def test_foreign_namespaces_and_script_texts_are_handled_cleanly():
    foreign = b'<packet xmlns="urn:evil"><server><get_protos><result><status>ok</status></result></get_protos></server>'
    foreign += b"</packet>"
    with pytest.raises(PleskResponseError, match="unexpected response from the server"):
        read_answer(foreign, [ops.get_protos()])
    hostile = (
        b"<packet><customer><add><result><status>error</status><errcode>1019</errcode>"
        b"<errtext>&lt;script&gt;alert(1)&lt;/script&gt;</errtext></result></add></customer></packet>"
    )
    [outcome] = read_answer(hostile, [ops.add_customer(login="x", password="y", name="z")])
    assert outcome.error.errtext == "<script>alert(1)</script>"
