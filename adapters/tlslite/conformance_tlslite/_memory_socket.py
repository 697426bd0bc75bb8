"""A socket-like object over two byte buffers, for tlslite in memory.

tlslite reads and writes through ``send``/``recv`` of the socket it wraps.
This one never blocks: ``send`` appends to the outgoing buffer, and ``recv``
on an empty incoming buffer raises ``BlockingIOError`` (EWOULDBLOCK), which
tlslite's generator-based API turns into "yield 0" (wants to read).
"""

from __future__ import annotations

import errno

__all__ = ["MemorySocket"]


class MemorySocket:
    def __init__(self) -> None:
        self.incoming = bytearray()
        self.outgoing = bytearray()

    # -- what tlslite calls --------------------------------------------------------
    def send(self, data: bytes) -> int:
        self.outgoing += data
        return len(data)

    def sendall(self, data: bytes) -> None:
        self.outgoing += data

    def recv(self, size: int) -> bytes:
        if not self.incoming:
            raise BlockingIOError(errno.EWOULDBLOCK, "no bytes from the peer yet")
        data = bytes(self.incoming[:size])
        del self.incoming[:size]
        return data

    def close(self) -> None:
        """Nothing to close: the buffers go with the object."""

    # -- what the adapter calls ----------------------------------------------------
    def take(self) -> bytes:
        data = bytes(self.outgoing)
        self.outgoing.clear()
        return data
