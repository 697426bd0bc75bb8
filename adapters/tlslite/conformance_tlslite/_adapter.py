"""The ``tlslite`` adapter: tlslite-ng, a TLS implementation in pure Python.

Design: tlslite speaks to sockets; here each connection wraps a
``MemorySocket`` over two byte buffers, and handshakes and reads run as
tlslite's generators (``handshakeClientCert(..., async_=True)``,
``handshakeServerAsync``, ``readAsync``), which yield 0 when they want the
peer's bytes; a generator that is waiting is kept and resumed on the next call.

The API under test does not exist in tlslite as a call: a session is an
argument of the client's handshake (``session=``). The adapter keeps the set
session on its connection object and hands it to the handshake when the
handshake starts, dropping its own reference then, so that what holds the
session afterwards is tlslite's doing. ``Facts.notes`` says this, and every
other place where a configuration or an observation is the adapter's rather
than tlslite's.
"""

from __future__ import annotations

import dataclasses
import os
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from conformance import (
    Adapter,
    Capability,
    Credentials,
    Facts,
    HandshakeFailed,
    LibraryUnavailable,
    NotObservable,
    ProtocolConfig,
    Refused,
    Side,
)

from ._memory_socket import MemorySocket

try:
    import tlslite
    from tlslite import HandshakeSettings, Session, SessionCache, TLSConnection
    from tlslite.errors import BaseTLSException
    from tlslite.utils.keyfactory import parsePEMKey
    from tlslite.x509certchain import X509CertChain

    from ._verify import ServerCertificateCheck
except ImportError as missing:  # the listing and the battery say so instead of failing
    _MISSING = f"{missing}; install tlslite-ng and cryptography (pip install tlslite-ng cryptography)"
else:
    _MISSING = ""

__all__ = ["TLSLiteAdapter"]

#: ProtocolConfig.tls_version -> tlslite's (major, minor).
_VERSIONS = {"1.2": (3, 3), "1.3": (3, 4)}
#: Ticket keys are 32 bytes for tlslite's default ticket cipher (aes256gcm).
_TICKET_KEY_LENGTH = 32
#: A handshake generator that yields "wants to write" this often without progress is stuck.
_MAX_STEPS = 1000

#: What this adapter cannot build, as (tls_version, tickets, server_cache) -> why.
_CANNOT_BUILD = {
    ("1.3", False, True): (
        "tlslite resumes TLS 1.3 sessions with tickets only; its SessionCache serves "
        "TLS 1.2 session ids, so a TLS 1.3 server cache without tickets cannot be built"
    ),
}

_NOTES = (
    "set_session: tlslite has no call that sets a session on a connection; a session is an "
    "argument of the client's handshake (handshakeClientCert(session=...)). The adapter keeps "
    "the set session on its connection object and passes it to the handshake when the handshake "
    "starts, then drops its own reference. Replacing or clearing it before the handshake is the "
    "adapter's own assignment; after the handshake it has no effect. On a server-side connection "
    "the session is kept and never used: handshakeServer takes no session. tlslite first looks at "
    "the session when the handshake starts; if it rejects it there (not a session, another server "
    "name), that is reported as a refusal of handshakeClientCert(session=...).",
    "get_session returns TLSConnection.session, which tlslite sets when a handshake completes "
    "(None before); a TLS 1.3 session becomes resumable when read() has taken its tickets.",
    "tlslite ignores an offered session that is not valid() (not resumable, or with neither an id "
    "nor a ticket) and does a full handshake; a connection that ends in an error marks its session "
    "not resumable. That is tlslite's own notion of an unusable session.",
    "The client verifies the server's certificate chain against the test CA for the server name "
    "with pyca/cryptography's verifier, run as tlslite's handshake checker: tlslite itself "
    "verifies no certificate.",
    "Certificate compression (RFC 8879) is off on both sides: tlslite compresses certificates by "
    "default, which would hide the certificate size the lab uses to tell full from resumed "
    "handshakes.",
    "tls12-sessionid: tlslite's client has no switch for session tickets and always sends an "
    "empty SessionTicket extension; the server has no ticket keys, so it issues no ticket and "
    "only the session id resumes.",
    "tls13: the server's SessionCache is passed to the handshake, but tlslite resumes TLS 1.3 "
    "with tickets only.",
    "session-lifetime is a weak reference to tlslite's Session object: it is freed when the last "
    "Python reference goes. cache-size is not declared: SessionCache has no call that counts its "
    "sessions.",
)


