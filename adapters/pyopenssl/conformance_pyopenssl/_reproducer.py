"""Reproducers over pyOpenSSL alone: the adapter's calls, written out for a script.

Design: ``conformance reproduce`` writes straight-line Python over an object
``A`` with the contract's methods (see ``conformance.python_reproducer``). For
pyOpenSSL, ``LIBRARY`` defines that object with pyOpenSSL and trustme only, the
same calls the adapter makes (``_adapter``, ``_bindings``, ``_errors``), so a
maintainer runs the script without the suite. Keep the two in step: the
adapter's own tests run both on the same tests and compare what they observe.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LIBRARY", "pyopenssl_reproducer"]

LIBRARY = '''
import OpenSSL
from OpenSSL import SSL
from OpenSSL._util import ffi, lib  # pyOpenSSL's own cffi bindings: the reuse flag, the id


def qualified(kind):
    return kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"


def library_text(error):
    if isinstance(error, SSL.Error) and error.args and isinstance(error.args[0], list):
        text = "; ".join(": ".join(part for part in entry if part) for entry in error.args[0])
        return f"{qualified(type(error))}: {text or '(empty error queue)'}"
    return f"{qualified(type(error))}: {error or '(no message)'}"


def refusing(call, function):
    """pyOpenSSL's rejection of a call (SSL.Error, ValueError, TypeError) is a refusal."""
    try:
        return function()
    except (SSL.Error, ValueError, TypeError) as error:
        raise Refused(call, library_text(error)) from error
    except AttributeError as error:
        raise LibraryFault(f"{call}: {qualified(type(error))}: {error}") from error


def failing(step, function):
    try:
        return function()
    except (SSL.WantReadError, SSL.WantWriteError, SSL.ZeroReturnError):
        raise
    except SSL.Error as error:
        raise HandshakeFailed(f"{step} failed: {library_text(error)}") from error


class Library:
    """The calls the suite's pyopenssl adapter makes, with pyOpenSSL alone."""

    def facts(self):
        linked = SSL.OpenSSL_version(SSL.OPENSSL_VERSION).decode()
        return Facts(f"pyOpenSSL {OpenSSL.__version__} over {linked}", "")

    def make_context(self, side, config, credentials):
        context = SSL.Context(SSL.TLS_METHOD)
        version = {"1.2": SSL.TLS1_2_VERSION, "1.3": SSL.TLS1_3_VERSION}[config.tls_version]
        context.set_min_proto_version(version)
        context.set_max_proto_version(version)
        context.set_options(0 if config.tickets else SSL.OP_NO_TICKET)
        if side is Side.SERVER:
            context.use_certificate_chain_file(str(credentials.cert_chain_file))
            context.use_privatekey_file(str(credentials.key_file))
            context.check_privatekey()
            context.set_session_id(b"ssl-set-session-conformance")
            context.set_session_cache_mode(SSL.SESS_CACHE_SERVER if config.server_cache else SSL.SESS_CACHE_OFF)
        else:
            context.load_verify_locations(str(credentials.ca_file))
            context.set_verify(SSL.VERIFY_PEER)
            name = credentials.server_name.encode("ascii")
            lib.X509_VERIFY_PARAM_set1_host(lib.SSL_CTX_get0_param(context._context), name, len(name))
        return (context, side)

    def make_connection(self, context):
        tls, side = context
        connection = SSL.Connection(tls, None)
        if side is Side.SERVER:
            connection.set_accept_state()
        else:
            connection.set_connect_state()
            connection.set_tlsext_host_name(b"server.conformance.test")
        return connection

    def do_handshake(self, connection):
        try:
            failing("the handshake", connection.do_handshake)
        except SSL.WantReadError:
            return False
        return True

    def put_incoming(self, connection, data):
        connection.bio_write(data)

    def take_outgoing(self, connection):
        chunks = []
        while True:
            try:
                chunk = connection.bio_read(65536)
            except SSL.WantReadError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def write(self, connection, data):
        failing("writing application data", lambda: connection.sendall(data))

    def read(self, connection):
        chunks = []
        while True:
            try:
                chunk = failing("reading application data", lambda: connection.recv(65536))
            except (SSL.WantReadError, SSL.ZeroReturnError):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def shutdown(self, connection):
        refusing("shutdown", connection.shutdown)

    def set_session(self, connection, session):
        refusing("set_session", lambda: connection.set_session(session))

    def get_session(self, connection):
        return connection.get_session()

    def release(self, handle):
        pass  # pyOpenSSL frees through cffi's gc when the last reference goes

    def session_reused(self, connection):
        return lib.SSL_session_reused(connection._ssl) == 1

    def session_id(self, session):
        pointer = getattr(session, "_session", None)
        if pointer is None or pointer == ffi.NULL:
            return b""
        length = lib.i2d_SSL_SESSION(pointer, ffi.NULL)
        buffer = ffi.new("unsigned char[]", length)
        lib.i2d_SSL_SESSION(pointer, ffi.new("unsigned char **", buffer))
        der = bytes(ffi.buffer(buffer, length))
        offset = element(der, 0)[0]  # into the SEQUENCE
        for _ in range(3):  # past version, ssl_version, cipher
            content, size = element(der, offset)
            offset = content + size
        content, size = element(der, offset)  # the session id
        return der[content : content + size]

    def same_session(self, a, b):
        first, second = getattr(a, "_session", None), getattr(b, "_session", None)
        if first is None or second is None or first == ffi.NULL or second == ffi.NULL:
            return a is b
        return first == second

    def set_sent_shutdown(self, connection):
        connection.set_shutdown(connection.get_shutdown() | SSL.SENT_SHUTDOWN)

    def make_empty_session(self):
        return SSL.Session()


def element(der, offset):
    """Where the content of the DER element at ``offset`` starts, and its length."""
    first = der[offset + 1]
    if first < 0x80:
        return offset + 2, first
    count = first & 0x7F
    return offset + 2 + count, int.from_bytes(der[offset + 2 : offset + 2 + count], "big")
'''


def pyopenssl_reproducer(scenario: Any) -> Any:
    """A script over pyOpenSSL and trustme alone."""
    from conformance import python_reproducer

    return python_reproducer(scenario, LIBRARY, needs="pyOpenSSL and trustme")
