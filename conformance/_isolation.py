"""Crash isolation: each battery test body runs in a forked child process.

Design: a library may abort, crash or hang on a documented call. The child
runs the body and streams its evidence steps and trace entries to the parent
as ``Step`` and ``Traced`` records, then its ``Ending`` (see ``_records``); the parent waits with a time
limit. A child that dies of a signal is a ``crash`` (the signal named, the
steps up to the crash kept); one that runs out of time is killed and is a
``timeout``. Battery tests are forked by a fork server (``_forkserver``).

The child's lifetime is bounded by the parent's: it leads a process group of
its own (so a timeout, an interrupted run or the end of the test ends every
process the adapter started, grandchildren included), and it asks the kernel
for SIGKILL when the parent dies (``PR_SET_PDEATHSIG``; elsewhere an alarm of
its own). The parent stops reading at the ending and never waits for a
grandchild to close the pipe; what it keeps of the stream, and how, is
``_child_report``'s.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import dataclasses
import functools
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from typing import NoReturn

from ._child_report import ChildReport, collect
from ._errors import HandshakeFailed, LibraryFault
from ._evidence import Contradiction, Evidence, EvidenceRecord
from ._outcomes import Outcome, describe_exception, outcome_of_exception
from ._records import Ending, Step, Traced

__all__ = [
    "Child",
    "Ending",
    "bound_lifetime",
    "ending_of",
    "fork",
    "run_child",
    "run_in_child",
    "run_in_process",
    "start_child",
]

#: Where the kernel cannot end a child with its parent, the child ends itself after this long (s).
LIFETIME_WITHOUT_PRCTL = 3600
#: What the child sends of one text (a reason, a note, a step); the rest is cut with a note.
TEXT_BYTES = 64 * 1024
_LINE_END = b"\n"


def ending_of(body: Callable[[], None], evidence: Evidence) -> Ending:
    """Run ``body`` and describe how it ended (in the current process)."""
    try:
        body()
    except BaseException as error:  # every ending of a test body is an outcome
        outcome = outcome_of_exception(error)
        expected = observed = None
        if outcome is Outcome.ERROR:
            reason = describe_exception(error)
            evidence.note("traceback:\n" + "".join(traceback.format_exception(error)))
        else:
            reason = str(error) or type(error).__name__
        if isinstance(error, Contradiction):
            expected, observed = error.check.expected, error.check.observed
        elif isinstance(error, HandshakeFailed):
            expected, observed = "the handshake completes", f"it failed: {reason}"
        elif isinstance(error, LibraryFault):
            expected = "a designed answer: success, or a clear error"
            observed = f"the library broke inside the call: {reason}"
        return Ending(
            outcome=outcome, reason=reason, expected=expected, observed=observed, evidence=evidence.record()
        )
    return Ending(outcome=Outcome.PASS, evidence=evidence.record())


def run_in_process(body: Callable[[], None], evidence: Evidence) -> Ending:
    """``ending_of`` without a child (``--no-isolation``); the user's Ctrl-C still ends the run.

    A ``KeyboardInterrupt`` that the body raises itself is its ending (an error naming
    it); one that comes from SIGINT is the user's and goes on up.
    """
    with _sigint_noted() as interrupted:
        ending = ending_of(body, evidence)
    if interrupted:
        raise KeyboardInterrupt
    return ending


@contextlib.contextmanager
def _sigint_noted() -> Iterator[list[bool]]:
    noted: list[bool] = []
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield noted
        return

    def handler(number: int, frame: object) -> None:
        noted.append(True)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield noted
    finally:
        signal.signal(signal.SIGINT, previous)


def run_in_child(body: Callable[[], None], evidence: Evidence, timeout: float) -> Ending:
    """Run ``body`` in a forked child; crashes and hangs become outcomes."""
    return start_child(body, evidence).finish(timeout)


def _waitpid(pid: int) -> int:
    return os.waitpid(pid, 0)[1]


@dataclasses.dataclass
class Child:
    """A test body running in a forked child, not yet waited for (see ``start_child``).

    ``reap`` waits for it and gives its exit status: ``os.waitpid`` for a child of this
    process, the fork server's answer for one of its children (``_forkserver``);
    ``release`` reaps it when its status is not wanted.
    """

    pid: int
    read_end: int
    reap: Callable[[int], int] = _waitpid
    #: Reaps a killed child whose status is not wanted (the fork server does it in its own time).
    release: Callable[[int], object] = _waitpid

    def finish(self, timeout: float) -> Ending:
        """Read the child's steps and ending, waiting at most ``timeout`` seconds from now."""
        try:
            report = ChildReport()
            timed_out = collect(self.read_end, timeout, report)
        except BaseException:  # an interrupted run leaves no child behind
            self.abandon()
            raise
        os.close(self.read_end)
        if report.ending is not None and not timed_out:
            # Its ending is in: the child, and whatever it left (a grandchild holding the pipe), go
            # now; its exit status says nothing more. The group is still its own: it is not reaped.
            _end_group(self.pid)
            self.release(self.pid)
            return report.ending
        _end_group(self.pid)
        status = self.reap(self.pid)
        _end_group(self.pid, leader_reaped=True)  # what the adapter left (a grandchild holding the pipe)
        return _ending_from(report, status, timed_out, timeout)

    def abandon(self) -> None:
        """Kill a child (and its group) whose ending is no longer wanted, and reap it."""
        with contextlib.suppress(OSError):
            os.close(self.read_end)
        _end_group(self.pid)
        with contextlib.suppress(ChildProcessError):
            self.reap(self.pid)


