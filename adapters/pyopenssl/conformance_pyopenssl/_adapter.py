"""The adapter class: ``OpenSSL.SSL.Connection`` in memory-BIO mode.

Design: a ``ProtocolConfig`` becomes a ``Context`` through the tables below
(pinned version, tickets, the server's cache mode); every TLS step is a
public pyOpenSSL call; observations pyOpenSSL does not offer publicly come
from ``_bindings``; rejections become the suite's errors in ``_errors``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, cast

import OpenSSL
from OpenSSL import SSL

from conformance import Adapter, Capability, Credentials, Facts, NotObservable, ProtocolConfig, Side

from . import _bindings
from ._errors import handshake_failures, refusals

__all__ = ["PyOpenSSLAdapter"]

#: The protocol version a configuration pins, as both minimum and maximum.
_VERSIONS: dict[str, int] = {"1.2": SSL.TLS1_2_VERSION, "1.3": SSL.TLS1_3_VERSION}
#: The server's session cache, on or off (SSL_CTX_set_session_cache_mode).
_SERVER_CACHE_MODES: dict[bool, int] = {True: SSL.SESS_CACHE_SERVER, False: SSL.SESS_CACHE_OFF}
#: Options for session tickets, on or off, set on both sides.
_TICKET_OPTIONS: dict[bool, int] = {True: 0, False: SSL.OP_NO_TICKET}
#: The server's session id context: OpenSSL resumes a cached session only within it.
_SESSION_ID_CONTEXT = b"ssl-set-session-conformance"
#: Bytes taken from a memory BIO or the TLS layer per call.
_CHUNK = 65536
#: What ``Facts.notes`` says besides the OpenSSL build and the private bindings.
_NOTES: tuple[str, ...] = (
    "memory BIOs: Connection(context, None), bio_write/bio_read",
    "Connection.set_session refuses, before OpenSSL sees the call: anything that is not a "
    "Session (TypeError), a Session of another Context (ValueError)",
    "empty-session: the public OpenSSL.SSL.Session(); in this pyOpenSSL it holds no SSL_SESSION at all",
    "sent-shutdown-flag: the public Connection.set_shutdown(get_shutdown() | SENT_SHUTDOWN)",
    f"servers: session id context {_SESSION_ID_CONTEXT.decode()!r} in every configuration",
    *_bindings.NOTES,
)


@dataclasses.dataclass
class _Context:
    tls: SSL.Context
    side: Side
    server_name: str


class PyOpenSSLAdapter(Adapter):
    """Drives pyOpenSSL's ``Connection`` over memory BIOs."""

    name = "pyopenssl"
    contract_version = 1
    capabilities = frozenset(
        {
            Capability.REUSE_FLAG,
            Capability.SESSION_ID,
            Capability.SESSION_IDENTITY,
            Capability.SENT_SHUTDOWN_FLAG,
            Capability.EMPTY_SESSION,
        }
    )
    expectations_file = Path(__file__).with_name("expectations.toml")

    def facts(self) -> Facts:
        linked = SSL.OpenSSL_version(SSL.OPENSSL_VERSION).decode()  # "OpenSSL 4.0.3 29 Sep 2026"
        tls_name, _, rest = linked.partition(" ")
        return Facts(
            library="pyOpenSSL",
            library_version=OpenSSL.__version__,
            tls_library=tls_name,
            tls_library_version=rest.split(" ")[0],
            notes=(f"OpenSSL as linked into cryptography's bindings: {linked}", *_NOTES),
        )

    # -- contexts and connections --------------------------------------------------
    def make_context(self, side: Side, config: ProtocolConfig, credentials: Credentials) -> _Context:
        version = _VERSIONS.get(config.tls_version)
        if version is None:
            raise NotObservable(f"pyopenssl cannot pin TLS version {config.tls_version!r}")
        context = SSL.Context(SSL.TLS_METHOD)
        context.set_min_proto_version(version)
        context.set_max_proto_version(version)
        context.set_options(_TICKET_OPTIONS[config.tickets])
        if side is Side.SERVER:
            _serve(context, config, credentials)
        else:
            _verify(context, credentials)
        return _Context(context, side, credentials.server_name)

    def make_connection(self, context: _Context) -> SSL.Connection:
        connection = SSL.Connection(context.tls, None)
        if context.side is Side.SERVER:
            connection.set_accept_state()
        else:
            connection.set_connect_state()
            connection.set_tlsext_host_name(context.server_name.encode("ascii"))
        return connection

    def do_handshake(self, connection: SSL.Connection) -> bool:
        try:
            with handshake_failures("the handshake", lambda: _bindings.verify_failure(connection)):
                connection.do_handshake()
        except SSL.WantReadError:  # a flow signal: the handshake needs the peer's bytes
            return False
        return True

    def put_incoming(self, connection: SSL.Connection, data: bytes) -> None:
        connection.bio_write(data)

    def take_outgoing(self, connection: SSL.Connection) -> bytes:
        chunks = []
        while True:
            try:
                chunk = connection.bio_read(_CHUNK)
            except SSL.WantReadError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def write(self, connection: SSL.Connection, data: bytes) -> None:
        with handshake_failures("writing application data"):
            connection.sendall(data)

    def read(self, connection: SSL.Connection) -> bytes:
        chunks = []
        while True:
            try:
                with handshake_failures("reading application data"):
                    chunk = connection.recv(_CHUNK)  # also reads TLS 1.3 NewSessionTickets
            except (SSL.WantReadError, SSL.ZeroReturnError):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)

    def shutdown(self, connection: SSL.Connection) -> None:
        with refusals("shutdown"):
            connection.shutdown()  # False: close_notify sent, the peer's not yet read

    # -- the API under test --------------------------------------------------------
    def set_session(self, connection: SSL.Connection, session: object) -> None:
        with refusals("set_session"):
            # As given, whatever it is: the battery hands wrong objects on purpose.
            connection.set_session(cast(SSL.Session, session))

    def get_session(self, connection: SSL.Connection) -> SSL.Session | None:
        return connection.get_session()

    def release(self, handle: object) -> None:
        """Nothing to free: pyOpenSSL frees through cffi's gc when the last reference goes."""

    # -- capabilities ----------------------------------------------------------------
    def session_reused(self, connection: SSL.Connection) -> bool:
        return _bindings.session_reused(connection)

    def session_id(self, session: SSL.Session) -> bytes:
        return _bindings.session_id(session)

    def same_session(self, a: SSL.Session, b: SSL.Session) -> bool:
        return _bindings.same_session(a, b)

    def set_sent_shutdown(self, connection: SSL.Connection) -> None:
        connection.set_shutdown(connection.get_shutdown() | SSL.SENT_SHUTDOWN)

    def make_empty_session(self) -> SSL.Session:
        return SSL.Session()

    # -- reproducers -----------------------------------------------------------------
    @classmethod
    def write_reproducer(cls, scenario: Any) -> Any:
        """A script over pyOpenSSL and trustme alone (``_reproducer``); None for a subclass."""
        if cls is not PyOpenSSLAdapter:
            return None
        from ._reproducer import pyopenssl_reproducer

        return pyopenssl_reproducer(scenario)


def _serve(context: SSL.Context, config: ProtocolConfig, credentials: Credentials) -> None:
    context.use_certificate_chain_file(str(credentials.cert_chain_file))
    context.use_privatekey_file(str(credentials.key_file))
    context.check_privatekey()
    context.set_session_id(_SESSION_ID_CONTEXT)
    context.set_session_cache_mode(_SERVER_CACHE_MODES[config.server_cache])


def _verify(context: SSL.Context, credentials: Credentials) -> None:
    context.load_verify_locations(str(credentials.ca_file))
    context.set_verify(SSL.VERIFY_PEER)
    _bindings.require_host_name(context, credentials.server_name)