@dataclasses.dataclass
class _Context:
    side: Side
    settings: Any  # HandshakeSettings
    server_name: str
    #: Server side: the certificate chain, key and session cache. Client side: the checker.
    cert_chain: Any = None
    private_key: Any = None
    session_cache: Any = None
    checker: Callable[[Any], None] | None = None


@dataclasses.dataclass
class _Connection:
    context: _Context
    socket: MemorySocket
    tls: Any  # TLSConnection
    #: The set session, until the handshake starts and takes it.
    session_to_offer: Any = None
    #: Whether the client's handshake was given a session.
    offered: bool = False
    handshaker: Iterator[Any] | None = None
    handshake_done: bool = False
    #: Why the handshake failed, once it has: tlslite's generator is then spent.
    failure: str = ""
    #: A read waiting for the peer's bytes.
    reader: Iterator[Any] | None = None


def _describe(error: BaseException) -> str:
    """``Type: message``; some tlslite errors already put their type in their text."""
    text = str(error)
    return text if text.startswith(type(error).__name__) else f"{type(error).__name__}: {text}"


class TLSLiteAdapter(Adapter):
    """Drives tlslite-ng in memory."""

    name = "tlslite"
    contract_version = 1
    capabilities = frozenset(
        {
            Capability.REUSE_FLAG,
            Capability.SESSION_ID,
            Capability.SESSION_IDENTITY,
            Capability.SESSION_LIFETIME,
            Capability.EMPTY_SESSION,
        }
    )
    expectations_file = Path(__file__).with_name("expectations.toml")

    def __init__(self) -> None:
        if _MISSING:
            raise LibraryUnavailable(_MISSING)

    def facts(self) -> Facts:
        return Facts(
            library="tlslite-ng",
            library_version=tlslite.__version__,
            tls_library="tlslite-ng (pure Python)",
            tls_library_version=tlslite.__version__,
            notes=_NOTES,
        )

    # -- contexts and connections ------------------------------------------------------
    def make_context(self, side: Side, config: ProtocolConfig, credentials: Credentials) -> _Context:
        version = _VERSIONS.get(config.tls_version)
        if version is None:
            raise NotObservable(
                f"tlslite adapter: no TLS version {config.tls_version!r} (known: {sorted(_VERSIONS)})"
            )
        why = _CANNOT_BUILD.get((config.tls_version, config.tickets, config.server_cache))
        if why:
            raise NotObservable(f"{config.id}: {why}")
        settings = HandshakeSettings()
        settings.minVersion = settings.maxVersion = version
        settings.certificate_compression_send = []
        settings.certificate_compression_receive = []
        if side is Side.CLIENT:
            check = ServerCertificateCheck(credentials.ca_pem, credentials.server_name)
            return _Context(side, settings, credentials.server_name, checker=check)
        settings.ticketKeys = [bytearray(os.urandom(_TICKET_KEY_LENGTH))] if config.tickets else []
        chain = X509CertChain()
        chain.parsePemList(credentials.cert_chain_pem.decode("ascii"))
        return _Context(
            side,
            settings,
            credentials.server_name,
            cert_chain=chain,
            private_key=parsePEMKey(credentials.key_pem.decode("ascii"), private=True),
            session_cache=SessionCache() if config.server_cache else None,
        )

    def make_connection(self, context: _Context) -> _Connection:
        socket = MemorySocket()
        return _Connection(context, socket, TLSConnection(socket))

    def do_handshake(self, connection: _Connection) -> bool:
        if connection.handshake_done:
            return True
        if connection.failure:
            raise HandshakeFailed(connection.failure)
        if connection.handshaker is None:
            connection.handshaker = self._start_handshake(connection)
        try:
            for steps, want in enumerate(connection.handshaker):
                if want == 0:
                    return False  # wants the peer's bytes; the generator waits for the next call
                if steps > _MAX_STEPS:  # 1, "wants to write", cannot last: the socket never blocks
                    raise HandshakeFailed(f"tlslite's handshake made no progress in {_MAX_STEPS} steps")
        except BaseTLSException as error:
            connection.failure = _describe(error)
            raise HandshakeFailed(connection.failure) from error
        except (ValueError, TypeError, AttributeError) as error:
            connection.failure = _describe(error)
            self._raise_refused_offer(connection, error)
            raise
        connection.handshaker = None
        connection.handshake_done = True
        return True

    def _start_handshake(self, connection: _Connection) -> Iterator[Any]:
        context = connection.context
        if context.side is Side.SERVER:
            return connection.tls.handshakeServerAsync(
                certChain=context.cert_chain,
                privateKey=context.private_key,
                sessionCache=context.session_cache,
                settings=context.settings,
            )
        # The set session goes to tlslite now; the adapter keeps no reference of its own.
        session, connection.session_to_offer = connection.session_to_offer, None
        connection.offered = session is not None
        return connection.tls.handshakeClientCert(
            session=session,
            settings=context.settings,
            checker=context.checker,
            serverName=context.server_name,
            async_=True,
        )

    @staticmethod
    def _raise_refused_offer(connection: _Connection, error: Exception) -> None:
        """tlslite checks an offered session when the handshake starts: its rejection is a refusal."""
        if connection.offered:
            raise Refused("set_session (as handshakeClientCert(session=...))", _describe(error)) from error

    def put_incoming(self, connection: _Connection, data: bytes) -> None:
        connection.socket.incoming += data

    def take_outgoing(self, connection: _Connection) -> bytes:
        return connection.socket.take()

    def write(self, connection: _Connection, data: bytes) -> None:
        try:
            connection.tls.write(data)
        except BaseTLSException as error:
            raise HandshakeFailed(f"writing: {_describe(error)}") from error

    def read(self, connection: _Connection) -> bytes:
        if connection.tls.closed:
            return b""
        if connection.reader is None:
            connection.reader = connection.tls.readAsync()
        try:
            for result in connection.reader:
                if result == 0:
                    return b""  # waits for the peer's bytes; resumed on the next call
                if isinstance(result, bytes):
                    connection.reader = None
                    return result
        except BaseTLSException as error:
            connection.reader = None
            raise HandshakeFailed(f"reading: {_describe(error)}") from error
        connection.reader = None
        return b""

    def shutdown(self, connection: _Connection) -> None:
        # close() sends close_notify; with closeSocket (tlslite's default) it does not wait
        # for the peer's, and keeps the session resumable.
        try:
            connection.tls.close()
        except BaseTLSException as error:
            raise Refused("shutdown (as close())", _describe(error)) from error

    # -- the API under test ------------------------------------------------------------
    def set_session(self, connection: _Connection, session: Any) -> None:
        """Keep the session for the handshake (see the module docstring): tlslite has no setter."""
        connection.session_to_offer = session

    def get_session(self, connection: _Connection) -> Any:
        return connection.tls.session

    def release(self, handle: Any) -> None:
        """Drop what the adapter holds for a connection; Python frees the rest."""
        if isinstance(handle, _Connection):
            handle.session_to_offer = handle.handshaker = handle.reader = None

    # -- capabilities ------------------------------------------------------------------
    def session_reused(self, connection: _Connection) -> bool:
        return bool(connection.tls.resumed)

    def session_id(self, session: Any) -> bytes:
        identifier = bytes(session.sessionID)
        if not identifier:
            # An empty id would make every such session look alike to the battery.
            raise NotObservable(
                "tlslite keeps no id for this session (TLS 1.3 sessions, ticket-only TLS 1.2 "
                "sessions and empty ones have none)"
            )
        return identifier

    def same_session(self, a: Any, b: Any) -> bool:
        return a is b

    def track_session(self, session: Any) -> Callable[[], bool]:
        reference = weakref.ref(session)
        return lambda: reference() is None

    def make_empty_session(self) -> Any:
        return Session()
