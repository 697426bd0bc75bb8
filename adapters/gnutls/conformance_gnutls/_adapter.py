"""The gnutls adapter: GnuTLS's own resumption calls, in memory, through ctypes.

Design: GnuTLS has no context object; a gnutls_session_t is the connection.
A "context" of this adapter is what every connection of it gets: a
certificate credentials structure, a priority string pinning the TLS version,
on a server the ticket key (``gnutls_session_ticket_enable_server``) and the
session database (``gnutls_db_set_*_function``), on a client the CA and the
name to verify. A session is what GnuTLS hands out: serialized session data
(``gnutls_session_get_data2``), copied into a handle of the caller's own.

Transport, data and release are the shared ``InMemoryAdapter``'s: push and
pull callbacks over two byte buffers per connection; an empty buffer answers
EAGAIN (``gnutls_transport_set_errno``) and the session is non-blocking
(``GNUTLS_NONBLOCK``). The server's session database is the application's
storage by GnuTLS's design: here a dict per context, which GnuTLS fills, reads
and empties through its callbacks (the retrieve callback returns a structure
by value, made with ``_ffi``).
"""

from __future__ import annotations

import ctypes
from pathlib import Path
from typing import Any, ClassVar

from conformance_libssl.native import (
    BufferedConnection,
    Handle,
    InMemoryAdapter,
    SharedContext,
    caller_session,
)

from conformance import (
    AdapterError,
    Capability,
    Credentials,
    Facts,
    NotObservable,
    ProtocolConfig,
    Refused,
    Side,
)

from . import _library as g
from ._ffi import StructReturningCallback, ffi_available
from ._mapping import MAPPING, NOTES

__all__ = ["GnutlsAdapter"]

PRIORITIES = {"1.2": b"NORMAL:-VERS-ALL:+VERS-TLS1.2", "1.3": b"NORMAL:-VERS-ALL:+VERS-TLS1.3"}


class Context(SharedContext):
    c_type = "gnutls_certificate_credentials_st"
    ticket_key: g.Datum | None = None
    database: dict[bytes, bytes] | None = None


class Connection(BufferedConnection):
    c_type = "gnutls_session_int"
    context: Context
    #: GnuTLS keeps the pointer to the name it verifies for the session's life: this holds it.
    verified_name = b""


class SessionData(Handle):
    c_type = "gnutls_datum_t"

    def __init__(self, owner: object, data: bytes) -> None:
        super().__init__(owner, id(self))
        self.data = data


