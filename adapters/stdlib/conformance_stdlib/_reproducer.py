"""Reproducers over CPython's ``ssl`` alone: the adapter's calls, written out for a script.

Design: ``conformance.python_reproducer`` writes straight-line Python over an
object with the contract's methods; ``LIBRARY`` defines it with ``ssl`` (and
trustme for the certificate) only, making the same calls as ``StdlibAdapter``,
so the script runs without the suite. Keep the two in step.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LIBRARY", "stdlib_reproducer"]

LIBRARY = '''
import platform
import ssl

VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


class Library:
    """The calls the suite's stdlib adapter makes, with CPython's ssl module alone."""

    def facts(self):
        return Facts(f"CPython {platform.python_version()} ssl over", ssl.OPENSSL_VERSION)

    def make_context(self, side, config, credentials):
        if side is Side.SERVER:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(credentials.cert_chain_file, credentials.key_file)
        else:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.load_verify_locations(cadata=credentials.ca_pem.decode("ascii"))
        context.minimum_version = context.maximum_version = VERSIONS[config.tls_version]
        if not config.tickets:
            context.options |= ssl.OP_NO_TICKET
        return (context, side)

    def make_connection(self, context):
        ssl_context, side = context
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        server_side = side is Side.SERVER
        tls = ssl_context.wrap_bio(
            incoming, outgoing, server_side=server_side,
            server_hostname=None if server_side else "server.conformance.test",
        )
        return (tls, incoming, outgoing)

    def do_handshake(self, connection):
        try:
            connection[0].do_handshake()
        except ssl.SSLWantReadError:
            return False
        except ssl.SSLError as error:
            raise HandshakeFailed(f"{type(error).__name__}: {error}") from error
        return True

    def put_incoming(self, connection, data):
        connection[1].write(data)

    def take_outgoing(self, connection):
        return connection[2].read()

    def write(self, connection, data):
        connection[0].write(data)

    def read(self, connection):
        try:
            return connection[0].read(65536)
        except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):
            return b""

    def shutdown(self, connection):
        try:
            connection[0].unwrap()
        except ssl.SSLWantReadError:
            pass  # close_notify is sent; the peer's has not arrived, which is fine

    def set_session(self, connection, session):
        try:
            connection[0].session = session
        except (ValueError, TypeError, ssl.SSLError) as error:
            raise Refused("set_session", f"{type(error).__name__}: {error}") from error

    def get_session(self, connection):
        return connection[0].session

    def release(self, handle):
        pass  # CPython frees on the last reference

    def session_reused(self, connection):
        return connection[0].session_reused

    def session_id(self, session):
        return session.id

    def cache_size(self, context):
        return context[0].session_stats()["number"]
'''


def stdlib_reproducer(scenario: Any) -> Any:
    """A script over CPython's ssl and trustme alone."""
    from conformance import python_reproducer

    return python_reproducer(scenario, LIBRARY, needs="Python 3 and trustme")
