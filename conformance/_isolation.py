"""Crash isolation: each battery test body runs in a forked child process.

Design: a library may abort, crash or hang on a documented call. The child
runs the body and streams its evidence steps to the parent as JSON lines, then
its ending; the parent waits with a time limit. A child that dies of a signal
is a ``crash`` (the signal named, the steps up to the crash kept); one that
runs out of time is killed and is a ``timeout``. A fork costs about a
millisecond, so every test can have one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import select
import signal
import time
import traceback
from collections.abc import Callable
from typing import Any

from ._errors import HandshakeFailed, LibraryFault
from ._evidence import Contradiction, Evidence
from ._outcomes import Outcome, outcome_of_exception

__all__ = ["Child", "Ending", "run_here", "run_in_child", "start_child"]

Ending = dict[str, Any]  # {"outcome", "reason", "evidence", "expected", "observed"}


def ending_of(body: Callable[[], None], evidence: Evidence) -> Ending:
    """Run ``body`` and describe how it ended (in the current process)."""
    try:
        body()
    except BaseException as error:  # every ending of a test body is an outcome
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        outcome = outcome_of_exception(error)
        reason = str(error) or type(error).__name__
        if outcome is Outcome.ERROR:
            reason = "".join(traceback.format_exception_only(error)).strip()
            evidence.note("traceback:\n" + "".join(traceback.format_exception(error)))
        ending: Ending = {"outcome": outcome.value, "reason": reason}
        if isinstance(error, Contradiction):
            ending["expected"] = error.check.expected
            ending["observed"] = error.check.observed
        elif isinstance(error, HandshakeFailed):
            ending["expected"] = "the handshake completes"
            ending["observed"] = f"it failed: {reason}"
        elif isinstance(error, LibraryFault):
            ending["expected"] = "a designed answer: success, or a clear error"
            ending["observed"] = f"the library broke inside the call: {reason}"
    else:
        ending = {"outcome": Outcome.PASS.value, "reason": ""}
    ending["evidence"] = evidence.to_json()
    return ending


def run_here(body: Callable[[], None], evidence: Evidence) -> Ending:
    return ending_of(body, evidence)


def run_in_child(body: Callable[[], None], evidence: Evidence, timeout: float) -> Ending:
    """Run ``body`` in a forked child; crashes and hangs become outcomes."""
    return start_child(body, evidence).finish(timeout)


@dataclasses.dataclass
class Child:
    """A test body running in a forked child, not yet waited for (see ``start_child``)."""

    pid: int
    read_end: int

    def finish(self, timeout: float) -> Ending:
        """Read the child's steps and ending, waiting at most ``timeout`` seconds from now."""
        try:
            lines, timed_out = _collect(self.read_end, timeout)
        finally:
            os.close(self.read_end)
        if timed_out:
            os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        return _ending_from(lines, status, timed_out, timeout)

    def abandon(self) -> None:
        """Kill a child whose ending is no longer wanted (a run stopped early), and reap it."""
        os.close(self.read_end)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def start_child(body: Callable[[], None], evidence: Evidence) -> Child:
    """Fork a child that runs ``body``; its time limit starts when it is finished.

    Several children may run at once (``conformance run -j N``); each streams into its
    own pipe, which holds far more than a test's evidence, so none waits for the parent.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        _child(body, evidence, write_end)
    os.close(write_end)
    return Child(pid, read_end)


def _child(body: Callable[[], None], evidence: Evidence, fd: int) -> None:
    def send(record: dict[str, Any]) -> None:
        os.write(fd, (json.dumps(record) + "\n").encode())

    evidence.on_step = lambda step: send({"step": step})
    evidence.on_op = lambda index, op: send({"op": op, "at": index})
    try:
        send({"ending": ending_of(body, evidence)})
    finally:
        os._exit(0)  # never run the parent's cleanup (pytest, atexit) in the child


def _collect(fd: int, timeout: float) -> tuple[list[dict[str, Any]], bool]:
    deadline = time.monotonic() + timeout
    buffer = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return _lines(buffer), True
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            return _lines(buffer), False
        buffer += chunk


def _lines(buffer: bytes) -> list[dict[str, Any]]:
    records = []
    for line in buffer.splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            break  # a line cut by the child's death
    return records


def _ending_from(lines: list[dict[str, Any]], status: int, timed_out: bool, timeout: float) -> Ending:
    endings = [line["ending"] for line in lines if "ending" in line]
    if endings and not timed_out:
        return endings[0]
    steps = [line["step"] for line in lines if "step" in line]
    entries = {line["at"]: line["op"] for line in lines if "op" in line}  # the latest of each wins
    trace = [entries[index] for index in sorted(entries)]
    evidence = {"steps": steps, "checks": [], "notes": [], "trace": trace}
    if timed_out:
        last = steps[-1] if steps else "(before the first step)"
        reason = f"the test ran past its {timeout:g} s limit and was killed; last step: {last}"
        return {"outcome": Outcome.TIMEOUT.value, "reason": reason, "evidence": evidence}
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        last = steps[-1] if steps else "(before the first step)"
        reason = f"the process died of signal {name} ({number}); last step: {last}"
        return {"outcome": Outcome.CRASH.value, "reason": reason, "evidence": evidence}
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
    reason = f"the test process exited with status {code} before reporting an ending"
    return {"outcome": Outcome.ERROR.value, "reason": reason, "evidence": evidence}
