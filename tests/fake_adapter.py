"""A fake adapter, for testing the suite's machinery only (never the battery).

Design: ``FakeAdapter`` keeps the contract without any TLS. Its two ends speak
a tiny framed protocol over bytes (a type byte, a 4-byte length, a payload):

    client                                server
    HELLO (offered session id, ticket) ->
                                       <- SERVER_HELLO (session id, resumed?)
                                       <- CERTIFICATE (full handshakes only)
                                       <- TICKET (tickets on, TLS 1.2)
    FINISHED                           ->
                                       <- TICKET (tickets on, TLS 1.3: after the handshake)
    DATA, CLOSE                       <->

A full handshake sends a certificate blob of ``leaf_der_length + 100`` bytes,
a resumed one only a few dozen bytes, so the lab's wire check works as with a
real library. The server resumes from its context's cache (session ids) or
from a ticket its own context issued. In TLS 1.3 (``tls13``) the resumable
session arrives after the handshake, in the TICKET message, which the client
takes in ``read``: as in real TLS 1.3, a client that reads nothing holds a
session that cannot resume.

Misbehaviour is data: ``misbehaviour`` maps a contract method name to one of
``MISBEHAVIOURS`` (refuse, raise, abort, hang), applied when the method is
entered. The named subclasses at the end are what pytester runs load with
``--adapter fake_adapter:Name``; ``misbehave`` sets one on an instance.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import struct
import time
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import ClassVar

from conformance import (
    SERVER_NAME,
    Adapter,
    Capability,
    Credentials,
    Facts,
    HandshakeFailed,
    NotObservable,
    ProtocolConfig,
    RawCall,
    Refused,
    Side,
)

__all__ = [
    "MISBEHAVIOURS",
    "AbortingFake",
    "BareFake",
    "DeviatingFake",
    "FakeAdapter",
    "FakeLibraryBug",
    "FakeSession",
    "HangingFake",
    "RaisingFake",
    "RefusingFake",
    "UnbuildableFake",
    "fake_credentials",
]

HELLO, SERVER_HELLO, CERTIFICATE, FINISHED, TICKET, DATA, CLOSE = (bytes([kind]) for kind in b"HSCFTDA")
#: What a fake leaf certificate "weighs"; the fake's full handshake sends more.
FAKE_LEAF_LENGTH = 2000
#: Bytes a full handshake sends beyond the leaf certificate's length.
CERTIFICATE_EXTRA = 100
_HEADER = struct.Struct(">cI")
_ids = itertools.count(1)
_session_ids = itertools.count(1)  # deterministic ids, unlike a real library


class FakeLibraryBug(Exception):
    """What the fake raises when told to raise: an exception outside the vocabulary."""


def _refuse(method: str) -> None:
    raise Refused(method, f"fake library: {method} is not allowed today")


def _raise(method: str) -> None:
    raise FakeLibraryBug(f"fake library bug in {method}")


def _abort(method: str) -> None:
    os.abort()


def _hang(method: str) -> None:
    while True:
        time.sleep(3600)


MISBEHAVIOURS: dict[str, Callable[[str], None]] = {
    "refuse": _refuse,
    "raise": _raise,
    "abort": _abort,
    "hang": _hang,
}


@dataclasses.dataclass(eq=False)
class FakeSession:
    """A session: an id, and its ticket if any (a ticket names the issuing context)."""

    id: bytes
    ticket: bytes = b""
    resumable: bool = True


@dataclasses.dataclass(eq=False)
class FakeContext:
    side: Side
    config: ProtocolConfig
    leaf_der_length: int
    number: int = dataclasses.field(default_factory=lambda: next(_ids))
    #: The server's session-id cache: id -> session.
    cache: dict[bytes, FakeSession] = dataclasses.field(default_factory=dict)
    removals: int = 0


@dataclasses.dataclass(eq=False)
class FakeConnection:
    context: FakeContext
    incoming: bytearray = dataclasses.field(default_factory=bytearray)
    outgoing: bytearray = dataclasses.field(default_factory=bytearray)
    state: str = "start"
    session: FakeSession | None = None
    reused: bool = False
    sent_shutdown: bool = False

    @property
    def side(self) -> Side:
        return self.context.side

    def send(self, kind: bytes, payload: bytes = b"") -> None:
        self.outgoing += _HEADER.pack(kind, len(payload)) + payload

    def messages(self) -> list[tuple[bytes, bytes]]:
        """Every complete message received so far (taken off the incoming buffer)."""
        found = []
        while len(self.incoming) >= _HEADER.size:
            kind, length = _HEADER.unpack_from(self.incoming)
            end = _HEADER.size + length
            if len(self.incoming) < end:
                break
            found.append((kind, bytes(self.incoming[_HEADER.size : end])))
            del self.incoming[:end]
        return found


def _offer(session: FakeSession | None) -> bytes:
    if session is None or not session.resumable:
        return b"\0"
    return bytes([len(session.id)]) + session.id + session.ticket


def _parse_offer(payload: bytes) -> tuple[bytes, bytes]:
    length = payload[0]
    return payload[1 : 1 + length], payload[1 + length :]


def _resumable(context: FakeContext, session_id: bytes, ticket: bytes) -> FakeSession | None:
    """The session the server resumes for this offer, or None (a full handshake)."""
    if context.config.tickets:
        issuer, _, ticket_id = ticket.partition(b":")
        if ticket_id == session_id and issuer == str(context.number).encode():
            return FakeSession(session_id, ticket=ticket)
        return None
    return context.cache.get(session_id) if session_id else None


def _ticket(connection: FakeConnection) -> bytes:
    """A ticket names the server context that issued it (its key, in a real library)."""
    assert connection.session is not None
    return str(connection.context.number).encode() + b":" + connection.session.id


def _take_ticket(connection: FakeConnection, ticket: bytes) -> None:
    _, _, session_id = ticket.partition(b":")
    connection.session = FakeSession(session_id, ticket=ticket)


def fake_credentials(directory: Path) -> Credentials:
    """Credentials the fake understands; nothing here is a real certificate (and no trustme)."""
    files = {name: directory / name for name in ("ca.pem", "chain.pem", "key.pem")}
    for path in files.values():
        path.write_bytes(b"not a certificate")
    return Credentials(
        server_name=SERVER_NAME,
        ca_pem=b"ca",
        cert_chain_pem=b"chain",
        key_pem=b"key",
        ca_file=files["ca.pem"],
        cert_chain_file=files["chain.pem"],
        key_file=files["key.pem"],
        leaf_der_length=FAKE_LEAF_LENGTH,
    )


class FakeAdapter(Adapter):
    """A well-behaved fake library with every capability."""

    name = "fake"
    contract_version = 1
    capabilities = frozenset(Capability)
    #: Contract method name -> a key of ``MISBEHAVIOURS``.
    misbehaviour: ClassVar[Mapping[str, str]] = {}

    def __init__(self) -> None:
        self._misbehaviour = dict(self.misbehaviour)

    def misbehave(self, method: str, how: str) -> None:
        """Make ``method`` refuse, raise, abort or hang from now on."""
        if how not in MISBEHAVIOURS:
            raise ValueError(f"unknown misbehaviour {how!r}; expected one of {sorted(MISBEHAVIOURS)}")
        self._misbehaviour[method] = how

    def _enter(self, method: str) -> None:
        how = self._misbehaviour.get(method)
        if how is not None:
            MISBEHAVIOURS[how](method)

    def facts(self) -> Facts:
        return Facts("fake", "0", "fake-tls", "0", notes=("a fake for the suite's own tests",))

    # -- contexts and connections ------------------------------------------------
    def make_context(self, side: Side, config: ProtocolConfig, credentials: Credentials) -> FakeContext:
        self._enter("make_context")
        return FakeContext(side, config, credentials.leaf_der_length)

    def make_connection(self, context: FakeContext) -> FakeConnection:
        self._enter("make_connection")
        return FakeConnection(context)

    def do_handshake(self, connection: FakeConnection) -> bool:
        self._enter("do_handshake")
        step = self._client_step if connection.side is Side.CLIENT else self._server_step
        # With no message yet, one empty step: a client's first step sends its HELLO.
        for kind, payload in connection.messages() or [(b"", b"")]:
            step(connection, kind, payload)
        return connection.state == "done"

    def _client_step(self, connection: FakeConnection, kind: bytes, payload: bytes) -> None:
        if connection.state == "start":
            connection.send(HELLO, _offer(connection.session))
            connection.state = "hello-sent"
        if kind == SERVER_HELLO and connection.state == "hello-sent":
            self._take_server_hello(connection, payload)
        elif kind == CERTIFICATE and connection.state == "certificate-due":
            connection.state = "answered"
        elif kind == TICKET:
            _take_ticket(connection, payload)
        elif kind:
            raise HandshakeFailed(f"fake: the client got {kind!r} in state {connection.state}")
        if connection.state == "answered":
            connection.send(FINISHED)
            connection.state = "done"

    @staticmethod
    def _take_server_hello(connection: FakeConnection, payload: bytes) -> None:
        resumed, session_id = payload[:1] == b"R", payload[1:]
        connection.reused = resumed
        connection.state = "answered" if resumed else "certificate-due"
        if not resumed:
            # In TLS 1.3 this session cannot resume until its ticket comes (in ``read``).
            tls13 = connection.context.config.tls_version == "1.3"
            connection.session = FakeSession(session_id, resumable=not tls13)

    def _server_step(self, connection: FakeConnection, kind: bytes, payload: bytes) -> None:
        config = connection.context.config
        if kind == HELLO and connection.state == "start":
            self._answer_hello(connection, payload)
            if config.tickets and config.tls_version == "1.2" and not connection.reused:
                # TLS 1.2: inside a full handshake (a resumption keeps its ticket, as OpenSSL's does)
                connection.send(TICKET, _ticket(connection))
            connection.state = "hello-answered"
        elif kind == FINISHED and connection.state == "hello-answered":
            connection.state = "done"
            if config.tickets and config.tls_version == "1.3":
                connection.send(TICKET, _ticket(connection))  # TLS 1.3: after the handshake
        elif kind:
            raise HandshakeFailed(f"fake: the server got {kind!r} in state {connection.state}")

    @staticmethod
    def _answer_hello(connection: FakeConnection, payload: bytes) -> None:
        context = connection.context
        session = _resumable(context, *_parse_offer(payload))
        if session is not None:
            connection.session, connection.reused = session, True
            connection.send(SERVER_HELLO, b"R" + session.id)
            return
        session = FakeSession(next(_session_ids).to_bytes(16, "big"))
        connection.session, connection.reused = session, False
        if context.config.server_cache and not context.config.tickets:
            context.cache[session.id] = session
        connection.send(SERVER_HELLO, b"N" + session.id)
        connection.send(CERTIFICATE, b"\x5a" * (context.leaf_der_length + CERTIFICATE_EXTRA))

    def put_incoming(self, connection: FakeConnection, data: bytes) -> None:
        self._enter("put_incoming")
        connection.incoming += data

    def take_outgoing(self, connection: FakeConnection) -> bytes:
        self._enter("take_outgoing")
        data = bytes(connection.outgoing)
        connection.outgoing.clear()
        return data

    def write(self, connection: FakeConnection, data: bytes) -> None:
        self._enter("write")
        connection.send(DATA, data)

    def read(self, connection: FakeConnection) -> bytes:
        self._enter("read")
        data = b""
        for kind, payload in connection.messages():
            if kind == DATA:
                data += payload
            elif kind == TICKET and connection.side is Side.CLIENT:
                _take_ticket(connection, payload)
        return data

    def shutdown(self, connection: FakeConnection) -> None:
        self._enter("shutdown")
        connection.send(CLOSE)
        connection.sent_shutdown = True

    # -- the API under test --------------------------------------------------------
    def set_session(self, connection: FakeConnection, session: FakeSession | None) -> None:
        self._enter("set_session")
        if session is not None and not isinstance(session, FakeSession):
            raise Refused("set_session", f"fake library: expected a session, got {type(session).__name__}")
        if connection.side is Side.CLIENT:
            connection.session = session

    def get_session(self, connection: FakeConnection) -> FakeSession | None:
        self._enter("get_session")
        return connection.session

    def release(self, handle: object) -> None:
        self._enter("release")

    # -- capabilities ----------------------------------------------------------------
    def session_reused(self, connection: FakeConnection) -> bool:
        self._enter("session_reused")
        return connection.state == "done" and connection.reused

    def session_id(self, session: FakeSession) -> bytes:
        self._enter("session_id")
        return session.id

    def same_session(self, a: FakeSession, b: FakeSession) -> bool:
        return a is b

    def track_session(self, session: FakeSession) -> Callable[[], bool]:
        reference = weakref.ref(session)
        return lambda: reference() is None

    def cache_size(self, context: FakeContext) -> int:
        return len(context.cache)

    def cache_removals(self, context: FakeContext) -> int:
        return context.removals

    def flush_cache(self, context: FakeContext) -> None:
        context.removals += len(context.cache)
        context.cache.clear()

    def set_sent_shutdown(self, connection: FakeConnection) -> None:
        connection.sent_shutdown = True

    def set_session_raw(self, connection: FakeConnection, session: FakeSession | None) -> RawCall:
        try:
            self.set_session(connection, session)
        except Refused as error:
            return RawCall(0, (error.library_error,))
        return RawCall(1, ())

    def make_empty_session(self) -> FakeSession:
        return FakeSession(b"", resumable=False)


# -- the variants pytester runs load by name -----------------------------------------
class RefusingFake(FakeAdapter):
    name = "fake-refusing"
    misbehaviour: ClassVar[Mapping[str, str]] = {"set_session": "refuse"}


class RaisingFake(FakeAdapter):
    name = "fake-raising"
    misbehaviour: ClassVar[Mapping[str, str]] = {"set_session": "raise"}


class AbortingFake(FakeAdapter):
    name = "fake-aborting"
    misbehaviour: ClassVar[Mapping[str, str]] = {"set_session": "abort"}


class HangingFake(FakeAdapter):
    name = "fake-hanging"
    misbehaviour: ClassVar[Mapping[str, str]] = {"set_session": "hang"}


class BareFake(FakeAdapter):
    """The core only: no capability declared, and their methods are the contract's defaults."""

    name = "fake-bare"
    capabilities = frozenset()


for _capability in Capability:
    for _method in _capability.adapter_methods:
        setattr(BareFake, _method, getattr(Adapter, _method))
del _capability, _method


class DeviatingFake(RefusingFake):
    """Refuses set_session, and says so in its own expectations file."""

    name = "fake-deviating"
    expectations_file = Path(__file__).with_name("fake_expectations.toml")


class UnbuildableFake(FakeAdapter):
    """A library that cannot build any protocol configuration."""

    name = "fake-unbuildable"

    def make_context(self, side: Side, config: ProtocolConfig, credentials: Credentials) -> FakeContext:
        raise NotObservable(f"fake-unbuildable cannot pin TLS version {config.tls_version!r}")
