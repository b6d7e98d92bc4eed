"""A self-signed certificate for ``make serve`` (scripts/serve.sh): ``tls_cert.py CERT KEY NAME...``.

Keeps the existing pair when it still covers every name for at least 30 days, so clients that trust it keep
trusting it; otherwise writes a new one (EC P-256, one year). Names are host names or IP addresses. Clients
verify against the certificate itself (``curl --cacert CERT``, ``requests.get(..., verify=CERT)``).
"""

import datetime
import ipaddress
import os
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALIDITY = datetime.timedelta(days=365)
RENEW_BEFORE = datetime.timedelta(days=30)


def general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def still_good(cert_path: Path, key_path: Path, names: list[x509.GeneralName]) -> bool:
    if not (cert_path.is_file() and key_path.is_file()):
        return False
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    covered = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    expires_soon = cert.not_valid_after_utc - datetime.datetime.now(datetime.UTC) < RENEW_BEFORE
    return all(name in covered for name in names) and not expires_soon


def write(cert_path: Path, key_path: Path, names: list[x509.GeneralName], common_name: str) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    public_key = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        # Its own issuer, so clients can trust it as the anchor of a one-certificate chain (OpenSSL's strict
        # mode, the default of Python 3.13, wants these extensions on it).
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    # The key is readable by its owner only, from the moment it exists.
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as key_file:
        key_file.write(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    cert_path, key_path, *hosts = argv
    names = [general_name(host) for host in dict.fromkeys(hosts)]
    if not still_good(Path(cert_path), Path(key_path), names):
        write(Path(cert_path), Path(key_path), names, common_name=hosts[0])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
