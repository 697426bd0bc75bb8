"""What the server's handshake bytes say of a configuration: the TLS version, a TLS 1.2 ticket.

Design: ``conformance check`` builds every ``ProtocolConfig`` and must see on
the wire that the adapter honoured it, not take the adapter's word. Only the
plaintext part of the server's handshake is read: its TLS records up to the
first ChangeCipherSpec, whose handshake messages are joined and walked. The
ServerHello gives the version (its ``supported_versions`` extension in TLS 1.3,
its ``legacy_version`` before); a NewSessionTicket message there is a TLS 1.2
ticket (TLS 1.3 tickets are encrypted, and are seen by resumption instead).
Bytes that are no TLS records (a fake library's) give ``None``: nothing to say.
"""

from __future__ import annotations

__all__ = ["WireFacts", "read_server_wire"]

import dataclasses

_HANDSHAKE, _CHANGE_CIPHER_SPEC = 22, 20
_SERVER_HELLO, _NEW_SESSION_TICKET = 2, 4
_SUPPORTED_VERSIONS = 0x002B
_VERSIONS = {0x0303: "1.2", 0x0304: "1.3"}


@dataclasses.dataclass(frozen=True)
class WireFacts:
    """What the server's plaintext handshake showed."""

    tls_version: str
    #: A NewSessionTicket in the plaintext part (TLS 1.2 only; None in TLS 1.3, where it is encrypted).
    tls12_ticket: bool | None


def read_server_wire(wire: bytes) -> WireFacts | None:
    """The facts of a server's handshake bytes, or None if they are not TLS records."""
    messages = _plaintext_handshake(wire)
    if not messages or messages[0][0] != _SERVER_HELLO:
        return None
    version = _server_hello_version(messages[0][1])
    if version is None:
        return None
    ticket = any(kind == _NEW_SESSION_TICKET for kind, _ in messages) if version == "1.2" else None
    return WireFacts(version, ticket)


def _plaintext_handshake(wire: bytes) -> list[tuple[int, bytes]]:
    """The handshake messages before the first ChangeCipherSpec, as (type, body)."""
    payload, at = b"", 0
    while at + 5 <= len(wire):
        kind, length = wire[at], int.from_bytes(wire[at + 3 : at + 5], "big")
        if kind == _CHANGE_CIPHER_SPEC or kind != _HANDSHAKE or wire[at + 1] != 3:
            break
        payload += wire[at + 5 : at + 5 + length]
        at += 5 + length
    messages, at = [], 0
    while at + 4 <= len(payload):
        kind, length = payload[at], int.from_bytes(payload[at + 1 : at + 4], "big")
        if at + 4 + length > len(payload):
            break
        messages.append((kind, payload[at + 4 : at + 4 + length]))
        at += 4 + length
    return messages


def _server_hello_version(body: bytes) -> str | None:
    try:
        legacy = int.from_bytes(body[0:2], "big")
        at = 2 + 32
        at += 1 + body[at]  # session id
        at += 2 + 1  # cipher suite, compression method
        end = at + 2 + int.from_bytes(body[at : at + 2], "big") if at + 2 <= len(body) else at
        at += 2
        while at + 4 <= end:
            kind, length = (
                int.from_bytes(body[at : at + 2], "big"),
                int.from_bytes(body[at + 2 : at + 4], "big"),
            )
            if kind == _SUPPORTED_VERSIONS and length == 2:
                return _VERSIONS.get(int.from_bytes(body[at + 4 : at + 6], "big"))
            at += 4 + length
    except IndexError:
        return None
    return _VERSIONS.get(legacy)
