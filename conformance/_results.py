"""Results files: one JSON Lines file per adapter run, written as the run goes.

Design: the first line describes the run (``RunHeader``: schema and suite
version, the adapter, its facts and capabilities, Python, platform, date, and
the clause catalogue, so a report can be made from the file alone, later and
elsewhere); then one ``TestResult`` line per finished test; then a ``RunEnd``
line that says how the run ended. The records and their schema are in
``_records``.

The life of a results file:

1. the run locks ``<folder>/.<name>.jsonl.lock`` (a second run into the same
   file stops at once, saying which process holds it) and writes its header to
   a hidden temporary file beside the results file;
2. once pytest has collected and the selection is valid (options checked,
   tests found, nothing only collected), the temporary file is moved into place
   (``publish``); a run that stops before leaves an earlier results file as it
   was, byte for byte;
3. each finished test is one line, flushed and synced at once, so a run that
   is killed keeps every finished test (its file has no end record: ``lost``);
4. the end record states how the run ended (``RunState``).

Readers validate every line against the schema, and refuse a second header, a
record after the end and a test recorded twice, naming the line.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import fcntl
import os
import platform
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TypeVar

import msgspec

from ._catalogue import CATALOGUE
from ._configs import CONFIGS
from ._outcomes import Outcome
from ._records import (
    SCHEMA,
    SCHEMA_VERSION,
    AdapterInfo,
    ClauseEntry,
    ConfigEntry,
    RecordError,
    RunEnd,
    RunHeader,
    RunState,
    StaleExpectation,
    TestResult,
    decode_line,
)

__all__ = [
    "RESULTS_DIR",
    "SCHEMA",
    "SCHEMA_VERSION",
    "ResultsBusy",
    "ResultsFileError",
    "ResultsWriter",
    "Run",
    "read_results",
    "run_header",
]

#: Where results files go unless ``--results-dir`` says otherwise (and where reports read them).
RESULTS_DIR = Path("reports/results")


_T = TypeVar("_T")


class ResultsFileError(Exception):
    """A results file that cannot be read or written; the message says where and why."""


class ResultsBusy(ResultsFileError):
    """Another run is writing the same results file."""


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


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


# -- reading --------------------------------------------------------------------------------


@dataclasses.dataclass
class Run:
    """One run, read back from a results file or a merged file."""

    path: Path
    header: RunHeader
    tests: list[TestResult]
    end: RunEnd | None
    #: Where it was read from, for people: a file name (never an absolute path).
    origin: str = ""

    @property
    def adapter_name(self) -> str:
        return self.header.adapter.name

    @property
    def state(self) -> str:
        """``complete``, ``interrupted``, ``stopped-early``, ``crashed``, or ``lost`` (no end record)."""
        return self.end.state.value if self.end else "lost"

    @property
    def complete(self) -> bool:
        """Every selected test ran and left its record."""
        return self.end is not None and self.end.state is RunState.COMPLETE

    @property
    def partial_selection(self) -> bool:
        return self.end is not None and not self.end.complete_selection

    def describe_state(self) -> str:
        """How the run ended, in a few words for people."""
        recorded = f"{len(self.tests)} test(s) recorded"
        if self.end is None:
            return f"lost: no end record, the run was killed or its file cut ({recorded})"
        if self.end.state is RunState.COMPLETE:
            return f"complete ({recorded})"
        return f"{self.end.state.value} ({recorded} of {self.end.selected} selected)"

    @property
    def label(self) -> str:
        """The run's label (``--label``, or the adapter's name plus a named build's version)."""
        return self.header.adapter.label or self.adapter_name


def read_results(path: Path) -> Run:
    """Read a results file; raise ``ResultsFileError`` saying what is wrong and where."""
    try:
        with path.open("rb") as file:
            return _read(path, _lines(file))
    except OSError as error:
        raise ResultsFileError(f"{path}: cannot read it ({error.strerror or error})") from None


def _lines(file: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(file, start=1):
        if line.strip():
            yield number, line


def _read(path: Path, lines: Iterator[tuple[int, bytes]]) -> Run:
    header: RunHeader | None = None
    tests: list[TestResult] = []
    seen: dict[str, int] = {}
    end: RunEnd | None = None
    end_line = 0
    for number, line in lines:
        record = _record(path, number, line, first=header is None)
        where = f"{path}, line {number}"
        if header is None:
            if not isinstance(record, RunHeader):
                raise ResultsFileError(
                    f'{where}: expected the run header first ({{"kind": "run", ...}}); '
                    f"found a {record.__struct_config__.tag!r} record"
                )
            header = _checked_header(where, record)
        elif isinstance(record, RunHeader):
            raise ResultsFileError(
                f"{where}: a second run header; a results file holds one run "
                "(were two files joined? 'conformance merge' joins runs)"
            )
        elif end is not None:
            raise ResultsFileError(f"{where}: a record after the end record (line {end_line})")
        elif isinstance(record, RunEnd):
            end, end_line = record, number
        else:
            if record.test_id in seen:
                raise ResultsFileError(
                    f"{where}: test {record.test_id!r} recorded twice (first on line {seen[record.test_id]})"
                )
            seen[record.test_id] = number
            tests.append(record)
    if header is None:
        raise ResultsFileError(f"{path}: an empty file; expected a results file (run header first)")
    return Run(path, header, tests, end, path.name)


def _record(path: Path, number: int, line: bytes, first: bool) -> RunHeader | TestResult | RunEnd:
    try:
        return decode_line(line)
    except RecordError as error:
        what = (
            'expected a results file, whose first line is the run header ({"kind": "run", ...}); '
            if first
            else ""
        )
        hint = " Was the file cut or edited by hand?" if "not JSON" in str(error) else ""
        raise ResultsFileError(f"{path}, line {number}: {what}{error}.{hint}") from None


def _checked_header(where: str, header: RunHeader) -> RunHeader:
    if header.schema != SCHEMA or header.schema_version != SCHEMA_VERSION:
        raise ResultsFileError(
            f"{where}: expected schema {SCHEMA!r} version {SCHEMA_VERSION}; found "
            f"{header.schema!r} version {header.schema_version!r}. "
            "Re-run the battery with this version of the suite."
        )
    return header


def python_command() -> str:
    """The command line that started this run, as the user typed it (near enough)."""
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    if program in ("__main__.py", "-m", "-c", ""):
        program = "python -m conformance" if "conformance" in (sys.argv[0] or "") else "python"
    return " ".join([program, *sys.argv[1:]])
