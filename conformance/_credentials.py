"""Certificates for the battery, made once per run with trustme.

The server's leaf certificate carries many subject alternative names on
purpose: it makes a full handshake at least that many bytes longer than a
resumed one, so the lab can tell the two apart on the wire for every library.

The private key is written only to a private folder (0700, files 0600) that
``private_credentials`` removes when the run ends; it never lands in pytest's
shared temporary folders. A run that dies before it can remove its folder (a
library that crashes the run's own process under ``--no-isolation``, a
SIGKILL) leaves it behind: the folder's name carries the run's pid, and the
next run removes every such folder whose run is gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from ._contract import SERVER_NAME, Credentials

__all__ = ["SERVER_NAME", "make_credentials", "private_credentials"]

#: The private folders' names: this prefix, the pid of the run that made it, a dash, mkdtemp's letters.
FOLDER_PREFIX = "conformance-certs-"
#: Extra names that pad the certificate to several kilobytes (see the module docstring).
PADDING_NAMES = 64


def _padding_names() -> list[str]:
    # Distinct, incompressible-looking labels so no library shrinks the certificate.
    return [
        f"{hashlib.sha256(str(i).encode()).hexdigest()[:40]}.pad.conformance.test"
        for i in range(PADDING_NAMES)
    ]


@contextlib.contextmanager
def private_credentials() -> Iterator[Credentials]:
    """Credentials whose files live in a fresh private folder (0700, files 0600), removed after."""
    remove_orphaned_folders()
    folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{os.getpid()}-"))  # mkdtemp makes it 0700
    try:
        yield make_credentials(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_orphaned_folders() -> list[Path]:
    """Remove the private folders (ours) whose run has died; the folders removed."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(f"{FOLDER_PREFIX}*-*"):
        pid = folder.name[len(FOLDER_PREFIX) :].partition("-")[0]
        with contextlib.suppress(OSError):
            if pid.isdigit() and folder.stat().st_uid == os.getuid() and not _running(int(pid)):
                shutil.rmtree(folder)
                removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process: running
        return True
    return True


def _write_private(path: Path, blob: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(blob)


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
        _write_private(folder / name, blob)
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
