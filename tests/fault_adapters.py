"""Fault adapters: one fault each, over the fake, for the regression tests of the run's machinery.

Each class breaks one thing a careful tester broke on purpose (issue 10): the
tests run it with ``--adapter fault_adapters:NAME`` and check that the run
tells the truth about it. Some write their pid to ``$FAULT_PID_FILE`` so a test
can see that no process of theirs outlives the run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from fake_adapter import FakeAdapter, FakeConnection, FakeSession

from conformance import Facts


def _note_pid() -> None:
    path = os.environ.get("FAULT_PID_FILE")
    if path:
        with open(path, "a", encoding="utf-8") as file:
            file.write(f"{os.getpid()}\n")


class SlowFake(FakeAdapter):
    """Every set_session takes a while: long enough to interrupt a run in the middle."""

    name = "fault-slow"
    misbehaviour: ClassVar[Mapping[str, str]] = {}

    def set_session(self, connection: FakeConnection, session: FakeSession | None) -> None:
        time.sleep(float(os.environ.get("FAULT_DELAY", "0.3")))
        super().set_session(connection, session)


class HangingForeverFake(FakeAdapter):
    """set_session notes its pid and hangs: the child a killed parent must not leave behind."""

    name = "fault-hanging"

    def set_session(self, connection: FakeConnection, session: FakeSession | None) -> None:
        _note_pid()
        while True:
            time.sleep(3600)


class SystemExitFake(FakeAdapter):
    name = "fault-system-exit"

    def set_session(self, connection: FakeConnection, session: FakeSession | None) -> None:
        raise SystemExit(5)


class KeyboardInterruptFake(FakeAdapter):
    name = "fault-keyboard-interrupt"

    def set_session(self, connection: FakeConnection, session: FakeSession | None) -> None:
        raise KeyboardInterrupt


class HugeErrorFake(FakeAdapter):
    """An error whose text is 40 MB: recorded as the error it is, cut, not as a timeout."""

    name = "fault-huge-error"

    def set_session(self, connection: FakeConnection, session: FakeSession | None) -> None:
        raise ValueError("x" * 40_000_000)


class GrandchildFake(FakeAdapter):
    """set_session, in a test's child, forks a grandchild that holds the pipe open and sleeps."""

    name = "fault-grandchild"

    def __init__(self) -> None:
        super().__init__()
        self._parent = os.getpid()  # the warm parent calls set_session too: no grandchild there

    def set_session(self, connection: FakeConnection, session: FakeSession | None) -> None:
        if os.getpid() != self._parent and os.fork() == 0:
            _note_pid()
            time.sleep(600)
            os._exit(0)
        super().set_session(connection, session)


class ConstructorFake(FakeAdapter):
    name = "fault-constructor"

    def __init__(self) -> None:
        raise RuntimeError("the fake cannot start")


class FactsRaisingFake(FakeAdapter):
    name = "fault-facts-raise"

    def facts(self) -> Facts:
        raise RuntimeError("no facts today")


class FactsNoneFake(FakeAdapter):
    name = "fault-facts-none"

    def facts(self) -> Any:
        return None


class NoneHandshakeFake(FakeAdapter):
    """do_handshake returns None: the adapter's bug (error), not the library's fail."""

    name = "fault-none-handshake"

    def do_handshake(self, connection: FakeConnection) -> Any:
        super().do_handshake(connection)
        return None


class StringReusedFake(FakeAdapter):
    """session_reused returns the string "False"."""

    name = "fault-string-reused"

    def session_reused(self, connection: FakeConnection) -> Any:
        return str(super().session_reused(connection))


class EscapingFake(FakeAdapter):
    """ESC sequences in its name, its facts and its library's error text."""

    name = "fault-\x1b]0;owned\x07escape"

    def facts(self) -> Facts:
        return Facts("fake\x1b[2J", "0", "fake-tls\x1b]0;title\x07", "0", notes=("\x1b[31mred\x1b[0m",))

    def set_session(self, connection: FakeConnection, session: FakeSession | None) -> None:
        raise ValueError("library says \x1b[2J\x1b]0;owned\x07")
