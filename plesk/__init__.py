"""Plesk XML API client (and, in :mod:`plesk.sandbox`, a fake Plesk server for tests and demos).

A plain Python package: it imports nothing from Django or the rest of the project.
"""

from . import ops
from .client import AGENT_PATH, Outcome, Packet, PleskClient, read_answer
from .errors import (
    PleskAlreadyExists,
    PleskAPIError,
    PleskAuthError,
    PleskConnectionError,
    PleskError,
    PleskNotFound,
    PleskOutcomeUnknown,
    PleskOwnerNotFound,
    PleskParserError,
    PleskPermissionDenied,
    PleskResponseError,
    PleskTimeout,
    PleskTLSError,
    PleskTransportError,
    PleskVersionError,
)
from .ops import Operation
from .types import (
    Customer,
    IPAddress,
    ObjectRef,
    PanelSession,
    Reseller,
    ResellerIP,
    SecretKeyInfo,
    ServerInfo,
    ServicePlan,
    Session,
    Status,
    Webspace,
)

__all__ = [
    "AGENT_PATH",
    "Customer",
    "IPAddress",
    "ObjectRef",
    "Operation",
    "Outcome",
    "Packet",
    "PanelSession",
    "PleskAPIError",
    "PleskAlreadyExists",
    "PleskAuthError",
    "PleskClient",
    "PleskConnectionError",
    "PleskError",
    "PleskNotFound",
    "PleskOutcomeUnknown",
    "PleskOwnerNotFound",
    "PleskParserError",
    "PleskPermissionDenied",
    "PleskResponseError",
    "PleskTLSError",
    "PleskTimeout",
    "PleskTransportError",
    "PleskVersionError",
    "Reseller",
    "ResellerIP",
    "SecretKeyInfo",
    "ServerInfo",
    "ServicePlan",
    "Session",
    "Status",
    "Webspace",
    "ops",
    "read_answer",
]
