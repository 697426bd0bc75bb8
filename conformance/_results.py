"""Results files: one JSON Lines file per adapter run; reading them back.

Design: the first line describes the run (``RunHeader``: schema and suite
version, the adapter, its facts and capabilities, Python, platform, date, and
the clause catalogue, so a report can be made from the file alone, later and
elsewhere); then one ``TestResult`` line per finished test; then a ``RunEnd``
line that says how the run ended. The records and their schema are in
``_records``; writing a file as a run goes is ``_results_writer``'s job.

Readers validate every line against the schema, and refuse a second header, a
record after the end and a test recorded twice, naming the line. A file
without its end record is a run that was killed (``lost``); one whose end
record says ``interrupted``, ``stopped-early`` or ``crashed`` is said so by
every reader.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, ClassVar, Literal, overload

import msgspec

from ._outcomes import Outcome
from ._records import (
    SCHEMA,
    SCHEMA_VERSION,
    RecordError,
    RunEnd,
    RunHeader,
    RunState,
    TestResult,
    decode_line,
)

__all__ = [
    "RESULTS_DIR",
    "SCHEMA",
    "SCHEMA_VERSION",
    "ResultsFileError",
    "Run",
    "Source",
    "TestLine",
    "decode_test",
    "now",
    "read_results",
    "stream_results",
]

#: Where results files go unless ``--results-dir`` says otherwise (and where reports read them).
RESULTS_DIR = Path("reports/results")


class ResultsFileError(Exception):
    """A results file that cannot be read or written; the message says where and why."""


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


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
    #: How many tests were recorded, when ``tests`` was not kept (a report's streaming read).
    count: int | None = None

    @property
    def recorded(self) -> int:
        """How many tests the run recorded."""
        return len(self.tests) if self.count is None else self.count

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
        recorded = f"{self.recorded} test(s) recorded"
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
            header: RunHeader | None = None
            tests: list[TestResult] = []
            end: RunEnd | None = None
            for _, _, record in stream_results(path, file):
                if isinstance(record, TestResult):
                    tests.append(record)
                elif isinstance(record, RunHeader):
                    header = record
                else:
                    end = record
    except OSError as error:
        raise ResultsFileError(f"{path}: cannot read it ({error.strerror or error})") from None
    assert header is not None  # stream_results raises on a file without one
    return Run(path, header, tests, end, path.name)


Record = RunHeader | TestResult | RunEnd


class TestLine(msgspec.Struct, kw_only=True, tag_field="kind", tag="test"):
    """A test record read for a test case that passed as expected: the few fields that need, the
    rest of the record (its evidence) skipped, not checked. For a reader beside another that
    checks every record (the report's JUnit and merged.json); ``test`` reads the whole record."""

    __test__: ClassVar[bool] = False  # not a pytest test class

    test_id: str
    outcome: Outcome
    expected_outcome: Outcome = Outcome.PASS
    duration: float = 0.0

    @property
    def plain_pass(self) -> bool:
        """A pass, as expected (``TestResult.as_expected`` and a pass)."""
        return self.outcome is Outcome.PASS and self.expected_outcome is Outcome.PASS


LightRecord = RunHeader | TestLine | RunEnd
#: The records of a results file (as ``_records.decode_line`` decodes them; errors go through it).
_DECODER = msgspec.json.Decoder(Record)
#: The same with test records as ``TestLine``s, about a quarter of the time.
_LIGHT_DECODER = msgspec.json.Decoder(LightRecord)


def decode_test(line: bytes) -> TestResult:
    """The whole test record of a line that ``stream_results`` gave (checked already)."""
    record = _DECODER.decode(line)
    assert isinstance(record, TestResult)
    return record


#: Results files are read this many bytes at a time.
_BLOCK = 1 << 20


@overload
def stream_results(
    path: Path, file: IO[bytes], light: Literal[False] = False
) -> Iterator[tuple[int, bytes, Record]]: ...
@overload
def stream_results(
    path: Path, file: IO[bytes], light: Literal[True]
) -> Iterator[tuple[int, bytes, LightRecord]]: ...
@overload
def stream_results(path: Path, file: IO[bytes], light: bool) -> Iterator[tuple[int, bytes, Any]]: ...
def stream_results(path: Path, file: IO[bytes], light: bool = False) -> Iterator[tuple[int, bytes, Any]]:
    """Each record of a results file with the offset of its line and the line (without its line
    end), checked as ``read_results`` checks.

    The file is read a megabyte at a time and nothing is kept but the test ids seen (to refuse
    a test recorded twice), so a file of any size is read in little memory; ``Source`` reads
    one line back by its offset. With ``light``, test records come as ``TestLine``s (the rest of
    each test record is not checked).
    """
    header: RunHeader | None = None
    seen: dict[str, int] = {}
    end_line = 0
    number = 0
    offset = 0
    decode: Callable[[bytes], Any] = (_LIGHT_DECODER if light else _DECODER).decode
    test_type: Any = TestLine if light else TestResult
    rest, more = b"", True
    while more:
        block = file.read(_BLOCK)
        more = bool(block)
        lines = (rest + block).split(b"\n")  # at the end, the last line if it has no line end
        rest = lines.pop() if more else b""
        for line in lines:
            number += 1
            start = offset
            offset += len(line) + 1
            try:
                record = decode(line)
            except Exception:
                if not line.strip():
                    continue
                record = _record(path, number, line, first=header is None)
            if type(record) is test_type and header is not None and not end_line:  # the common case
                if record.test_id in seen:
                    raise ResultsFileError(
                        f"{path}, line {number}: test {record.test_id!r} recorded twice "
                        f"(first on line {seen[record.test_id]})"
                    )
                seen[record.test_id] = number
                yield start, line, record
                continue
            if header is None:
                if not isinstance(record, RunHeader):
                    raise ResultsFileError(
                        f'{path}, line {number}: expected the run header first ({{"kind": "run", ...}}); '
                        f"found a {record.__struct_config__.tag!r} record"
                    )
                header = _checked_header(f"{path}, line {number}", record)
            elif isinstance(record, RunHeader):
                raise ResultsFileError(
                    f"{path}, line {number}: a second run header; a results file holds one run "
                    "(were two files joined? 'conformance merge' joins runs)"
                )
            elif end_line or isinstance(record, test_type):
                raise ResultsFileError(
                    f"{path}, line {number}: a record after the end record (line {end_line})"
                )
            else:
                end_line = number
            yield start, line, record
    if header is None:
        raise ResultsFileError(f"{path}: an empty file; expected a results file (run header first)")


class Source:
    """A results file kept open, to read single test records back by the offset of their line."""

    def __init__(self, path: Path, file: IO[bytes]) -> None:
        self.path = path
        self._file = file

    def test(self, offset: int, size: int, test_id: str) -> TestResult:
        """The test record whose line starts at ``offset`` and is ``size`` bytes long (without its
        line end); it must be test ``test_id``."""
        try:
            record = _DECODER.decode(os.pread(self._file.fileno(), size, offset))
        except Exception:  # the line is no longer what was read
            record = None
        if not isinstance(record, TestResult) or record.test_id != test_id:
            raise ResultsFileError(f"{self.path}: changed while it was being read; make the report again")
        return record


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
