"""A faithful fake Plesk (XML API over real HTTP) for tests and demos.

``SandboxServer`` runs it on a background thread; ``serve`` runs it in the foreground (the CLI
``python -m plesk.sandbox`` and any wrapper such as a management command use it).
"""

from .demo import DEMO_RESELLER, seed_demo
from .faults import Fault, FaultKind
from .schema import DEFAULT_SCHEMA_DIR
from .serve import serve
from .server import SandboxServer
from .state import SandboxState
from .tls import generate_self_signed, pem_fingerprint

__all__ = [
    "DEFAULT_SCHEMA_DIR",
    "DEMO_RESELLER",
    "Fault",
    "FaultKind",
    "SandboxServer",
    "SandboxState",
    "generate_self_signed",
    "pem_fingerprint",
    "seed_demo",
    "serve",
]
