"""The gnutls adapter: GnuTLS's own resumption calls, in memory, through ctypes.

Design: GnuTLS has no context object; a gnutls_session_t is the connection.
A "context" of this adapter is what every connection of it gets: a
certificate credentials structure, a priority string pinning the TLS version,
on a server the ticket key (``gnutls_session_ticket_enable_server``) and the
session database (``gnutls_db_set_*_function``), on a client the CA and the
name to verify. A session is what GnuTLS hands out: serialized session data
(``gnutls_session_get_data2``), copied into a handle of the caller's own.

Transport is in memory: push and pull callbacks over two byte buffers per
connection; an empty buffer answers EAGAIN (``gnutls_transport_set_errno``)
and the session is non-blocking (``GNUTLS_NONBLOCK``). The server's session
database is the application's storage by GnuTLS's design: here a dict per
context, which GnuTLS fills, reads and empties through its callbacks (the
retrieve callback returns a structure by value, made with ``_ffi``).
"""

from __future__ import annotations

import ctypes
import itertools
from pathlib import Path
from typing import Any

from conformance_libssl.native import (
    Handle,
    caller_session,
    debian_version,
    describe,
    live_handle,
    loaded_notes,
)

from conformance import (
    Adapter,
    AdapterError,
    Capability,
    Credentials,
    Facts,
    HandshakeFailed,
    NotObservable,
    ProtocolConfig,
    Refused,
    Side,
)

from . import _library as g
from ._ffi import StructReturningCallback, ffi_available
from ._mapping import MAPPING, NOTES

__all__ = ["GnutlsAdapter"]

_CHUNK = 1 << 16
PRIORITIES = {"1.2": b"NORMAL:-VERS-ALL:+VERS-TLS1.2", "1.3": b"NORMAL:-VERS-ALL:+VERS-TLS1.3"}


class Context(Handle):
    c_type = "gnutls_certificate_credentials_st"

    def __init__(self, owner: object, address: int, side: Side, config: ProtocolConfig, name: str) -> None:
        super().__init__(owner, address)
        self.side, self.config, self.server_name = side, config, name
        self.key = next(_KEYS)
        self.ticket_key: g.Datum | None = None
        self.database: dict[bytes, bytes] | None = None
        self.live_connections = 0
        self.freed = False


class Connection(Handle):
    c_type = "gnutls_session_int"

    def __init__(self, owner: object, address: int, context: Context, key: int) -> None:
        super().__init__(owner, address)
        self.context, self.key = context, key
        self.incoming = bytearray()
        self.outgoing = bytearray()
        self.done = False
        self.verified_name = b""


class SessionData(Handle):
    c_type = "gnutls_datum_t"

    def __init__(self, owner: object, data: bytes) -> None:
        super().__init__(owner, next(_KEYS))
        self.data = data


_KEYS = itertools.count(1)


