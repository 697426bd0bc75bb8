"""Certificates for the battery, made once per run with trustme.

The server's leaf certificate carries many subject alternative names on
purpose: it makes a full handshake at least that many bytes longer than a
resumed one, so the lab can tell the two apart on the wire for every library.
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from ._contract import Credentials

__all__ = ["SERVER_NAME", "make_credentials"]

SERVER_NAME = "server.conformance.test"
#: Extra names that pad the certificate to several kilobytes (see the module docstring).
PADDING_NAMES = 64


def _padding_names() -> list[str]:
    # Distinct, incompressible-looking labels so no library shrinks the certificate.
    return [
        f"{hashlib.sha256(str(i).encode()).hexdigest()[:40]}.pad.conformance.test"
        for i in range(PADDING_NAMES)
    ]


def make_credentials(directory: Path | None = None) -> Credentials:
    """A CA and a server certificate for ``SERVER_NAME``, in memory and as files."""
    folder = Path(directory or tempfile.mkdtemp(prefix="conformance-certs-"))
    ca = trustme.CA()
    server = ca.issue_cert(SERVER_NAME, *_padding_names())
    chain = b"".join(blob.bytes() for blob in server.cert_chain_pems)
    key = server.private_key_pem.bytes()
    leaf = x509.load_pem_x509_certificate(server.cert_chain_pems[0].bytes())
    files = {"ca.pem": ca.cert_pem.bytes(), "chain.pem": chain, "key.pem": key}
    for name, blob in files.items():
        (folder / name).write_bytes(blob)
    return Credentials(
        server_name=SERVER_NAME,
        ca_pem=ca.cert_pem.bytes(),
        cert_chain_pem=chain,
        key_pem=key,
        ca_file=folder / "ca.pem",
        cert_chain_file=folder / "chain.pem",
        key_file=folder / "key.pem",
        leaf_der_length=len(leaf.public_bytes(Encoding.DER)),
    )
