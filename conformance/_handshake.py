"""Handshakes in memory: moving bytes between the two ends, and what crossed the wire.

Design: one job, pumping. ``pump`` alternates the two connections, each
advancing its handshake and handing what it sent to its peer, until both are
done and nothing moves; then (``exchange``) each side sends a little
application data, the server first, so that tickets sent after the handshake
are read. It counts the bytes each side sent: a full handshake carries the
server's leaf certificate and a resumed one does not, which is how the lab
tells them apart (``Handshake.resumed_on_wire``). The lab names the
connections and keeps the evidence; this module only moves bytes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ._contract import Adapter
from ._errors import HandshakeFailed

__all__ = ["CLIENT_APPLICATION_DATA", "MAX_ROUNDS", "SERVER_APPLICATION_DATA", "Handshake", "pump"]

#: Rounds of byte exchange before a handshake is declared stuck.
MAX_ROUNDS = 20
#: The application data each side sends after the handshake (so that tickets are read).
SERVER_APPLICATION_DATA = b"from-server"
CLIENT_APPLICATION_DATA = b"from-client"


@dataclasses.dataclass
class Handshake:
    """A finished handshake between two connections, with what crossed the wire."""

    client: Any
    server: Any
    #: Bytes the server sent, from its first flight to the end of the data exchange.
    server_bytes: int
    client_bytes: int
    #: The DER length of the server's leaf certificate.
    leaf_der_length: int
    #: What the server sent during the handshake (read by ``_wire`` for ``conformance check``).
    server_wire: bytes = b""

    @property
    def resumed_on_wire(self) -> bool:
        """A full handshake sends the leaf certificate; fewer bytes than that mean resumption."""
        return self.server_bytes < self.leaf_der_length

    def describe(self) -> str:
        kind = "resumed" if self.resumed_on_wire else "full"
        return (
            f"{kind} on the wire: the server sent {self.server_bytes} bytes "
            f"(the leaf certificate alone is {self.leaf_der_length})"
        )


def pump(
    adapter: Adapter,
    client: Any,
    server: Any,
    *,
    exchange: bool,
    leaf_der_length: int,
    label: Callable[[Any], str],
) -> Handshake:
    """Run a handshake in memory, then (``exchange``) application data both ways."""
    counts = {"client": 0, "server": 0}
    done = {"client": False, "server": False}
    wire = bytearray()
    for _ in range(MAX_ROUNDS):
        moved = _step(adapter, client, server, "client", done, counts)
        moved += _step(adapter, server, client, "server", done, counts, wire)
        if done["client"] and done["server"] and not moved:
            break
    else:
        raise HandshakeFailed(
            f"the handshake of {label(client)} with {label(server)} did not "
            f"finish in {MAX_ROUNDS} rounds (client done: {done['client']}, "
            f"server done: {done['server']})"
        )
    if exchange:
        # The server writes first: some libraries send TLS 1.3 tickets only then,
        # and the client must read them before its session can resume.
        counts["server"] += _deliver(adapter, server, client, SERVER_APPLICATION_DATA, label)
        counts["client"] += _deliver(adapter, client, server, CLIENT_APPLICATION_DATA, label)
    return Handshake(client, server, counts["server"], counts["client"], leaf_der_length, bytes(wire))


def _step(
    adapter: Adapter,
    me: Any,
    peer: Any,
    role: str,
    done: dict[str, bool],
    counts: dict[str, int],
    wire: bytearray | None = None,
) -> int:
    if not done[role]:
        done[role] = adapter.do_handshake(me)
    data = adapter.take_outgoing(me)
    if data:
        counts[role] += len(data)
        if wire is not None:
            wire += data
        adapter.put_incoming(peer, data)
    return len(data)


def _deliver(adapter: Adapter, sender: Any, receiver: Any, data: bytes, label: Callable[[Any], str]) -> int:
    """Send ``data`` from ``sender`` until ``receiver`` has it all; the bytes ``sender`` sent."""
    adapter.write(sender, data)
    received, sent = b"", 0
    for _ in range(MAX_ROUNDS):
        wire = adapter.take_outgoing(sender)
        sent += len(wire)
        if wire:
            adapter.put_incoming(receiver, wire)
        received += adapter.read(receiver)
        # Answers the receiver owes (none in these protocols) go back all the same.
        back = adapter.take_outgoing(receiver)
        if back:
            adapter.put_incoming(sender, back)
        if received == data:
            return sent
    raise HandshakeFailed(
        f"{label(receiver)} did not receive the data {label(sender)} sent "
        f"(got {received!r}, expected {data!r})"
    )
