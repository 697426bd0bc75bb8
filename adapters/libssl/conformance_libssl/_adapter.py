"""The adapter over a libssl-style C API, shared by the three libraries.

Design: ``LibsslAdapter`` keeps the contract in terms of ``Api`` operations
only; what differs between OpenSSL, BoringSSL and wolfSSL is in the dialect
tables and in the few hooks a subclass overrides (how to open the library,
its facts, an empty session). Connections are in memory: two memory BIOs per
``SSL`` (``BIO_new(BIO_s_mem())``, handed over with ``SSL_set_bio``); the
handshake is driven with ``SSL_do_handshake`` and ``SSL_get_error`` until it
stops asking for bytes (``SSL_ERROR_WANT_READ``).

The error queue is cleared before every call whose failure is reported, and
drained into the report, so no call inherits another's errors.

Context set-up is a table of steps, each naming the ``ProtocolConfig`` field
it honours; a step the library rejects ends the test as not-observable naming
that field and the library's error.
"""

from __future__ import annotations

import ctypes
import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar

from conformance import (
    Adapter,
    AdapterError,
    Capability,
    Credentials,
    HandshakeFailed,
    NotObservable,
    ProtocolConfig,
    RawCall,
    Refused,
    Side,
)

from ._api import Api, check_version
from ._builds import Build, build_from_environment, open_libssl_build, open_single_build
from ._dialects import Dialect
from ._handles import Connection, Context, Handle, Session, caller_session, describe, live_handle
from ._loading import Library
from ._observers import CacheEvents, FreedMemory, SessionLifetime

__all__ = ["ALL_CAPABILITIES", "LibsslAdapter", "Step", "no_status"]

#: Bytes read per SSL_read/BIO_read call.
_CHUNK = 1 << 16
#: The session id context every server context gets (sessions resume only within it).
SESSION_ID_CONTEXT = b"ssl-set-session-conformance"

ALL_CAPABILITIES = frozenset(Capability)


@dataclasses.dataclass(frozen=True)
class Step:
    """One call of context set-up: the config field it honours, the C call, and the call."""

    field: str
    call: str
    run: Callable[[], bool]


