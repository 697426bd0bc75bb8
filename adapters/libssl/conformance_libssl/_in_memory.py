"""The shared skeleton of adapters over C libraries with APIs of their own (GnuTLS, mbedTLS).

Design: such libraries move bytes through callbacks the adapter registers
(GnuTLS's push and pull, mbedTLS's send and receive), not through memory BIOs.
``InMemoryAdapter`` keeps the contract's byte-moving and data methods once:
each connection has an incoming and an outgoing buffer, filled and drained by
those callbacks, found by the small integer key the library hands back to
them. A library call answers with 0 or a negative code; the subclass says
which codes mean "wants the peer's bytes" (``waiting``) and "the peer
closed" (``closed``), names its C calls for messages (``c_names``) and turns
a code into text (``_text``).

Contexts: these libraries keep pointers to a context's structures (GnuTLS's
credentials, mbedTLS's config) in every connection, without a reference. A
released context is therefore freed with its last connection
(``_free_context``), never under a live one.
"""

from __future__ import annotations

import ctypes
import itertools
from collections.abc import Sequence
from typing import Any, ClassVar

from conformance import (
    Adapter,
    AdapterError,
    CallMapping,
    Facts,
    HandshakeFailed,
    ProtocolConfig,
    Refused,
    Side,
)

from ._handles import Handle, describe, live_handle
from ._libraries import _debian_version, _loaded
from ._loading import Library

__all__ = ["BufferedConnection", "InMemoryAdapter", "SharedContext"]

_CHUNK = 1 << 16
_KEYS = itertools.count(1)


class SharedContext(Handle):
    """A context whose C structures live until it is released and its last connection is gone."""

    def __init__(
        self, owner: object, address: int, side: Side, config: ProtocolConfig, server_name: str
    ) -> None:
        super().__init__(owner, address)
        self.side, self.config, self.server_name = side, config, server_name
        self.key = next(_KEYS)
        self.live_connections = 0
        self.freed = False


class BufferedConnection(Handle):
    """A connection with its two byte buffers and the key the library's callbacks pass back."""

    def __init__(self, owner: object, address: int, context: SharedContext) -> None:
        super().__init__(owner, address)
        self.context = context
        self.key = next(_KEYS)
        self.incoming = bytearray()
        self.outgoing = bytearray()
        self.done = False


