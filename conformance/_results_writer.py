"""Writing a results file as a run goes (the format and its readers: ``_results``).

Design: the life of a results file:

1. the run locks ``<folder>/.<name>.jsonl.lock`` (a second run into the same
   file stops at once, saying which process holds it) and writes its header to
   a hidden temporary file beside the results file;
2. once pytest has collected and the selection is valid (options checked,
   tests found, nothing only collected), the temporary file is moved into place
   (``publish``); a run that stops before leaves an earlier results file as it
   was, byte for byte;
3. each finished test is one line, flushed at once (and synced at the end), so
   a run that is killed keeps every finished test (its file has no end record:
   ``lost``);
4. the end record states how the run ended (``RunState``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import platform
import sys
from pathlib import Path
from typing import IO, TypeVar

import msgspec

from ._catalogue import CATALOGUE
from ._configs import CONFIGS
from ._outcomes import Outcome
from ._records import (
    AdapterInfo,
    ClauseEntry,
    ConfigEntry,
    RunEnd,
    RunHeader,
    RunState,
    StaleExpectation,
    TestResult,
)
from ._results import ResultsFileError, now

__all__ = ["ResultsBusy", "ResultsWriter", "python_command", "run_header"]

_T = TypeVar("_T")


class ResultsBusy(ResultsFileError):
    """Another run is writing the same results file."""


def run_header(adapter: AdapterInfo, suite_version: str, command: str) -> RunHeader:
    """The first line of a results file."""
    return RunHeader(
        suite_version=suite_version,
        adapter=adapter,
        python=platform.python_version(),
        python_implementation=platform.python_implementation(),
        platform=platform.platform(),
        started=now(),
        command=command,
        catalogue=[_entry(ClauseEntry, dataclasses.asdict(clause)) for clause in CATALOGUE],
        configs=[_entry(ConfigEntry, dataclasses.asdict(config)) for config in CONFIGS],
    )


def _entry(kind: type[_T], fields: dict[str, object]) -> _T:
    return msgspec.convert(fields, kind, strict=False)


class ResultsWriter:
    """Writes one run's results file: locked, then temporary, then in place (see the module).

    A flush per line hands each finished record to the kernel, so a run that is
    killed keeps every line it finished; one fsync at the end (not one per line,
    which cost a quarter of a second per battery) makes the file durable.
    """

    def __init__(self, path: Path, header: RunHeader) -> None:
        self.path = path
        self.published = False
        self.closed = False
        self._counts = {outcome: 0 for outcome in Outcome}
        self._unexpected = 0
        self._recorded = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = _lock(path)
            self._temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            self._file: IO[bytes] = self._temporary.open("wb")
        except OSError as error:
            raise ResultsFileError(
                f"{path.parent}: cannot write results there ({error.strerror or error}); "
                "choose another folder with --results-dir"
            ) from None
        self._write(header.to_json())

    @property
    def counts(self) -> dict[Outcome, int]:
        return dict(self._counts)

    @property
    def recorded(self) -> int:
        return self._recorded

    def publish(self) -> None:
        """Move the results file into place: the selection is valid and tests will run."""
        if not self.published and not self.closed:
            os.replace(self._temporary, self.path)
            self.published = True

    def add(self, result: TestResult) -> None:
        self._counts[result.outcome] += 1
        self._unexpected += not result.as_expected
        self._recorded += 1
        self._write(result.to_json())

    def close(
        self,
        state: RunState,
        *,
        exit_status: int,
        selected: int,
        complete_selection: bool,
        stale: list[StaleExpectation],
    ) -> None:
        """Write the end record (if the file was published) and release the lock."""
        if self.closed:
            return
        if self.published:
            end = RunEnd(
                state=state,
                finished=now(),
                counts=self._counts,
                unexpected=self._unexpected,
                exit_status=exit_status,
                selected=selected,
                recorded=self._recorded,
                complete_selection=complete_selection,
                stale_expectations=stale,
            )
            self._write(end.to_json())
        self.discard()

    def discard(self) -> None:
        """Close without an end record; an unpublished file is removed. Idempotent."""
        if self.closed:
            return
        self.closed = True
        if self.published:
            with contextlib.suppress(OSError):
                os.fsync(self._file.fileno())
        self._file.close()
        if not self.published:
            with contextlib.suppress(OSError):
                self._temporary.unlink()
        self._lock.close()

    def _write(self, line: bytes) -> None:
        self._file.write(line + b"\n")
        self._file.flush()


class _Lock:
    def __init__(self, path: Path, handle: IO[str]) -> None:
        self.path, self._handle = path, handle

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink()
        self._handle.close()


def _lock(results: Path) -> _Lock:
    """An exclusive lock on ``results``; ``ResultsBusy`` names the process that holds it."""
    path = results.with_name(f".{results.name}.lock")
    while True:
        handle = path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise ResultsBusy(
                f"{results}: another run ({holder}) is writing this results file; wait for it to "
                "end, or give this run its own --results-dir"
            ) from None
        # The holder before us may have removed the file after we opened it: lock the one in place.
        try:
            same = os.stat(path).st_ino == os.fstat(handle.fileno()).st_ino
        except FileNotFoundError:
            same = False
        if same:
            handle.truncate(0)
            handle.write(f"pid {os.getpid()}, started {now()}\n")
            handle.flush()
            return _Lock(path, handle)
        handle.close()


def python_command() -> str:
    """The command line that started this run, as the user typed it (near enough)."""
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    if program in ("__main__.py", "-m", "-c", ""):
        program = "python -m conformance" if "conformance" in (sys.argv[0] or "") else "python"
    return " ".join([program, *sys.argv[1:]])
