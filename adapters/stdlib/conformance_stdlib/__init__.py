"""The ``stdlib`` adapter: CPython's ``ssl`` module, ``SSLObject`` over ``MemoryBIO``.

Every call here is public ``ssl`` API. CPython refuses some documented calls
on purpose (a session on a server-side object, after the handshake, or from
another context); those surface as ``Refused`` with CPython's own message.
"""

from __future__ import annotations

import dataclasses
import platform
import ssl
from pathlib import Path
from typing import Any

from conformance import (
    Adapter,
    Capability,
    Credentials,
    Facts,
    HandshakeFailed,
    NotObservable,
    ProtocolConfig,
    Refused,
    Side,
)

__all__ = ["StdlibAdapter"]

_VERSIONS = {"1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


@dataclasses.dataclass
class _Context:
    ssl_context: ssl.SSLContext
    side: Side
    server_name: str


@dataclasses.dataclass
class _Connection:
    tls: ssl.SSLObject
    incoming: ssl.MemoryBIO
    outgoing: ssl.MemoryBIO


class StdlibAdapter(Adapter):
    """Drives CPython's ``ssl`` module in memory."""

    name = "stdlib"
    contract_version = 1
    capabilities = frozenset({Capability.REUSE_FLAG, Capability.SESSION_ID, Capability.CACHE_SIZE})
    expectations_file = Path(__file__).with_name("expectations.toml")

    def facts(self) -> Facts:
        tls_name, _, tls_version = ssl.OPENSSL_VERSION.partition(" ")
        return Facts(
            library="CPython ssl",
            library_version=platform.python_version(),
            tls_library=tls_name,
            tls_library_version=tls_version.split(" ")[0],
            notes=(
                f"linked with {ssl.OPENSSL_VERSION}",
                "tls12-ticket: CPython has no call to turn the server's session cache off, "
                "so it stays on; sessions issued with a ticket get no cacheable id, so only "
                "the ticket resumes",
            ),
        )

    def make_context(self, side: Side, config: ProtocolConfig, credentials: Credentials) -> _Context:
        if side is Side.SERVER:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(credentials.cert_chain_file, credentials.key_file)
        else:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.load_verify_locations(cadata=credentials.ca_pem.decode("ascii"))
        version = _VERSIONS.get(config.tls_version)
        if version is None:
            raise NotObservable(f"stdlib cannot pin TLS version {config.tls_version!r}")
        context.minimum_version = context.maximum_version = version
        if not config.tickets:
            context.options |= ssl.OP_NO_TICKET
        return _Context(context, side, credentials.server_name)

    def make_connection(self, context: _Context) -> _Connection:
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        server_side = context.side is Side.SERVER
        tls = context.ssl_context.wrap_bio(
            incoming,
            outgoing,
            server_side=server_side,
            server_hostname=None if server_side else context.server_name,
        )
        return _Connection(tls, incoming, outgoing)

    def do_handshake(self, connection: _Connection) -> bool:
        try:
            connection.tls.do_handshake()
        except ssl.SSLWantReadError:
            return False
        except ssl.SSLError as error:
            raise HandshakeFailed(f"{type(error).__name__}: {error}") from error
        return True

    def put_incoming(self, connection: _Connection, data: bytes) -> None:
        connection.incoming.write(data)

    def take_outgoing(self, connection: _Connection) -> bytes:
        return connection.outgoing.read()

    def write(self, connection: _Connection, data: bytes) -> None:
        connection.tls.write(data)

    def read(self, connection: _Connection) -> bytes:
        try:
            return connection.tls.read(65536)
        except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):
            return b""

    def shutdown(self, connection: _Connection) -> None:
        try:
            connection.tls.unwrap()
        except ssl.SSLWantReadError:
            pass  # close_notify is sent; the peer's has not arrived, which is fine

    def set_session(self, connection: _Connection, session: ssl.SSLSession | None) -> None:
        try:
            connection.tls.session = session
        except (ValueError, TypeError, ssl.SSLError) as error:
            raise Refused("set_session", f"{type(error).__name__}: {error}") from error

    def get_session(self, connection: _Connection) -> ssl.SSLSession | None:
        return connection.tls.session

    def release(self, handle: object) -> None:
        """Nothing to free: CPython frees on the last reference, which the battery drops."""

    def session_reused(self, connection: _Connection) -> bool:
        return connection.tls.session_reused

    def session_id(self, session: ssl.SSLSession) -> bytes:
        return session.id

    def cache_size(self, context: _Context) -> int:
        return context.ssl_context.session_stats()["number"]

    @classmethod
    def write_reproducer(cls, scenario: Any) -> Any:
        """A script over CPython's ssl and trustme alone (``_reproducer``); None for a subclass."""
        if cls is not StdlibAdapter:
            return None
        from ._reproducer import stdlib_reproducer

        return stdlib_reproducer(scenario)