class InMemoryAdapter(Adapter):
    """The contract's transport, data and release methods over ``api.handshake/write/read``."""

    #: Codes of a call that waits for the peer's bytes; codes of a read whose peer closed.
    waiting: ClassVar[frozenset[int]]
    closed: ClassVar[frozenset[int]] = frozenset()
    #: The C names of handshake, write, read and shutdown, for messages.
    c_names: ClassVar[dict[str, str]]
    api: Any

    def __init__(self) -> None:
        self._buffer = ctypes.create_string_buffer(_CHUNK)
        self._connections: dict[int, BufferedConnection] = {}

    def _library_facts(
        self,
        library: Library,
        tls_name: str,
        version: tuple[str, str],
        package: str,
        notes: Sequence[str],
        mapping: tuple[CallMapping, ...],
    ) -> Facts:
        """Facts of a library driven through its own C API: ``version`` is (the call, what it said)."""
        call, number = version
        return Facts(
            library=f"{tls_name} (C API through ctypes)",
            library_version=number,
            tls_library=tls_name,
            tls_library_version=number,
            notes=(
                f"{call}: {number}"
                + ("" if library.notes else f"; Debian package {package} {_debian_version(package)}"),
                *library.notes,
                *_loaded(library),
                *notes,
            ),
            mapping=mapping,
        )

    # -- hooks ----------------------------------------------------------------------------
    def _text(self, code: int) -> str:
        raise NotImplementedError

    def _close(self, address: int) -> int:
        return int(self.api.shutdown(address))

    def _free_connection(self, connection: BufferedConnection, address: int) -> None:
        raise NotImplementedError

    def _free_context(self, context: SharedContext) -> None:
        raise NotImplementedError

    def _free_session(self, session: Handle, address: int) -> None:
        """Nothing by default: a session handle that holds only Python memory."""

    # -- connections ------------------------------------------------------------------------
    def _register(self, connection: BufferedConnection) -> BufferedConnection:
        self._connections[connection.key] = connection
        connection.context.live_connections += 1
        return connection

    def do_handshake(self, connection: BufferedConnection) -> bool:
        self._own(connection, BufferedConnection)
        if connection.done:
            return True
        result = self.api.handshake(connection.address)
        if result == 0:
            connection.done = True
            return True
        if result in self.waiting:
            return False
        raise HandshakeFailed(self._failure("handshake", connection, result))

    def put_incoming(self, connection: BufferedConnection, data: bytes) -> None:
        self._own(connection, BufferedConnection).incoming += data

    def take_outgoing(self, connection: BufferedConnection) -> bytes:
        self._own(connection, BufferedConnection)
        data = bytes(connection.outgoing)
        connection.outgoing.clear()
        return data

    def write(self, connection: BufferedConnection, data: bytes) -> None:
        self._own(connection, BufferedConnection)
        sent = self.api.write(connection.address, data, len(data))
        if sent != len(data):
            raise HandshakeFailed(self._failure("write", connection, sent))

    def read(self, connection: BufferedConnection) -> bytes:
        self._own(connection, BufferedConnection)
        chunks = []
        while True:
            count = self.api.read(connection.address, self._buffer, _CHUNK)
            if count > 0:
                chunks.append(self._buffer.raw[:count])
            elif count == 0 or count in self.waiting or count in self.closed:
                return b"".join(chunks)
            else:
                raise HandshakeFailed(self._failure("read", connection, count))

    def shutdown(self, connection: BufferedConnection) -> None:
        self._own(connection, BufferedConnection)
        result = self._close(connection.address)
        if result != 0 and result not in self.waiting:
            raise Refused("shutdown", self._failure("shutdown", connection, result))

    def release(self, handle: Handle) -> None:
        if not isinstance(handle, Handle) or not handle.belongs_to(self):
            raise AdapterError(
                f"release() takes a handle of this {self.name!r} adapter; got {describe(handle)}"
            )
        address = handle.mark_released()
        if isinstance(handle, BufferedConnection):
            self._free_connection(handle, address)
            del self._connections[handle.key]
            handle.context.live_connections -= 1
            self._free_context_if_unused(handle.context)
        elif isinstance(handle, SharedContext):
            self._free_context_if_unused(handle)
        else:
            self._free_session(handle, address)

    def _free_context_if_unused(self, context: SharedContext) -> None:
        if context.released and not context.live_connections and not context.freed:
            context.freed = True
            self._free_context(context)

    # -- the callbacks' side ----------------------------------------------------------------
    def _pushed(self, key: int | None, data: int | None, size: int) -> int:
        """Bytes the library sends: into the connection's outgoing buffer."""
        self._connections[key or 0].outgoing += ctypes.string_at(data or 0, size)
        return size

    def _pulled(self, key: int | None, buffer: int | None, size: int) -> int | None:
        """Bytes the library asks for: up to ``size`` into ``buffer``; None when there are none."""
        connection = self._connections[key or 0]
        if not connection.incoming:
            return None
        taken = bytes(connection.incoming[:size])
        del connection.incoming[: len(taken)]
        ctypes.memmove(buffer or 0, taken, len(taken))
        return len(taken)

    # -- helpers ------------------------------------------------------------------------------
    def _own(self, handle: Any, kind: type[Handle]) -> Any:
        return live_handle(handle, kind, self, self.name)

    def _ok(self, result: int, call: str) -> None:
        if result < 0:
            raise AdapterError(f"{call} failed: {result} ({self._text(result)})")

    def _failure(self, call: str, connection: BufferedConnection, result: int) -> str:
        name = self.c_names.get(call, call)
        return f"{name} on the {connection.context.side.value} returned {result}: {self._text(result)}"