class GnutlsAdapter(Adapter):
    """GnuTLS (Debian's libgnutls30) through its own calls: set_data, get_data2, is_resumed."""

    name = "gnutls"
    contract_version = 1
    capabilities = frozenset({Capability.REUSE_FLAG})
    expectations_file = Path(__file__).with_name("expectations.toml")

    def __init__(self) -> None:
        self._library, self.api = g.open_gnutls()
        self._free = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(
            self._library.ssl.pointer_variable("gnutls_free")
        )
        self._malloc = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_size_t)(
            self._library.ssl.pointer_variable("gnutls_malloc")
        )
        self._buffer = ctypes.create_string_buffer(_CHUNK)
        self._connections: dict[int, Connection] = {}
        self._contexts: dict[int, Context] = {}
        # Kept as long as the adapter: GnuTLS holds these function pointers.
        self._push = g.PUSH(self._pushed)
        self._pull = g.PULL(self._pulled)
        self._pull_timeout = g.PULL_TIMEOUT(self._waiting)
        self._store = g.DB_STORE(self._stored)
        self._remove = g.DB_REMOVE(self._removed)
        self._retrieve = StructReturningCallback(g.Datum, self._retrieved) if not ffi_available() else None

    def facts(self) -> Facts:
        version = (self.api.check_version(None) or b"?").decode()
        return Facts(
            library="GnuTLS (C API through ctypes)",
            library_version=version,
            tls_library="GnuTLS",
            tls_library_version=version,
            notes=(
                f"gnutls_check_version(NULL): {version}; Debian package {g.PACKAGE} "
                f"{debian_version(g.PACKAGE)}",
                *loaded_notes(self._library),
                *NOTES,
            ),
            mapping=MAPPING,
        )

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
            self._ok(
                self.api.cred_key_file(context.address, chain, key, pem),
                "gnutls_certificate_set_x509_key_file",
            )
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
        connection = Connection(self, pointer.value or 0, context, next(_KEYS))
        session = connection.address
        error = ctypes.c_char_p()
        priority = PRIORITIES[context.config.tls_version]
        self._ok(self.api.priority_set_direct(session, priority, ctypes.byref(error)), "priority")
        self._ok(self.api.credentials_set(session, g.GNUTLS_CRD_CERTIFICATE, context.address), "credentials")
        self.api.transport_set_ptr(session, connection.key)
        self.api.transport_set_push(session, self._push)
        self.api.transport_set_pull(session, self._pull)
        self.api.transport_set_pull_timeout(session, self._pull_timeout)
        if context.side is Side.SERVER:
            self._serve(connection)
        else:
            # GnuTLS keeps the hostname pointer for the session's life: the connection holds it.
            connection.verified_name = name = context.server_name.encode("ascii")
            self._ok(self.api.server_name_set(session, g.GNUTLS_NAME_DNS, name, len(name)), "server name")
            self.api.set_verify_cert(session, name, 0)
        self._connections[connection.key] = connection
        context.live_connections += 1
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

    def do_handshake(self, connection: Connection) -> bool:
        self._own(connection, Connection)
        if connection.done:
            return True
        result = self.api.handshake(connection.address)
        if result == g.GNUTLS_E_SUCCESS:
            connection.done = True
            return True
        if result in (g.GNUTLS_E_AGAIN, g.GNUTLS_E_INTERRUPTED):
            return False
        raise HandshakeFailed(self._failure("gnutls_handshake", connection, result))

    def put_incoming(self, connection: Connection, data: bytes) -> None:
        self._own(connection, Connection).incoming += data

    def take_outgoing(self, connection: Connection) -> bytes:
        self._own(connection, Connection)
        data = bytes(connection.outgoing)
        connection.outgoing.clear()
        return data

    def write(self, connection: Connection, data: bytes) -> None:
        self._own(connection, Connection)
        sent = self.api.record_send(connection.address, data, len(data))
        if sent != len(data):
            raise HandshakeFailed(self._failure("gnutls_record_send", connection, sent))

    def read(self, connection: Connection) -> bytes:
        self._own(connection, Connection)
        chunks = []
        while True:
            count = self.api.record_recv(connection.address, self._buffer, _CHUNK)
            if count > 0:
                chunks.append(self._buffer.raw[:count])
                continue
            if count == 0 or count in (g.GNUTLS_E_AGAIN, g.GNUTLS_E_INTERRUPTED):
                return b"".join(chunks)
            raise HandshakeFailed(self._failure("gnutls_record_recv", connection, count))

    def shutdown(self, connection: Connection) -> None:
        self._own(connection, Connection)
        result = self.api.bye(connection.address, g.GNUTLS_SHUT_WR)
        if result not in (g.GNUTLS_E_SUCCESS, g.GNUTLS_E_AGAIN, g.GNUTLS_E_INTERRUPTED):
            raise Refused("shutdown", self._failure("gnutls_bye(GNUTLS_SHUT_WR)", connection, result))

    # -- the API under test -----------------------------------------------------------
    def set_session(self, connection: Connection, session: SessionData | None) -> None:
        self._own(connection, Connection)
        if session is None:
            result = self.api.session_set_data(connection.address, None, 0)
            call = "gnutls_session_set_data(session, NULL, 0)"
        else:
            data = self._session_data(session)
            result = self.api.session_set_data(connection.address, data, len(data))
            call = f"gnutls_session_set_data(session, data, {len(data)})"
        if result != g.GNUTLS_E_SUCCESS:
            raise Refused("set_session", f"{call} returned {result}: {self._text(result)}")

    def _session_data(self, session: Any) -> bytes:
        takes = "gnutls_session_set_data takes session data (const void *, size_t)"
        return caller_session(session, SessionData, self, self.name, takes).data

    def get_session(self, connection: Connection) -> SessionData | None:
        self._own(connection, Connection)
        datum = g.Datum()
        if self.api.session_get_data2(connection.address, ctypes.byref(datum)) != g.GNUTLS_E_SUCCESS:
            return None  # GnuTLS reports no session data (before a handshake, for one)
        try:
            return SessionData(self, ctypes.string_at(datum.data, datum.size))
        finally:
            self._free(datum.data)

    def release(self, handle: Context | Connection | SessionData) -> None:
        if not isinstance(handle, Handle) or not handle.belongs_to(self):
            raise AdapterError(
                f"release() takes a handle of this {self.name!r} adapter; got {describe(handle)}"
            )
        address = handle.mark_released()
        if isinstance(handle, Connection):
            self.api.deinit(address)
            del self._connections[handle.key]
            handle.context.live_connections -= 1
            self._free_context_if_unused(handle.context)
        elif isinstance(handle, Context):
            self._free_context_if_unused(handle)

    def _free_context_if_unused(self, context: Context) -> None:
        # Credentials must outlive every session that uses them (GnuTLS keeps a pointer,
        # no reference), so they are freed with the last connection of a released context.
        if context.released and not context.live_connections and not context.freed:
            context.freed = True
            self.api.cred_free(context._address)
            if context.ticket_key is not None:
                self._free(context.ticket_key.data)
            self._contexts.pop(context.key, None)

    # -- capabilities -----------------------------------------------------------------
    def session_reused(self, connection: Connection) -> bool:
        return bool(self.api.session_is_resumed(self._own(connection, Connection).address))

    # -- callbacks ----------------------------------------------------------------------
    def _pushed(self, key: int | None, data: int | None, size: int) -> int:
        self._connections[key or 0].outgoing += ctypes.string_at(data or 0, size)
        return size

    def _pulled(self, key: int | None, buffer: int | None, size: int) -> int:
        connection = self._connections[key or 0]
        if not connection.incoming:
            self.api.transport_set_errno(connection._address, g.EAGAIN)
            return -1
        taken = bytes(connection.incoming[:size])
        del connection.incoming[: len(taken)]
        ctypes.memmove(buffer or 0, taken, len(taken))
        return len(taken)

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

    # -- helpers ------------------------------------------------------------------------
    def _own(self, handle: Any, kind: type[Handle]) -> Any:
        return live_handle(handle, kind, self, self.name)

    def _ok(self, result: int, call: str) -> None:
        if result < 0:
            raise AdapterError(f"{call} failed: {result} {self._text(result)}")

    def _text(self, code: int) -> str:
        return (self.api.strerror(code) or b"unknown error").decode("utf-8", "replace")

    def _failure(self, call: str, connection: Connection, result: int) -> str:
        return f"{call} on the {connection.context.side.value} returned {result}: {self._text(result)}"


def _path(path: Any) -> bytes:
    return str(path).encode()
