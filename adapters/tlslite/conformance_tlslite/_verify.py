"""The server-certificate check that tlslite leaves to its caller.

tlslite verifies no certificate by itself: a handshake takes a ``checker``,
a callable it calls with the connection when the handshake is done. This one
checks, with pyca/cryptography, that each certificate of the server's chain
is signed by the next one and the last by the test CA, that each is within
its validity period, and that the leaf names the server; it raises tlslite's
``TLSValidationError`` (which tlslite answers with an alert) when not.
"""

from __future__ import annotations

import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from tlslite.errors import TLSValidationError

__all__ = ["ServerCertificateCheck"]


class ServerCertificateCheck:
    def __init__(self, ca_pem: bytes, server_name: str) -> None:
        self._ca = x509.load_pem_x509_certificate(ca_pem)
        self._server_name = server_name

    def __call__(self, connection: object) -> None:
        if connection.resumed:  # type: ignore[attr-defined]
            return  # the session's certificate was verified when the session was made
        chain = connection.session.serverCertChain  # type: ignore[attr-defined]
        certificates = [x509.load_der_x509_certificate(bytes(c.bytes)) for c in chain.x509List]
        if not certificates:
            raise TLSValidationError("the server sent no certificate")
        try:
            self._verify_chain(certificates)
        except (ValueError, TypeError, InvalidSignature) as error:
            raise TLSValidationError(
                f"the server's certificate does not verify: {error or type(error).__name__}"
            ) from None
        self._verify_name(certificates[0])

    def _verify_chain(self, certificates: list[x509.Certificate]) -> None:
        now = datetime.datetime.now(datetime.UTC)
        for certificate, issuer in zip(certificates, [*certificates[1:], self._ca]):
            certificate.verify_directly_issued_by(issuer)
            if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
                raise ValueError(f"{certificate.subject.rfc4514_string()} is not valid now")

    def _verify_name(self, leaf: x509.Certificate) -> None:
        try:
            names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound:
            raise TLSValidationError("the server's certificate has no subject alternative names") from None
        if self._server_name not in names.get_values_for_type(x509.DNSName):
            raise TLSValidationError(f"the server's certificate is not for {self._server_name!r}")
