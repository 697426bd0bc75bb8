"""The adapter contract: the few steps the battery asks of a TLS library.

Design: an adapter turns behaviour-level steps into calls of one library.
The battery never sees the library: it holds opaque handles (contexts,
connections, sessions) and passes them back. The core (abstract methods) is
what every library can do and is enough for every black-box test; the
optional methods each belong to a ``Capability`` and are implemented only by
adapters that declare it. Bytes move in memory: the battery pumps what one
side ``take_outgoing`` returns into the other's ``put_incoming``.

Errors: map the library's exceptions onto the suite's error vocabulary
(``conformance.Refused``, ``HandshakeFailed``, ``NotObservable``, ...; see
``_errors``). A call the library rejects raises ``Refused`` with the library's
message; a failed handshake raises ``HandshakeFailed``.

Writing an adapter: subclass ``Adapter``, set ``name`` and ``capabilities``,
implement the abstract methods and the methods of each declared capability.
``conformance check ADAPTER`` tells you what is missing.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from ._capabilities import Capability
from ._configs import ProtocolConfig, Side
from ._errors import NotObservable

__all__ = ["CONTRACT_VERSION", "SERVER_NAME", "Adapter", "CallMapping", "Credentials", "Facts", "RawCall"]

#: Bumped when the contract changes in a way that breaks existing adapters.
CONTRACT_VERSION = 1
#: The name the server's certificate is made for (``Credentials.server_name``).
SERVER_NAME = "server.conformance.test"

Context = Any
Connection = Any
Session = Any


@dataclasses.dataclass(frozen=True)
class Credentials:
    """The server's certificate and key, and the CA the client trusts (made with trustme)."""

    #: The name the server's certificate is for; clients verify it.
    server_name: str
    ca_pem: bytes
    #: The server's certificate chain, leaf first, PEM.
    cert_chain_pem: bytes
    key_pem: bytes
    #: The same, as files, for libraries that load from paths.
    ca_file: Path
    cert_chain_file: Path
    key_file: Path
    #: DER length of the leaf certificate: a full handshake sends at least this many bytes.
    leaf_der_length: int


@dataclasses.dataclass(frozen=True)
class CallMapping:
    """For one clause, which call of the library stands for the documented one, and what that means.

    For libraries whose API is not OpenSSL's (GnuTLS, mbedTLS...): the report shows
    it in every cell of the clause, so a reader sees what was called.
    """

    #: The clause id (``use``, ``clear-with-null``...).
    clause: str
    #: The library's call(s) standing for the documented one ("gnutls_session_set_data").
    call: str
    #: What that means for the clause (what can be observed, what cannot, and why).
    meaning: str


@dataclasses.dataclass(frozen=True)
class Facts:
    """What an adapter says about itself; recorded with every result."""

    #: The library the adapter drives, and its version ("CPython ssl", "3.11.7").
    library: str
    library_version: str
    #: The TLS implementation underneath, and its version ("OpenSSL", "3.0.19").
    tls_library: str
    tls_library_version: str
    #: Anything a reader needs to trust the results: which file was loaded, which
    #: private bindings an observation uses, where a configuration differs.
    notes: tuple[str, ...] = ()
    #: Per clause, the library call that stands for the documented one (empty for
    #: libraries that have OpenSSL's calls themselves).
    mapping: tuple[CallMapping, ...] = ()
    #: The OpenSSL man pages the library is judged by ("1.1.1", "3.0"): clauses documented
    #: only by newer pages are marked "not documented for this version" and left out of the
    #: score. Empty means: OpenSSL's own version if ``tls_library`` is OpenSSL, else the newest.
    openssl_documentation: str = ""


@dataclasses.dataclass(frozen=True)
class RawCall:
    """The raw result of a C call: its return value and the error queue it left."""

    return_value: int
    #: One string per error-queue entry, oldest first (C: ERR_error_string_n).
    errors: tuple[str, ...]