def start_child(body: Callable[[], None], evidence: Evidence) -> Child:
    """Fork a child that runs ``body``; its time limit starts when it is finished.

    Several children may run at once (``conformance run -j N``); each streams into its
    own pipe (a child whose pipe is full waits for ``finish`` to read it).
    """
    _prctl()  # resolved before the fork, once
    read_end, write_end = os.pipe()
    parent = os.getpid()
    try:
        pid = fork()
    except BaseException:
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # the child
        os.close(read_end)
        run_child(body, evidence, write_end, parent)
    os.close(write_end)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also done by the child: whichever runs first
    return Child(pid, read_end)


#: Signals held back while forking: Python runs fork's own handlers (logging's locks) in
#: between, and a Ctrl-C raised inside one of them would be lost ("unraisable").
_HELD = frozenset({signal.SIGINT, signal.SIGTERM})


def fork() -> int:
    """``os.fork`` with SIGINT and SIGTERM held back until it returns (in both processes)."""
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
        _settle()  # a signal that came just before the block is raised here, before the fork
        return os.fork()
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)


def _settle() -> None:
    """A Python call: the interpreter runs pending signal handlers on entering it."""


# -- the child ------------------------------------------------------------------------------


def run_child(body: Callable[[], None], evidence: Evidence, fd: int, parent: int) -> NoReturn:
    """In a forked child: run ``body``, streaming its steps and ending into ``fd``; never returns."""
    try:
        bound_lifetime(parent)

        def send(record: Step | Traced | Ending) -> None:
            _write_all(fd, record.to_json() + _LINE_END)

        evidence.on_step = lambda step: send(Step(text=_cut(step)))
        evidence.on_op = lambda index, op: send(Traced(at=index, op=op))
        send(_bounded(ending_of(body, evidence)))
    finally:
        os._exit(0)  # never run the parent's cleanup (pytest, atexit) in the child


def bound_lifetime(parent: int) -> None:
    """Lead a process group; die with the parent (or, without prctl, at an alarm)."""
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)
    if not _die_with_parent():
        signal.alarm(LIFETIME_WITHOUT_PRCTL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _die_with_parent() -> bool:
    prctl = _prctl()
    return prctl is not None and prctl(1, signal.SIGKILL, 0, 0, 0) == 0  # 1: PR_SET_PDEATHSIG


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's prctl, found once in the parent (``find_library`` runs ldconfig: ms per child)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl
    except (OSError, AttributeError):
        return None


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _cut(text: str) -> str:
    if len(text) <= TEXT_BYTES:
        return text
    return f"{text[:TEXT_BYTES]}... ({len(text):,} characters in all; the rest cut)"


def _bounded(ending: Ending) -> Ending:
    """Every text of the ending cut to ``TEXT_BYTES``, so that it fits the parent's limit."""
    evidence = ending.evidence
    return Ending(
        outcome=ending.outcome,
        reason=_cut(ending.reason),
        expected=None if ending.expected is None else _cut(ending.expected),
        observed=None if ending.observed is None else _cut(ending.observed),
        evidence=EvidenceRecord(
            steps=[_cut(s) for s in evidence.steps[-1000:]],
            checks=evidence.checks[-100:],
            notes=[_cut(n) for n in evidence.notes[-20:]],
            trace=evidence.trace[-2000:],
        ),
    )


# -- the parent -----------------------------------------------------------------------------


def _end_group(pid: int, leader_reaped: bool = False) -> None:
    """SIGKILL to the child's process group (and to the child, unless it is reaped: its pid is free)."""
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    if not leader_reaped:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def _ending_from(report: ChildReport, status: int, timed_out: bool, timeout: float) -> Ending:
    if report.ending is not None and not timed_out:
        return report.ending
    evidence = EvidenceRecord(steps=report.steps, trace=[report.entries[i] for i in sorted(report.entries)])
    if report.set_aside:
        evidence.notes.append(f"{report.set_aside:,} bytes of the child's report set aside (over the limit)")
    last = report.steps[-1] if report.steps else "(before the first step)"
    if timed_out:
        reason = f"the test ran past its {timeout:g} s limit and was killed; last step: {last}"
        return Ending(outcome=Outcome.TIMEOUT, reason=reason, evidence=evidence)
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        reason = f"the process died of signal {name} ({number}); last step: {last}"
        return Ending(outcome=Outcome.CRASH, reason=reason, evidence=evidence)
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
    reason = f"the test process exited with status {code} before reporting an ending; last step: {last}"
    return Ending(outcome=Outcome.ERROR, reason=reason, evidence=evidence)
