"""Hardened XML parsing, element-API building and secret redaction, shared by client and sandbox.

Every parse in the package goes through :func:`parse_xml`. It passes an explicit parser (so a
tampered ``lxml.etree.set_default_parser`` has no effect), never loads a DTD, never resolves
entities, never touches the network, and refuses any document with a DOCTYPE: Plesk never sends
one, so its presence alone means the answer is hostile or broken.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from lxml import etree

__all__ = [
    "REDACTED",
    "XMLRejected",
    "child_text",
    "parse_xml",
    "redacted_xml",
    "sub",
    "tag_name",
    "to_bytes",
]

REDACTED = "***"

# Elements whose text is a secret wherever they appear.
_SECRET_TAGS = frozenset(
    {
        "passwd",
        "password",
        "ftp_password",
        "fp_admin_password",
        "smtp_password",
        "poa-api-password",
        "remote-access-hash",
        "content",
    }
)
# ``<property>``/``<setting>`` pairs whose ``<value>`` is a secret, keyed by their ``<name>``.
_SECRET_PROPERTIES = frozenset({"ftp_password", "password", "passwd"})
# Tokens that grant access: SSO session ids, panel session ids, secret keys.
_TOKEN_PARENTS = {
    "id": frozenset({"create_session", "session"}),
    "session-id": frozenset({"session"}),
    "key": frozenset({"secret_key"}),
}


class XMLRejected(ValueError):
    """The bytes are not an acceptable XML document (syntax error, DOCTYPE, entity, wrong encoding).

    ``line`` is the line of a syntax error when the parser reported one.
    """

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.line = line
        super().__init__(message)


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers keep per-document state and are not meant to be
    # shared between threads, and building one is cheap.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        remove_pis=True,
        remove_comments=True,
    )


def parse_xml(data: bytes, *, base_url: str | None = None) -> etree._Element:
    """Parse ``data`` safely and return the root element, or raise :class:`XMLRejected`.

    Refused: any DOCTYPE (checked on the raw bytes before parsing and on the parsed tree, which also
    catches documents in other encodings), entity references, syntax errors and empty input.
    ``base_url`` only names the document (for relative references such as XSD includes).
    """
    if not data or not data.strip():
        raise XMLRejected("empty document")
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise XMLRejected("document type declarations are not allowed")
    try:
        root = etree.fromstring(data, parser=_parser(), base_url=base_url)
    except etree.XMLSyntaxError as exc:
        raise XMLRejected(exc.msg or "not well-formed", line=exc.lineno) from None
    if root is None:
        raise XMLRejected("empty document")
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise XMLRejected("document type declarations are not allowed")
    if next(root.iter(etree.Entity), None) is not None:
        raise XMLRejected("entity references are not allowed")
    return root


def sub(parent: etree._Element, tag: str, text: str | int | None = None) -> etree._Element:
    """Append a child ``tag`` to ``parent`` with ``text`` set through the element API (never formatted)."""
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = str(text)
    return child


def tag_name(element: etree._Element) -> str:
    """The tag of ``element`` as text.

    Every element parsed or built here has a ``str`` tag; lxml's type allows the bytes or ``QName`` a
    caller may assign as well, which ``QName.text`` turns into text.
    """
    return etree.QName(element).text


def child_text(element: etree._Element, tag: str) -> str | None:
    """Text of the first direct child ``tag`` (``""`` for an empty element), or ``None`` if absent."""
    child = element.find(tag)
    if child is None:
        return None
    return child.text or ""


def to_bytes(root: etree._Element, *, pretty: bool = False) -> bytes:
    """Serialise ``root`` as a UTF-8 document with the XML declaration Plesk writes."""
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=pretty)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _redact_in_place(root: etree._Element) -> None:
    for element in root.iter(etree.Element):
        tag = element.tag
        if tag in _SECRET_TAGS and element.text:
            element.text = REDACTED
        elif tag in ("property", "setting") and (element.findtext("name") or "") in _SECRET_PROPERTIES:
            value = element.find("value")
            if value is not None and value.text:
                value.text = REDACTED
        elif (
            tag in _TOKEN_PARENTS
            and element.text
            and any(ancestor.tag in _TOKEN_PARENTS[tag] for ancestor in _ancestors(element))
        ):
            element.text = REDACTED


def _ancestors(element: etree._Element) -> Iterable[etree._Element]:
    parent = element.getparent()
    while parent is not None:
        yield parent
        parent = parent.getparent()


def redacted_xml(root: etree._Element) -> str:
    """Serialise a copy of ``root`` for logs with passwords, keys and session tokens replaced by ``***``."""
    clone = copy.deepcopy(root)
    _redact_in_place(clone)
    return etree.tostring(clone, encoding="unicode")
