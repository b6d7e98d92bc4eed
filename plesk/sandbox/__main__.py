"""``python -m plesk.sandbox``: serve the fake Plesk.

The admin password can come from ``--admin-password`` or, to keep it out of the process list,
from the environment variable ``PLESK_SANDBOX_ADMIN_PASSWORD`` (likewise
``PLESK_SANDBOX_RESELLER_PASSWORD`` for ``--reseller-password``).
"""

from __future__ import annotations

import argparse
import logging
import os

from .demo import DEMO_RESELLER
from .schema import DEFAULT_SCHEMA_DIR
from .serve import serve


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m plesk.sandbox", description="A fake Plesk XML API server.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8443, help="port (default: 8443; 0 picks a free one)")
    parser.add_argument(
        "--admin-password",
        default=os.environ.get("PLESK_SANDBOX_ADMIN_PASSWORD"),
        help="password of the login 'admin' (or set PLESK_SANDBOX_ADMIN_PASSWORD)",
    )
    parser.add_argument("--state", metavar="FILE", help="JSON state file, loaded at start and saved after changes")
    parser.add_argument(
        "--seed-demo", action="store_true", help=f"add the demo reseller {DEMO_RESELLER!r} and its data"
    )
    parser.add_argument(
        "--reseller-password",
        default=os.environ.get("PLESK_SANDBOX_RESELLER_PASSWORD"),
        help=f"password of {DEMO_RESELLER!r} for --seed-demo (default: generated and printed)",
    )
    parser.add_argument("--schema-dir", metavar="DIR", help=f"Plesk XSD files (default: {DEFAULT_SCHEMA_DIR})")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a fresh self-signed certificate")
    parser.add_argument("--tls-cert", metavar="PEM", help="serve HTTPS with this certificate (chain) file")
    parser.add_argument("--tls-key", metavar="PEM", help="private key of --tls-cert")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    if not args.admin_password:
        parser.error("give --admin-password or set PLESK_SANDBOX_ADMIN_PASSWORD")
    if bool(args.tls_cert) != bool(args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(message)s")
    serve(
        args.host,
        args.port,
        args.admin_password,
        state_file=args.state,
        seed_demo=args.seed_demo,
        schema_dir=args.schema_dir,
        reseller_password=args.reseller_password,
        tls=args.tls,
        certfile=args.tls_cert,
        keyfile=args.tls_key,
    )


if __name__ == "__main__":
    main()
