"""What pyOpenSSL's public API does not offer, through its private cffi bindings.

Design: every use of ``OpenSSL._util.lib`` (the cffi bindings of the OpenSSL
inside ``cryptography``) and of pyOpenSSL's private attributes
(``Context._context``, ``Connection._ssl``, ``Session._session``) lives in this
module, so a reader sees at once what the results rest on. ``NOTES`` says the
same in words; it goes into ``Facts.notes`` with every result.

What the bindings do not offer (checked against the installed version),
hence capabilities the adapter leaves out or observes another way:
SSL_SESSION_get_id (session-id is read instead from the session's own ASN.1
encoding, i2d_SSL_SESSION, whose fourth field is the session id),
SSL_CTX_ctrl / SSL_CTX_sess_number (cache-size), a remove callback and
SSL_CTX_flush_sessions (cache-events), SSL_SESSION ex_data (session-lifetime).
pyOpenSSL's ``Connection.set_session`` drops SSL_set_session's int after
asserting it is 1, so its raw return cannot be seen (raw-return); calling
``lib.SSL_set_session`` directly would skip pyOpenSSL's own checks and so
observe OpenSSL rather than pyOpenSSL.
"""

from __future__ import annotations

from typing import Any

from OpenSSL import SSL
from OpenSSL._util import ffi, lib, text

__all__ = [
    "NOTES",
    "require_host_name",
    "same_session",
    "session_id",
    "session_reused",
    "verify_failure",
]

NOTES: tuple[str, ...] = (
    "reuse-flag: lib.SSL_session_reused(Connection._ssl) through pyOpenSSL's private cffi "
    "bindings (OpenSSL._util.lib); pyOpenSSL has no public reuse flag",
    "session-identity: equality of the SSL_SESSION pointers Session._session (private); "
    "Connection.get_session returns a new Session object on every call (SSL_get1_session)",
    "host name: clients verify the chain (Context.set_verify(VERIFY_PEER), public) and the "
    "name with OpenSSL's own check, X509_VERIFY_PARAM_set1_host on "
    "lib.SSL_CTX_get0_param(Context._context) (private: pyOpenSSL has no public host-name "
    "check); SNI is sent with the public Connection.set_tlsext_host_name",
    "handshake failures name the certificate verification error where there is one "
    "(lib.SSL_get_verify_result, X509_verify_cert_error_string; private)",
    "session-id: the session_id field of the session's ASN.1 encoding (lib.i2d_SSL_SESSION, "
    "private): the bindings lack SSL_SESSION_get_id",
    "not declared: cache-size and "
    "cache-events (no SSL_CTX_ctrl, remove callback or SSL_CTX_flush_sessions), "
    "session-lifetime (no SSL_SESSION ex_data), raw-return (Connection.set_session "
    "discards SSL_set_session's int after asserting it is 1)",
)


def session_reused(connection: SSL.Connection) -> bool:
    """SSL_session_reused on the connection's SSL object."""
    return lib.SSL_session_reused(connection._ssl) == 1


def _pointer(session: object) -> Any:
    """The SSL_SESSION a pyOpenSSL Session holds, or None (``SSL.Session()`` holds none)."""
    pointer = getattr(session, "_session", None)
    return None if pointer is None or pointer == ffi.NULL else pointer


def session_id(session: object) -> bytes:
    """The session id, read from the SSL_SESSION's DER encoding (OpenSSL's ssl_asn1.c).

    The encoding is SEQUENCE { version INTEGER, ssl_version INTEGER, cipher OCTET
    STRING, session_id OCTET STRING, ... }; the fourth element is the id.
    """
    pointer = _pointer(session)
    if pointer is None:
        return b""  # SSL.Session() holds no SSL_SESSION: it has no id
    length = lib.i2d_SSL_SESSION(pointer, ffi.NULL)
    buffer = ffi.new("unsigned char[]", length)
    cursor = ffi.new("unsigned char **", buffer)
    lib.i2d_SSL_SESSION(pointer, cursor)
    der = bytes(ffi.buffer(buffer, length))
    offset, _ = _der_element(der, 0, expected_tag=0x30)  # into the SEQUENCE
    for tag in (0x02, 0x02, 0x04):  # past version, ssl_version, cipher
        content, size = _der_element(der, offset, expected_tag=tag)
        offset = content + size
    content, size = _der_element(der, offset, expected_tag=0x04)
    return der[content : content + size]


def _der_element(der: bytes, offset: int, expected_tag: int) -> tuple[int, int]:
    """Where the content of the DER element at ``offset`` starts, and its length."""
    if der[offset] != expected_tag:
        seen = der[offset]
        raise ValueError(
            f"SSL_SESSION encoding: expected tag {expected_tag:#x} at byte {offset}, saw {seen:#x}"
        )
    first = der[offset + 1]
    if first < 0x80:
        return offset + 2, first
    count = first & 0x7F
    return offset + 2 + count, int.from_bytes(der[offset + 2 : offset + 2 + count], "big")


def same_session(a: object, b: object) -> bool:
    """Whether two handles hold the very same SSL_SESSION object."""
    first, second = _pointer(a), _pointer(b)
    if first is None or second is None:
        return a is b  # a Session with no SSL_SESSION is only itself
    return first == second


def require_host_name(context: SSL.Context, name: str) -> None:
    """Make every connection of ``context`` check the peer's certificate for ``name``."""
    encoded = name.encode("ascii")
    param = lib.SSL_CTX_get0_param(context._context)
    if lib.X509_VERIFY_PARAM_set1_host(param, encoded, len(encoded)) != 1:
        raise RuntimeError(f"OpenSSL did not accept {name!r} as the host name to verify")


#: X509_V_OK: the certificate was verified, or not checked at all.
_VERIFIED = 0


def verify_failure(connection: SSL.Connection) -> str | None:
    """Why the peer's certificate was not accepted, in OpenSSL's words, or None."""
    code = lib.SSL_get_verify_result(connection._ssl)
    if code == _VERIFIED:
        return None
    return f"certificate verification: {text(lib.X509_verify_cert_error_string(code))}"