class Adapter(abc.ABC):
    """Drives one TLS library for the battery. Subclass it; see the module docstring."""

    #: The adapter's name, as users type it (``--adapter NAME``).
    name: ClassVar[str]
    #: The observations this adapter can make beyond the core.
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    #: The contract version the adapter was written against. Required, with no default,
    #: so that an adapter written for an older contract is told, not run.
    contract_version: ClassVar[int]
    #: Known deviations of this library (a TOML file), or None.
    expectations_file: ClassVar[Path | None] = None
    #: The environment variable that points the adapter at another build of its library
    #: (``conformance run NAME --library PATH`` sets it), or None if it takes no build.
    build_variable: ClassVar[str | None] = None

    # -- about the adapter ---------------------------------------------------------
    @abc.abstractmethod
    def facts(self) -> Facts:
        """The library, its version, and the TLS library underneath."""

    # -- contexts and connections --------------------------------------------------
    @abc.abstractmethod
    def make_context(self, side: Side, config: ProtocolConfig, credentials: Credentials) -> Context:
        """A context for one side, honouring every field of ``config``.

        Clients verify the server's certificate against ``credentials.ca_pem`` for
        ``credentials.server_name``. Raise ``NotObservable`` naming the field if the
        library cannot build the configuration.
        """

    @abc.abstractmethod
    def make_connection(self, context: Context) -> Connection:
        """A new connection of ``context``, in memory, not yet started."""

    @abc.abstractmethod
    def do_handshake(self, connection: Connection) -> bool:
        """Advance the handshake: True once it is complete, False if it needs peer bytes."""

    @abc.abstractmethod
    def put_incoming(self, connection: Connection, data: bytes) -> None:
        """Hand bytes received from the peer to the connection."""

    @abc.abstractmethod
    def take_outgoing(self, connection: Connection) -> bytes:
        """Take every byte the connection has to send (b"" if none)."""

    @abc.abstractmethod
    def write(self, connection: Connection, data: bytes) -> None:
        """Send application data on a connection whose handshake is complete."""

    @abc.abstractmethod
    def read(self, connection: Connection) -> bytes:
        """Application data received so far (b"" if none yet).

        Also processes post-handshake messages, such as TLS 1.3 NewSessionTicket.
        """

    @abc.abstractmethod
    def shutdown(self, connection: Connection) -> None:
        """Send a close_notify (C: SSL_shutdown), without waiting for the peer's."""

    # -- the API under test --------------------------------------------------------
    @abc.abstractmethod
    def set_session(self, connection: Connection, session: Session | None) -> None:
        """Set ``session`` (None: no session) to be used by ``connection``.

        Pass what you are given to the library as it is, even if it is not a
        session: how the library answers wrong input is under test. Raise
        ``Refused`` if the library rejects the call.
        """

    @abc.abstractmethod
    def get_session(self, connection: Connection) -> Session | None:
        """The connection's session as a handle of the caller's own, or None.

        C: SSL_get1_session; the caller releases it with ``release``.
        """

    @abc.abstractmethod
    def release(self, handle: Context | Connection | Session) -> None:
        """Let go of the caller's handle (C: SSL_free, SSL_SESSION_free, SSL_CTX_free).

        Bindings with garbage collection drop the adapter's own references, if any;
        the battery drops its own and collects garbage.
        """

    # -- optional: one group per capability ----------------------------------------
    def session_reused(self, connection: Connection) -> bool:
        """REUSE_FLAG: the library's own report of whether the handshake resumed."""
        raise self._lacks(Capability.REUSE_FLAG)

    def session_id(self, session: Session) -> bytes:
        """SESSION_ID: the session's id."""
        raise self._lacks(Capability.SESSION_ID)

    def same_session(self, a: Session, b: Session) -> bool:
        """SESSION_IDENTITY: whether two handles are the very same session object."""
        raise self._lacks(Capability.SESSION_IDENTITY)

    def track_session(self, session: Session) -> Callable[[], bool]:
        """SESSION_LIFETIME: a probe that answers whether the session object was freed."""
        raise self._lacks(Capability.SESSION_LIFETIME)

    def cache_size(self, context: Context) -> int:
        """CACHE_SIZE: the number of sessions in the context's cache."""
        raise self._lacks(Capability.CACHE_SIZE)

    def cache_removals(self, context: Context) -> int:
        """CACHE_EVENTS: how many sessions the context's cache has removed so far."""
        raise self._lacks(Capability.CACHE_EVENTS)

    def flush_cache(self, context: Context) -> None:
        """CACHE_EVENTS: remove every session from the context's cache."""
        raise self._lacks(Capability.CACHE_EVENTS)

    def set_sent_shutdown(self, connection: Connection) -> None:
        """SENT_SHUTDOWN_FLAG: set the sent-shutdown state without sending anything."""
        raise self._lacks(Capability.SENT_SHUTDOWN_FLAG)

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        """RAW_RETURN: call set-session and return its raw result; never raise for a 0."""
        raise self._lacks(Capability.RAW_RETURN)

    def make_empty_session(self) -> Session:
        """EMPTY_SESSION: a new session object that no handshake filled in."""
        raise self._lacks(Capability.EMPTY_SESSION)

    # -- optional: reproducers -------------------------------------------------------
    @classmethod
    def write_reproducer(cls, scenario: Any) -> Any:
        """A standalone program replaying ``scenario`` (a ``conformance.Scenario``), or None.

        Return a ``conformance.Reproducer`` written in the library's own terms (a C
        program, a script importing only the library). None (the default) makes
        ``conformance reproduce`` write a Python script that drives this adapter
        directly, without the battery. Called on the class: the library need not load.
        """
        return None

    def _lacks(self, capability: Capability) -> NotObservable:
        return NotObservable(f"adapter {self.name!r} lacks capability {capability.value!r}")
