"""The mbedtls adapter: mbedTLS 2.28's own resumption calls, in memory, through ctypes.

Design: a context of this adapter is an ``mbedtls_ssl_config`` with what it
points to (certificate, key or CA chain; on a server the library's own
session cache, ``mbedtls_ssl_cache``, and ticket keys, ``mbedtls_ssl_ticket``);
a connection is an ``mbedtls_ssl_context``; a session is an
``mbedtls_ssl_session`` of the caller's own, into which
``mbedtls_ssl_get_session`` copies the connection's. Every structure is
caller-allocated memory (``_library.STRUCT_BYTES`` each), kept by its handle.

Transport, data and release are the shared ``InMemoryAdapter``'s: send and
receive callbacks (``mbedtls_ssl_set_bio``) over two byte buffers per
connection; an empty buffer answers ``MBEDTLS_ERR_SSL_WANT_READ``. Random
numbers come from ``os.urandom`` through ``mbedtls_ssl_conf_rng`` (and the
ticket key setup), not from mbedTLS's entropy and DRBG modules, whose
structures are large and build-dependent.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path
from typing import Any, ClassVar

from conformance_libssl.native import (
    BufferedConnection,
    Handle,
    InMemoryAdapter,
    SharedContext,
    caller_session,
)

from conformance import Capability, Credentials, Facts, NotObservable, ProtocolConfig, Refused, Side

from . import _library as m
from ._mapping import MAPPING, NOTES, TLS13_REASON

__all__ = ["MbedtlsAdapter"]

#: What a context's config points to, and how each is freed.
_PARTS = {
    "ca": "crt_free",
    "chain": "crt_free",
    "key": "pk_free",
    "cache": "cache_free",
    "ticket": "ticket_free",
}


def _struct() -> ctypes.Array[ctypes.c_char]:
    return ctypes.create_string_buffer(m.STRUCT_BYTES)


class Context(SharedContext):
    c_type = "mbedtls_ssl_config"

    def __init__(self, owner: object, side: Side, config: ProtocolConfig, server_name: str) -> None:
        self.memory = {"config": _struct()}
        super().__init__(owner, ctypes.addressof(self.memory["config"]), side, config, server_name)

    def add(self, name: str) -> int:
        """Memory for one more structure the config points to; its address."""
        self.memory[name] = _struct()
        return ctypes.addressof(self.memory[name])


class Connection(BufferedConnection):
    c_type = "mbedtls_ssl_context"
    context: Context

    def __init__(self, owner: object, context: Context) -> None:
        self.memory = _struct()
        super().__init__(owner, ctypes.addressof(self.memory), context)


class Session(Handle):
    c_type = "mbedtls_ssl_session"

    def __init__(self, owner: object) -> None:
        self.memory = _struct()
        super().__init__(owner, ctypes.addressof(self.memory))


class MbedtlsAdapter(InMemoryAdapter):
    """mbedTLS 2.28 (Debian's libmbedtls14) through mbedtls_ssl_set_session / get_session."""

    name = "mbedtls"
    build_variable = m.BUILD_VARIABLE
    contract_version = 1
    capabilities = frozenset({Capability.EMPTY_SESSION})
    expectations_file = Path(__file__).with_name("expectations.toml")
    waiting = frozenset({m.MBEDTLS_ERR_SSL_WANT_READ, m.MBEDTLS_ERR_SSL_WANT_WRITE})
    closed = frozenset({m.MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY})
    c_names: ClassVar[dict[str, str]] = {
        "handshake": "mbedtls_ssl_handshake",
        "write": "mbedtls_ssl_write",
        "read": "mbedtls_ssl_read",
        "shutdown": "mbedtls_ssl_close_notify",
    }

    def __init__(self) -> None:
        super().__init__()
        self._library, self.api = m.open_mbedtls()
        # Kept as long as the adapter: mbedTLS holds these function pointers.
        self._rng = m.RNG(_random)
        self._send = m.SEND(self._pushed)
        self._recv = m.RECV(self._pulled_or_want_read)

    def facts(self) -> Facts:
        text = ctypes.create_string_buffer(32)
        self.api.version_get_string(text)
        called = ("mbedtls_version_get_string", text.value.decode())
        return self._library_facts(self._library, "mbedTLS", called, m.PACKAGE, NOTES, MAPPING)

    # -- contexts and connections -----------------------------------------------------
    def make_context(self, side: Side, config: ProtocolConfig, credentials: Credentials) -> Context:
        if config.tls_version != "1.2":
            raise NotObservable(TLS13_REASON)
        api = self.api
        context = Context(self, side, config, credentials.server_name)
        conf = context.address
        api.config_init(conf)
        endpoint = m.MBEDTLS_SSL_IS_SERVER if side is Side.SERVER else m.MBEDTLS_SSL_IS_CLIENT
        defaults = api.config_defaults(
            conf, endpoint, m.MBEDTLS_SSL_TRANSPORT_STREAM, m.MBEDTLS_SSL_PRESET_DEFAULT
        )
        self._ok(defaults, "mbedtls_ssl_config_defaults")
        api.conf_rng(conf, self._rng, None)
        for pin in (api.conf_min_version, api.conf_max_version):
            pin(conf, m.MBEDTLS_SSL_MAJOR_VERSION_3, m.MBEDTLS_SSL_MINOR_VERSION_3)
        if side is Side.SERVER:
            self._serve(context, credentials)
        else:
            ca = context.add("ca")
            api.crt_init(ca)
            self._ok(api.crt_parse_file(ca, _path(credentials.ca_file)), "mbedtls_x509_crt_parse_file(CA)")
            api.conf_ca_chain(conf, ca, None)
            api.conf_authmode(conf, m.MBEDTLS_SSL_VERIFY_REQUIRED)
            tickets = (
                m.MBEDTLS_SSL_SESSION_TICKETS_ENABLED
                if config.tickets
                else m.MBEDTLS_SSL_SESSION_TICKETS_DISABLED
            )
            api.conf_session_tickets(conf, tickets)
        return context

    def _serve(self, context: Context, credentials: Credentials) -> None:
        api, conf, config = self.api, context.address, context.config
        chain, key = context.add("chain"), context.add("key")
        api.crt_init(chain)
        api.pk_init(key)
        self._ok(api.crt_parse_file(chain, _path(credentials.cert_chain_file)), "mbedtls_x509_crt_parse_file")
        self._ok(api.pk_parse_keyfile(key, _path(credentials.key_file), None), "mbedtls_pk_parse_keyfile")
        self._ok(api.conf_own_cert(conf, chain, key), "mbedtls_ssl_conf_own_cert")
        if config.server_cache:
            cache = context.add("cache")
            api.cache_init(cache)
            api.conf_session_cache(conf, cache, m.address_of(api.cache_get), m.address_of(api.cache_set))
        if config.tickets:
            ticket = context.add("ticket")
            api.ticket_init(ticket)
            setup = api.ticket_setup(
                ticket, self._rng, None, m.MBEDTLS_CIPHER_AES_256_GCM, m.TICKET_LIFETIME_SECONDS
            )
            self._ok(setup, "mbedtls_ssl_ticket_setup")
            write, parse = m.address_of(api.ticket_write), m.address_of(api.ticket_parse)
            api.conf_session_tickets_cb(conf, write, parse, ticket)

    def make_connection(self, context: Context) -> Connection:
        self._own(context, Context)
        connection = Connection(self, context)
        ssl = connection.address
        self.api.ssl_init(ssl)
        self._ok(self.api.ssl_setup(ssl, context.address), "mbedtls_ssl_setup")
        if context.side is Side.CLIENT:
            name = context.server_name.encode("ascii")
            self._ok(self.api.set_hostname(ssl, name), "mbedtls_ssl_set_hostname")  # copied by mbedTLS
        self.api.set_bio(ssl, connection.key, self._send, self._recv, None)
        self._register(connection)
        return connection

    # -- the API under test -----------------------------------------------------------
    def set_session(self, connection: Connection, session: Session | None) -> None:
        self._own(connection, Connection)
        if session is None:
            pointer, named = None, "NULL"
        else:
            takes = "mbedtls_ssl_set_session takes an mbedtls_ssl_session*"
            pointer, named = caller_session(session, Session, self, self.name, takes).address, "session"
        result = self.api.set_session(connection.address, pointer)
        if result != 0:
            raise Refused(
                "set_session",
                f"mbedtls_ssl_set_session(ssl, {named}) returned {result:#x}: {self._text(result)}",
            )

    def get_session(self, connection: Connection) -> Session | None:
        self._own(connection, Connection)
        session = self.make_empty_session()
        if self.api.get_session(connection.address, session.address) != 0:
            self.api.session_free(session.mark_released())
            return None  # mbedTLS reports no session (before a handshake; on a server)
        return session

    def _free_connection(self, connection: BufferedConnection, address: int) -> None:
        self.api.ssl_free(address)

    def _free_context(self, context: SharedContext) -> None:
        assert isinstance(context, Context)
        self.api.config_free(context._address)
        for part, free in _PARTS.items():
            if part in context.memory:
                getattr(self.api, free)(ctypes.addressof(context.memory[part]))

    def _free_session(self, session: Handle, address: int) -> None:
        self.api.session_free(address)

    # -- capabilities -----------------------------------------------------------------
    def make_empty_session(self) -> Session:
        session = Session(self)
        self.api.session_init(session.address)
        return session

    # -- callbacks and helpers -------------------------------------------------------------
    def _pulled_or_want_read(self, key: int | None, buffer: int | None, size: int) -> int:
        count = self._pulled(key, buffer, size)
        return m.MBEDTLS_ERR_SSL_WANT_READ if count is None else count

    def _text(self, code: int) -> str:
        text = ctypes.create_string_buffer(200)
        self.api.strerror(code, text, len(text))
        return text.value.decode("utf-8", "replace")


def _random(_: int | None, buffer: int | None, size: int) -> int:
    ctypes.memmove(buffer or 0, os.urandom(size), size)
    return 0


def _path(path: Any) -> bytes:
    return str(path).encode()