class GnutlsAdapter(InMemoryAdapter):
    """GnuTLS (Debian's libgnutls30) through its own calls: set_data, get_data2, is_resumed."""

    name = "gnutls"
    build_variable = g.BUILD_VARIABLE
    contract_version = 1
    capabilities = frozenset({Capability.REUSE_FLAG})
    expectations_file = Path(__file__).with_name("expectations.toml")
    waiting = frozenset({g.GNUTLS_E_AGAIN, g.GNUTLS_E_INTERRUPTED})
    c_names: ClassVar[dict[str, str]] = {
        "handshake": "gnutls_handshake",
        "write": "gnutls_record_send",
        "read": "gnutls_record_recv",
        "shutdown": "gnutls_bye(GNUTLS_SHUT_WR)",
    }

    def __init__(self) -> None:
        super().__init__()
        self._library, self.api = g.open_gnutls()
        symbols = self._library.ssl
        self._gnutls_free = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(symbols.pointer_variable("gnutls_free"))
        self._malloc = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_size_t)(
            symbols.pointer_variable("gnutls_malloc")
        )
        self._contexts: dict[int, Context] = {}
        # Kept as long as the adapter: GnuTLS holds these function pointers.
        self._push = g.PUSH(self._pushed)
        self._pull = g.PULL(self._pulled_or_eagain)
        self._pull_timeout = g.PULL_TIMEOUT(self._waiting)
        self._store = g.DB_STORE(self._stored)
        self._remove = g.DB_REMOVE(self._removed)
        self._retrieve = StructReturningCallback(g.Datum, self._retrieved) if not ffi_available() else None

    def facts(self) -> Facts:
        version = (self.api.check_version(None) or b"?").decode()
        called = ("gnutls_check_version(NULL)", version)
        return self._library_facts(self._library, "GnuTLS", called, g.PACKAGE, NOTES, MAPPING)

    # -- contexts and connections -----------------------------------------------------
    def make_context(self, side: Side, config: ProtocolConfig, credentials: Credentials) -> Context:
        if config.tls_version not in PRIORITIES:
            raise NotObservable(f"GnuTLS: no TLS version {config.tls_version!r} (tls_version)")
        if side is Side.SERVER and config.server_cache and self._retrieve is None:
            raise NotObservable(
                f"GnuTLS's server session database needs a retrieve callback returning a structure, "
                f"which needs libffi here: {ffi_available()} (server_cache)"
            )
        pointer = ctypes.c_void_p()
        self._ok(self.api.cred_allocate(ctypes.byref(pointer)), "gnutls_certificate_allocate_credentials")
        context = Context(self, pointer.value or 0, side, config, credentials.server_name)
        pem = g.GNUTLS_X509_FMT_PEM
        if side is Side.SERVER:
            chain, key = _path(credentials.cert_chain_file), _path(credentials.key_file)
            loaded = self.api.cred_key_file(context.address, chain, key, pem)
            self._ok(loaded, "gnutls_certificate_set_x509_key_file")
            if config.tickets:
                context.ticket_key = g.Datum()
                self._ok(self.api.ticket_key_generate(ctypes.byref(context.ticket_key)), "ticket key")
            if config.server_cache:
                context.database = {}
        else:
            count = self.api.cred_trust_file(context.address, _path(credentials.ca_file), pem)
            if count < 1:
                raise AdapterError(f"gnutls_certificate_set_x509_trust_file loaded {count} CA certificates")
        self._contexts[context.key] = context
        return context

    def make_connection(self, context: Context) -> Connection:
        self._own(context, Context)
        flags = g.GNUTLS_NONBLOCK
        if context.side is Side.SERVER:
            flags |= g.GNUTLS_SERVER
        else:
            flags |= g.GNUTLS_CLIENT | (0 if context.config.tickets else g.GNUTLS_NO_TICKETS)
        pointer = ctypes.c_void_p()
        self._ok(self.api.init(ctypes.byref(pointer), flags), "gnutls_init")
        connection = Connection(self, pointer.value or 0, context)
        session = connection.address
        priority = PRIORITIES[context.config.tls_version]
        self._ok(self.api.priority_set_direct(session, priority, None), "gnutls_priority_set_direct")
        self._ok(self.api.credentials_set(session, g.GNUTLS_CRD_CERTIFICATE, context.address), "credentials")
        self.api.transport_set_ptr(session, connection.key)
        self.api.transport_set_push(session, self._push)
        self.api.transport_set_pull(session, self._pull)
        self.api.transport_set_pull_timeout(session, self._pull_timeout)
        if context.side is Side.SERVER:
            self._serve(connection)
        else:
            connection.verified_name = name = context.server_name.encode("ascii")
            self._ok(self.api.server_name_set(session, g.GNUTLS_NAME_DNS, name, len(name)), "server name")
            self.api.set_verify_cert(session, name, 0)
        self._register(connection)
        return connection

    def _serve(self, connection: Connection) -> None:
        context, session = connection.context, connection.address
        if context.ticket_key is not None:
            self._ok(self.api.ticket_enable_server(session, ctypes.byref(context.ticket_key)), "tickets")
        if context.database is not None and self._retrieve is not None:
            self.api.db_set_retrieve(session, self._retrieve.address)
            self.api.db_set_store(session, self._store)
            self.api.db_set_remove(session, self._remove)
            self.api.db_set_ptr(session, context.key)

    def _close(self, address: int) -> int:
        return int(self.api.bye(address, g.GNUTLS_SHUT_WR))

    # -- the API under test -----------------------------------------------------------
    def set_session(self, connection: Connection, session: SessionData | None) -> None:
        self._own(connection, Connection)
        if session is None:
            result = self.api.session_set_data(connection.address, None, 0)
            call = "gnutls_session_set_data(session, NULL, 0)"
        else:
            takes = "gnutls_session_set_data takes session data (const void *, size_t)"
            data = caller_session(session, SessionData, self, self.name, takes).data
            result = self.api.session_set_data(connection.address, data, len(data))
            call = f"gnutls_session_set_data(session, data, {len(data)})"
        if result != g.GNUTLS_E_SUCCESS:
            raise Refused("set_session", f"{call} returned {result}: {self._text(result)}")

    def get_session(self, connection: Connection) -> SessionData | None:
        self._own(connection, Connection)
        datum = g.Datum()
        if self.api.session_get_data2(connection.address, ctypes.byref(datum)) != g.GNUTLS_E_SUCCESS:
            return None  # GnuTLS reports no session data (before a handshake, for one)
        try:
            return SessionData(self, ctypes.string_at(datum.data, datum.size))
        finally:
            self._gnutls_free(datum.data)

    def _free_connection(self, connection: BufferedConnection, address: int) -> None:
        self.api.deinit(address)

    def _free_context(self, context: SharedContext) -> None:
        assert isinstance(context, Context)
        self.api.cred_free(context._address)
        if context.ticket_key is not None:
            self._gnutls_free(context.ticket_key.data)
        self._contexts.pop(context.key, None)

    # -- capabilities -----------------------------------------------------------------
    def session_reused(self, connection: Connection) -> bool:
        return bool(self.api.session_is_resumed(self._own(connection, Connection).address))

    # -- callbacks ----------------------------------------------------------------------
    def _pulled_or_eagain(self, key: int | None, buffer: int | None, size: int) -> int:
        count = self._pulled(key, buffer, size)
        if count is None:
            self.api.transport_set_errno(self._connections[key or 0]._address, g.EAGAIN)
            return -1
        return count

    def _waiting(self, key: int | None, milliseconds: int) -> int:
        return 1 if self._connections[key or 0].incoming else 0

    def _stored(self, key: int | None, name: g.Datum, data: g.Datum) -> int:
        database = self._database(key)
        database[ctypes.string_at(name.data, name.size)] = ctypes.string_at(data.data, data.size)
        return 0

    def _retrieved(self, key: int, name: g.Datum) -> g.Datum:
        found = self._database(key).get(ctypes.string_at(name.data, name.size))
        if found is None:
            return g.Datum(None, 0)
        copy = self._malloc(len(found))  # GnuTLS frees it with gnutls_free
        ctypes.memmove(copy, found, len(found))
        return g.Datum(copy, len(found))

    def _removed(self, key: int | None, name: g.Datum) -> int:
        removed = self._database(key).pop(ctypes.string_at(name.data, name.size), None)
        return 0 if removed is not None else -1

    def _database(self, key: int | None) -> dict[bytes, bytes]:
        database = self._contexts[key or 0].database
        assert database is not None
        return database

    def _text(self, code: int) -> str:
        return (self.api.strerror(code) or b"unknown error").decode("utf-8", "replace")


def _path(path: Any) -> bytes:
    return str(path).encode()
