"""Adversarial fake libraries: the ways a library nobody tuned the suite on may differ.

Design: each is a ``FakeAdapter`` (tests/fake_adapter.py) changed in one way,
modelled on a real library or a plausible one, so that ``test_adversaries``
can run the whole battery against it and hold every outcome to a table of
what each clause must get. None of them is a mock of TLS inside the battery:
they test the suite's own machinery (no pass without a check, no fail without
a cause).
"""

from __future__ import annotations

import os

from fake_adapter import FakeAdapter, FakeConnection, FakeSession

from conformance import Capability, Refused, Side

__all__ = ["AbortAfterHandshakeFake", "CopyingFake", "IgnoringFake", "NoSessionsFake", "RefuseEverySetFake"]


class NoSessionsFake(FakeAdapter):
    """An ssl-like API with no session support: the getter gives None, the setter is rejected."""

    name = "fake-no-sessions"
    capabilities = frozenset(Capability) - {Capability.RAW_RETURN, Capability.EMPTY_SESSION}

    def get_session(self, connection: FakeConnection) -> FakeSession | None:
        return None

    def set_session(self, connection: FakeConnection, session: FakeSession | None) -> None:
        raise Refused("set_session", "fake library: sessions are not supported")


class RefuseEverySetFake(FakeAdapter):
    """Refuses every set, whatever the connection and the session (with a reason)."""

    name = "fake-refuse-every-set"

    def set_session(self, connection: FakeConnection, session: FakeSession | None) -> None:
        raise Refused("set_session", "fake library: setting a session is not allowed")


class IgnoringFake(FakeAdapter):
    """Accepts every set and ignores it: the connection goes on as if nothing was set."""

    name = "fake-ignoring"

    def set_session(self, connection: FakeConnection, session: FakeSession | None) -> None:
        if session is not None and not isinstance(session, FakeSession):
            raise Refused("set_session", f"fake library: expected a session, got {type(session).__name__}")


class CopyingFake(FakeAdapter):
    """wolfSSL's model: the set copies the session into the connection's own object (no reference)."""

    name = "fake-copying"

    def set_session(self, connection: FakeConnection, session: FakeSession | None) -> None:
        if session is not None and not isinstance(session, FakeSession):
            raise Refused("set_session", f"fake library: expected a session, got {type(session).__name__}")
        if session is None:
            raise Refused("set_session", "fake library: no session given")
        if connection.side is Side.CLIENT:
            connection.session = FakeSession(session.id, session.ticket, session.resumable)


class AbortAfterHandshakeFake(FakeAdapter):
    """BoringSSL's model: any set on a connection that has begun a handshake aborts the process."""

    name = "fake-abort-after-handshake"

    def set_session(self, connection: FakeConnection, session: FakeSession | None) -> None:
        if connection.state != "start":
            os.abort()
        super().set_session(connection, session)
