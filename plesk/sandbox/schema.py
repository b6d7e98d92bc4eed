"""Request validation for the sandbox: ``agent_input.xsd`` when available, structural checks otherwise.

Real Plesk validates each request with libxml2 against its schema and answers a violation with the
system error 1014 and the libxml message; lxml produces the same message. The schema files are
reference data kept outside the repository (``../shared/plesk-xsd`` next to it by default, or
``--schema-dir``). Without them the sandbox falls back to :class:`StructuralValidator`, which only
checks the root, that operators and operations are known, and that a filter holds one kind of
key. Element order and required elements are then not checked.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path

from lxml import etree

from ..xml import parse_xml, tag_name

logger = logging.getLogger("plesk.sandbox")

DEFAULT_SCHEMA_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "plesk-xsd"
INPUT_SCHEMA = "agent_input.xsd"

KNOWN_OPERATORS = frozenset(
    {
        "server", "customer", "webspace", "subdomain", "dns", "db_server", "mail", "migration", "certificate",
        "site-alias", "ip", "event_log", "spamfilter", "secret_key", "ui", "service-plan", "webuser", "maillist",
        "virtdir", "database", "ftp-user", "session", "updater", "locale", "log-rotation", "backup-manager", "sso",
        "protected-dir", "reseller", "reseller-plan", "aps", "smb", "service-plan-addon", "site", "user", "role",
        "business-logic-upgrade", "webmail", "plan-item", "sitebuilder", "service-node", "ip-ban", "wp-instance",
    }
)  # fmt: skip


@lru_cache(maxsize=8)
def load_schema(path: str) -> etree.XMLSchema:
    """Compile the XSD at ``path`` (cached: several sandboxes in one process share it)."""
    file = Path(path)
    return etree.XMLSchema(parse_xml(file.read_bytes(), base_url=file.resolve().as_uri()))


def find_schema_dir(schema_dir: str | Path | None) -> Path | None:
    """``schema_dir`` (or the default location) if it holds ``agent_input.xsd``, else ``None``."""
    candidate = Path(schema_dir) if schema_dir is not None else DEFAULT_SCHEMA_DIR
    return candidate.resolve() if (candidate / INPUT_SCHEMA).is_file() else None


def parser_error(line: int | None, message: str) -> str:
    """Plesk's 1014 text for a libxml message."""
    return f"Parser error: Request is invalid. Error in line {line or 1}: {message}"


class SchemaValidator:
    """Validates request packets against ``agent_input.xsd``; thread-safe."""

    def __init__(self, schema_dir: Path) -> None:
        self.schema_dir = schema_dir
        self._schema = load_schema(str(schema_dir / INPUT_SCHEMA))
        self._lock = threading.Lock()

    def error(self, root: etree._Element) -> str | None:
        """The 1014 text for the first violation, or ``None`` when ``root`` is valid."""
        with self._lock:
            if self._schema.validate(root):
                return None
            first = self._schema.error_log[0]
            return parser_error(first.line, first.message)


class StructuralValidator:
    """The fallback without schema files: root, known operators and operations, one filter key kind."""

    schema_dir = None

    def __init__(self, operations: frozenset[tuple[str, str]]) -> None:
        self._operations = operations

    def error(self, root: etree._Element) -> str | None:
        """The 1014 text for the first structural problem, or ``None``."""
        for operator in root.iterchildren(etree.Element):
            if operator.tag == "request-settings":
                continue
            if operator.tag not in KNOWN_OPERATORS:
                message = f"Element '{tag_name(operator)}': This element is not expected."
                return parser_error(operator.sourceline, message)
            for operation in operator.iterchildren(etree.Element):
                known = {name for op, name in self._operations if op == operator.tag}
                if known and operation.tag not in known:
                    return parser_error(
                        operation.sourceline, f"Element '{tag_name(operation)}': This element is not expected."
                    )
                problem = self._filter_error(operation)
                if problem:
                    return problem
        return None

    @staticmethod
    def _filter_error(operation: etree._Element) -> str | None:
        element = operation.find("filter")
        if element is None:
            return None
        keys = list(element.iterchildren(etree.Element))
        for key in keys[1:]:
            if key.tag != keys[0].tag:
                expected = tag_name(keys[0])
                message = f"Element '{tag_name(key)}': This element is not expected. Expected is ( {expected} )."
                return parser_error(key.sourceline, message)
        return None


def make_validator(
    schema_dir: str | Path | None, operations: frozenset[tuple[str, str]]
) -> SchemaValidator | StructuralValidator:
    """A schema validator when the XSD files are found, else the structural fallback (with a warning)."""
    found = find_schema_dir(schema_dir)
    if found is not None:
        return SchemaValidator(found)
    logger.warning(
        "Plesk XSD files not found at %s; the sandbox checks request structure only, not element order",
        schema_dir or DEFAULT_SCHEMA_DIR,
    )
    return StructuralValidator(operations)
