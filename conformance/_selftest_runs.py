"""The self-test's battery runs: one forked child per target, ``jobs`` at once, from a warm parent.

Design: the self-test runs the same battery some thirty times, against the
baselines and the mutants. A fresh interpreter per run would import Python,
pytest, the suite and the adapters thirty times over; instead the self-test
imports them once (``warm_up``) and forks a child per run, which calls the
``conformance run`` command in-process (``run_battery``) and exits. Each child
is a battery run like any other: its tests still run in children of their own
(crash isolation is the battery's, unchanged), its output goes to a temporary
file that is shown only when the run wrote no results file, and it reports
back one line on a pipe: the results file, or why there is none. A child that
dies without reporting is a run that could not be judged, never a lost one.

The parent holds no thread when it forks, and runs at most ``jobs`` children
at once, starting the runs in the order given.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import select
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, NoReturn

__all__ = ["default_jobs", "fork_each", "run_battery", "warm_up"]

#: What the run's output shows of itself when it wrote no results file.
TAIL_CHARS = 600
#: What a child's answer keeps of a reason (the pipe's buffer holds it whole, so the child never waits).
ANSWER_CHARS = 4000


def default_jobs() -> int:
    """One battery run per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def warm_up(modules: Iterable[str]) -> None:
    """Import what every battery run imports (pytest and its plugins, the suite, ``modules``) once."""
    import _pytest.config
    import pytest  # noqa: F401

    from . import _cli, _pytest_plugin  # noqa: F401

    names = [f"_pytest.{plugin}" for plugin in _pytest.config.default_plugins]
    for name in (*names, *modules):
        try:
            importlib.import_module(name)
        except Exception:  # an import that fails here fails again, and is reported, in the run
            continue


def run_battery(target: str, folder: Path) -> Path:
    """Run the battery against ``target`` without expectations, in this process; its results file.

    Meant for a child of ``fork_each``: what the run prints goes to a temporary file, shown in
    the error when it wrote no results file.
    """
    from ._cli import main
    from ._mutants import MutantError

    shutil.rmtree(folder, ignore_errors=True)  # never read a file of an earlier run
    # One test child at a time: the self-test already runs one battery per core.
    options = ["--no-expectations", "--results-dir", str(folder), "-q", "-p", "no:cacheprovider", "-j", "1"]
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as output:
        with _output_to(output):
            status = main(["run", target, *options])
        files = sorted(folder.glob("*.jsonl"))
        if len(files) == 1:
            return files[0]
        output.seek(0)
        tail = output.read().strip()[-TAIL_CHARS:]
    raise MutantError(f"the battery run of {target} wrote no results file (exit {status}): {tail}")


@contextlib.contextmanager
def _output_to(file: IO[str]) -> Iterator[None]:
    """Standard output and error sent to ``file`` for a while: the streams, and the descriptors
    (so that what the run's children print goes there too)."""
    streams = sys.stdout, sys.stderr
    for stream in streams:
        stream.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        os.dup2(file.fileno(), 1)
        os.dup2(file.fileno(), 2)
        sys.stdout = sys.stderr = file
        yield
    finally:
        file.flush()
        sys.stdout, sys.stderr = streams
        for number, descriptor in zip((1, 2), saved):
            os.dup2(descriptor, number)
            os.close(descriptor)


def fork_each(run: Callable[[str], Path], targets: Sequence[str], jobs: int) -> dict[str, Path | str]:
    """``run(target)`` for every target, each in a forked child, ``jobs`` at once.

    Returns, per target, the path the child returned, or a one-line reason why there is none.
    """
    pending = list(reversed(targets))
    running: dict[int, _Child] = {}  # read end of its pipe -> the child
    done: dict[str, Path | str] = {}
    try:
        while pending or running:
            while pending and len(running) < max(1, jobs):
                child = _Child(run, pending.pop())
                running[child.reader] = child
            ready, _, _ = select.select(list(running), [], [])
            for reader in ready:
                if running[reader].read():
                    child = running.pop(reader)
                    done[child.target] = child.answer()
    finally:
        for child in running.values():  # interrupted: end the runs still going
            child.kill()
    return {target: done[target] for target in targets}


class _Child:
    """One battery run in a forked child, and the line it answers on its pipe."""

    def __init__(self, run: Callable[[str], Path], target: str) -> None:
        self.target = target
        self.received = b""
        self.reader, writer = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if not self.pid:
            _child(run, target, self.reader, writer)
        os.close(writer)

    def read(self) -> bool:
        """Take what the pipe holds; whether the answer is complete (a line, or the end of the pipe).

        Not the end of the pipe alone: a test child the run left behind may still hold it open.
        """
        chunk = os.read(self.reader, 1 << 16)
        self.received += chunk
        return not chunk or self.received.endswith(b"\n")

    def answer(self) -> Path | str:
        os.close(self.reader)
        _, status = os.waitpid(self.pid, 0)
        try:
            answer = json.loads(self.received)
        except ValueError:
            if os.WIFSIGNALED(status):
                ending = f"was killed by {signal.Signals(os.WTERMSIG(status)).name}"
            else:
                ending = f"ended with exit status {os.waitstatus_to_exitcode(status)}"
            return f"the battery run of {self.target} {ending} before it said how it went"
        return Path(answer["path"]) if "path" in answer else str(answer["problem"])

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.reader)


def _child(run: Callable[[str], Path], target: str, reader: int, writer: int) -> NoReturn:
    """In the child: run, say how it went in one line, and leave without the parent's clean-up."""
    code = 1
    try:
        os.close(reader)
        try:
            answer = {"path": str(run(target))}
        except Exception as error:  # every way a run can fail is its answer
            answer = {"problem": (str(error) or type(error).__name__)[:ANSWER_CHARS]}
        os.write(writer, json.dumps(answer).encode() + b"\n")
        code = 0
    finally:
        os._exit(code)
