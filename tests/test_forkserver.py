"""The fork server: test children forked by a warm process of the run's own, with the same endings."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import pytest

from conformance._evidence import Evidence
from conformance._forkserver import ForkServer, ForkServerGone
from conformance._outcomes import Outcome


def passes(evidence: Evidence) -> None:
    evidence.note(f"parent {os.getppid()}")
    evidence.check("one is one", 1, 1)


def aborts(evidence: Evidence) -> None:
    evidence.did("about to abort")
    os.abort()


def hangs(evidence: Evidence) -> None:
    time.sleep(60)


def raises(evidence: Evidence) -> None:
    raise ValueError("a bug in the body")


BODIES: list[Callable[[Evidence], None]] = [passes, aborts, hangs, raises]


def body_of(number: int) -> tuple[Callable[[], None], Evidence]:
    if number >= len(BODIES):
        raise LookupError(f"no test number {number}")
    evidence = Evidence()
    return (lambda: BODIES[number](evidence)), evidence


@pytest.fixture
def server():
    started = ForkServer.start(body_of)
    yield started
    started.close()


def test_a_child_of_the_server_runs_the_numbered_body(server) -> None:
    ending = server.start_child(0).finish(timeout=10)
    assert ending.outcome is Outcome.PASS
    assert ending.evidence.notes == [f"parent {server.pid}"]  # forked by the server, not by this process


def test_a_crash_in_a_child_of_the_server_is_a_crash_with_its_signal(server) -> None:
    ending = server.start_child(1).finish(timeout=10)
    assert ending.outcome is Outcome.CRASH
    assert "SIGABRT" in ending.reason and "about to abort" in ending.reason


def test_a_hanging_child_of_the_server_is_killed_at_its_time_limit(server) -> None:
    ending = server.start_child(2).finish(timeout=0.5)
    assert ending.outcome is Outcome.TIMEOUT


def test_errors_in_the_body_and_in_making_it_are_errors(server) -> None:
    assert server.start_child(3).finish(timeout=10).outcome is Outcome.ERROR
    unknown = server.start_child(99).finish(timeout=10)
    assert unknown.outcome is Outcome.ERROR
    assert "no test number 99" in unknown.reason


def test_children_run_at_once_and_end_in_any_order(server) -> None:
    children = [server.start_child(number) for number in (2, 0, 1)]
    endings = [children[1].finish(10), children[2].finish(10), children[0].finish(0.2)]
    assert [e.outcome for e in endings] == [Outcome.PASS, Outcome.CRASH, Outcome.TIMEOUT]


def test_a_dead_server_is_reported_gone(server) -> None:
    os.kill(server.pid, signal.SIGKILL)
    os.waitpid(server.pid, 0)
    with pytest.raises(ForkServerGone):
        server.start_child(0)


def test_a_closed_server_ends(server) -> None:
    server.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(server.pid, os.WNOHANG)  # reaped by close