class LibsslAdapter(Adapter):
    """Drives a libssl-style C API through ctypes. Subclasses pick the library."""

    dialect: ClassVar[Dialect]
    capabilities = ALL_CAPABILITIES
    contract_version = 1
    #: The variable naming the build's libcrypto ("" where libssl and libcrypto are one file).
    libcrypto_variable: ClassVar[str] = ""

    def __init__(self) -> None:
        assert self.build_variable is not None
        self.build: Build | None = build_from_environment(self.build_variable, self.libcrypto_variable)
        self._library = self._open() if self.build is None else self._open_build(self.build)
        #: What the library says of itself (OpenSSL_version, wolfSSL_lib_version), and the version in it.
        self.version_text, self.version = check_version(self.dialect, self._library)
        self.api = Api(self.dialect, self._library)
        self._constants = self.api.constants
        self._buffer = ctypes.create_string_buffer(_CHUNK)
        self._lifetime = (
            self._lifetime_observer() if Capability.SESSION_LIFETIME in self.capabilities else None
        )
        self._cache_events = CacheEvents(self.api) if Capability.CACHE_EVENTS in self.capabilities else None

    # -- hooks for subclasses --------------------------------------------------------
    def _open(self) -> Library:
        """The adapter's default library (no build named)."""
        raise NotImplementedError

    def _open_build(self, build: Build) -> Library:
        if self.dialect.one_file:
            return open_single_build(build, self.dialect.entry_point)
        return open_libssl_build(build, self.dialect.entry_point)

    def _configure_more(self, context: Context, config: ProtocolConfig) -> list[Step]:
        """Extra set-up steps a library needs to honour ``config`` (none by default)."""
        return []

    def _lifetime_observer(self) -> SessionLifetime | FreedMemory:
        return SessionLifetime(self.api)

    def _new_empty_session(self) -> int:
        return self.api.session_new()

    def _forget_connection(self, address: int) -> None:
        """Called after a connection's SSL object is freed."""

    # -- contexts and connections -----------------------------------------------------
    def make_context(self, side: Side, config: ProtocolConfig, credentials: Credentials) -> Context:
        if config.tls_version not in dict(self._constants.tls_versions):
            raise NotObservable(f"{self.dialect.name}: no TLS version {config.tls_version!r} (tls_version)")
        # A fresh method per context: wolfSSL's SSL_CTX takes ownership of (and frees) its method.
        address = self.api.ctx_new(self.api.tls_method())
        if not address:
            raise AdapterError(f"SSL_CTX_new failed: {self.api.describe_errors()}")
        context = Context(self, address, side, credentials.server_name)
        steps = (
            self._common_steps(address, config)
            + (
                self._server_steps(address, config, credentials)
                if side is Side.SERVER
                else self._client_steps(address, credentials)
            )
            + self._configure_more(context, config)
        )
        for step in steps:
            self.api.clear_errors()
            if not step.run():
                error = self.api.describe_errors()
                self.api.ctx_free(address)
                raise NotObservable(
                    f"{self.dialect.name} cannot build configuration {config.id} ({step.field}): "
                    f"{step.call} failed: {error}"
                )
        if self._cache_events is not None:
            self._cache_events.watch(address)
        return context

    def _common_steps(self, ctx: int, config: ProtocolConfig) -> list[Step]:
        api, constants = self.api, self._constants
        version = dict(constants.tls_versions)[config.tls_version]
        steps = [
            Step(
                "tls_version",
                f"SSL_CTX_set_min_proto_version({version:#06x})",
                lambda: api.ctx_set_min_version(ctx, version) == 1,
            ),
            Step(
                "tls_version",
                f"SSL_CTX_set_max_proto_version({version:#06x})",
                lambda: api.ctx_set_max_version(ctx, version) == 1,
            ),
        ]
        if not config.tickets:
            bit = constants.op_no_ticket
            steps.append(
                Step(
                    "tickets",
                    "SSL_CTX_set_options(SSL_OP_NO_TICKET)",
                    lambda: bool(api.ctx_set_options(ctx, bit) & bit),
                )
            )
        return steps

    def _server_steps(self, ctx: int, config: ProtocolConfig, credentials: Credentials) -> list[Step]:
        api, constants = self.api, self._constants
        mode = constants.sess_cache_server if config.server_cache else constants.sess_cache_off
        return [
            Step(
                "credentials",
                "SSL_CTX_use_certificate_chain_file",
                lambda: api.ctx_use_chain_file(ctx, _path(credentials.cert_chain_file)) == 1,
            ),
            Step(
                "credentials",
                "SSL_CTX_use_PrivateKey_file",
                lambda: api.ctx_use_key_file(ctx, _path(credentials.key_file), constants.filetype_pem) == 1,
            ),
            Step("credentials", "SSL_CTX_check_private_key", lambda: api.ctx_check_key(ctx) == 1),
            Step(
                "server_cache",
                "SSL_CTX_set_session_id_context",
                lambda: api.ctx_set_sid_context(ctx, SESSION_ID_CONTEXT, len(SESSION_ID_CONTEXT)) == 1,
            ),
            Step(
                "server_cache",
                f"SSL_CTX_set_session_cache_mode({mode:#x})",
                lambda: no_status(api.ctx_set_cache_mode(ctx, mode)),
            ),
        ]

    def _client_steps(self, ctx: int, credentials: Credentials) -> list[Step]:
        api = self.api
        return [
            Step(
                "credentials",
                "SSL_CTX_load_verify_locations",
                lambda: api.ctx_load_verify(ctx, _path(credentials.ca_file), None) == 1,
            ),
            Step(
                "credentials",
                "SSL_CTX_set_verify(SSL_VERIFY_PEER)",
                lambda: no_status(api.ctx_set_verify(ctx, self._constants.verify_peer, None)),
            ),
        ]

    def make_connection(self, context: Context) -> Connection:
        api = self._own(context, Context)
        ssl = api.ssl_new(context.address)
        if not ssl:
            raise AdapterError(f"SSL_new failed: {api.describe_errors()}")
        read_bio, write_bio = api.bio_new(api.bio_s_mem()), api.bio_new(api.bio_s_mem())
        if not read_bio or not write_bio:
            raise AdapterError(f"BIO_new(BIO_s_mem()) failed: {api.describe_errors()}")
        api.ssl_set_bio(ssl, read_bio, write_bio)
        connection = Connection(self, ssl, context, read_bio, write_bio)
        if context.side is Side.SERVER:
            api.ssl_set_accept_state(ssl)
            return connection
        api.ssl_set_connect_state(ssl)
        name = context.server_name.encode("ascii")
        api.clear_errors()
        if api.ssl_set1_host(ssl, name) != 1 or api.ssl_set_sni(ssl, name) != 1:
            raise AdapterError(
                f"SSL_set1_host/SNI for {context.server_name!r} failed: {api.describe_errors()}"
            )
        return connection

    def do_handshake(self, connection: Connection) -> bool:
        api, ssl = self._own(connection, Connection), connection.address
        api.clear_errors()
        result = api.ssl_do_handshake(ssl)
        if result == 1:
            return True
        if self._wants_more(ssl, result):
            return False
        raise HandshakeFailed(self._failure("SSL_do_handshake", connection, result))

    def put_incoming(self, connection: Connection, data: bytes) -> None:
        self._own(connection, Connection)
        written = self.api.bio_write(connection.read_bio, data, len(data))
        if written != len(data):
            raise AdapterError(f"BIO_write took {written} of {len(data)} bytes")

    def take_outgoing(self, connection: Connection) -> bytes:
        self._own(connection, Connection)
        chunks = []
        while (count := self.api.bio_read(connection.write_bio, self._buffer, _CHUNK)) > 0:
            chunks.append(ctypes.string_at(self._buffer, count))
        return b"".join(chunks)

    def write(self, connection: Connection, data: bytes) -> None:
        api, ssl = self._own(connection, Connection), connection.address
        api.clear_errors()
        written = api.ssl_write(ssl, data, len(data))
        if written != len(data):
            raise HandshakeFailed(self._failure("SSL_write", connection, written))

    def read(self, connection: Connection) -> bytes:
        api, ssl = self._own(connection, Connection), connection.address
        chunks = []
        while True:
            api.clear_errors()
            count = api.ssl_read(ssl, self._buffer, _CHUNK)
            if count > 0:
                chunks.append(ctypes.string_at(self._buffer, count))
                continue
            if self._wants_more(ssl, count, closed_is_fine=True):
                return b"".join(chunks)
            raise HandshakeFailed(self._failure("SSL_read", connection, count))

    def shutdown(self, connection: Connection) -> None:
        api, ssl = self._own(connection, Connection), connection.address
        api.clear_errors()
        result = api.ssl_shutdown(ssl)
        # 0: our close_notify is sent, the peer's has not come (we do not wait for it).
        if result < 0 and not self._wants_more(ssl, result):
            raise Refused("shutdown", self._failure("SSL_shutdown", connection, result))

    def _wants_more(self, ssl: int, result: int, closed_is_fine: bool = False) -> bool:
        code = self.api.ssl_get_error(ssl, result)
        waiting = (self._constants.error_want_read, self._constants.error_want_write)
        return code in waiting or (closed_is_fine and code == self._constants.error_zero_return)

    def _failure(self, call: str, connection: Connection, result: int) -> str:
        ssl = connection.address
        code = self.api.ssl_get_error(ssl, result)
        errors = self.api.describe_errors()
        verify = self.api.ssl_get_verify_result(ssl)
        return (
            f"{call} on the {connection.context.side.value} returned {result}, "
            f"SSL_get_error {code}; {errors}" + (f"; certificate verify result {verify}" if verify else "")
        )

    # -- the API under test -----------------------------------------------------------
    def set_session(self, connection: Connection, session: Session | None) -> None:
        raw = self.set_session_raw(connection, session)
        if raw.return_value != 1:
            queue = "; ".join(raw.errors) or "no error-queue entry"
            raise Refused("set_session", f"SSL_set_session returned {raw.return_value}: {queue}")

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        api = self._own(connection, Connection)
        pointer = self._session_argument(session)
        api.clear_errors()
        result = api.ssl_set_session(connection.address, pointer)
        return RawCall(int(result), api.take_errors())

    def _session_argument(self, session: Any) -> int | None:
        if session is None:
            return None
        takes = "SSL_set_session takes an SSL_SESSION*"
        return caller_session(session, Session, self, self.name, takes).address

    def get_session(self, connection: Connection) -> Session | None:
        address = self._own(connection, Connection).ssl_get1_session(connection.address)
        return Session(self, address) if address else None

    def release(self, handle: Context | Connection | Session) -> None:
        if not isinstance(handle, Handle) or not handle.belongs_to(self):
            raise AdapterError(
                f"release() takes a handle of this {self.name!r} adapter; got {describe(handle)}"
            )
        free = {Context: self.api.ctx_free, Connection: self.api.ssl_free, Session: self.api.session_free}
        address = handle.mark_released()
        free[type(handle)](address)
        if isinstance(handle, Connection):
            self._forget_connection(address)

    # -- capabilities -----------------------------------------------------------------
    def session_reused(self, connection: Connection) -> bool:
        return bool(self._own(connection, Connection).ssl_session_reused(connection.address))

    def session_id(self, session: Session) -> bytes:
        length = ctypes.c_uint()
        data = self._own(session, Session).session_get_id(session.address, ctypes.byref(length))
        return ctypes.string_at(data, length.value) if data and length.value else b""

    def same_session(self, a: Session, b: Session) -> bool:
        self._own(a, Session)
        self._own(b, Session)
        return a.address == b.address

    def track_session(self, session: Session) -> Callable[[], bool]:
        self._own(session, Session)
        if self._lifetime is None:
            raise self._lacks(Capability.SESSION_LIFETIME)
        return self._lifetime.track(session.address)

    def cache_size(self, context: Context) -> int:
        return int(self._own(context, Context).ctx_sess_number(context.address))

    def cache_removals(self, context: Context) -> int:
        self._own(context, Context)
        if self._cache_events is None:
            raise self._lacks(Capability.CACHE_EVENTS)
        return self._cache_events.removals(context.address)

    def flush_cache(self, context: Context) -> None:
        self._own(context, Context).ctx_flush(context.address, self._constants.flush_all_time)

    def set_sent_shutdown(self, connection: Connection) -> None:
        api, ssl = self._own(connection, Connection), connection.address
        api.ssl_set_shutdown(ssl, api.ssl_get_shutdown(ssl) | self._constants.sent_shutdown)

    def make_empty_session(self) -> Session:
        address = self._new_empty_session()
        if not address:
            raise AdapterError(f"SSL_SESSION_new failed: {self.api.describe_errors()}")
        return Session(self, address)

    # -- reproducers --------------------------------------------------------------------
    @classmethod
    def write_reproducer(cls, scenario: Any) -> Any:
        """A C program over this library's dialect; None for a subclass of a library's adapter.

        A subclass (a mutant) changes what the adapter does around the C calls, which a
        C program of the library alone would not show: it gets the Python script.
        """
        if "dialect" not in cls.__dict__:
            return None
        from ._reproducer import c_reproducer

        return c_reproducer(scenario, cls.dialect, cls.capabilities)

    # -- helpers ------------------------------------------------------------------------
    def _own(self, handle: Any, kind: type[Handle]) -> Api:
        """The api, once ``handle`` is a live ``kind`` of this adapter (else a clear error)."""
        live_handle(handle, kind, self, self.name)
        return self.api


def _path(path: Any) -> bytes:
    return str(path).encode()


def no_status(_: Any) -> bool:
    """For calls that return no status (void, or the previous setting)."""
    return True
