"""Merged files: several runs (from several machines or dates) in one JSON document.

Design: a merged file keeps every run whole (its header with the adapter facts
and the catalogue, its test records exactly as in the results file, its end
record or ``null`` for a lost run), so nothing a report or a diff needs is
lost, and merging a merged file again gives the same runs (duplicates are
dropped by ``_sources``). ``conformance merge`` writes it and the report
writes it as ``merged.json``; ``report`` and ``diff`` read it like a results
file. Its records are the typed ones of ``conformance._records``, validated the
same way; this module knows nothing of the other report inputs (``_sources``
imports it, never the reverse).

    {"kind": "merged", "schema": "ssl-set-session-conformance/merged",
     "schema_version": 2, "suite_version": "...", "created": "...",
     "runs": [{"origin": "stdlib.jsonl", "header": {...}, "tests": [...],
               "end": {...} | null}, ...]}
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from .._records import SCHEMA, SCHEMA_VERSION, Record, RecordError, RunEnd, RunHeader, TestResult
from .._results import ResultsFileError, Run, now
from .._version import __version__

__all__ = [
    "MERGED_SCHEMA",
    "MERGED_SCHEMA_VERSION",
    "MergedFile",
    "MergedWriter",
    "is_merged",
    "read_merged",
]

MERGED_SCHEMA = "ssl-set-session-conformance/merged"
#: 2: the runs hold results of schema 2 (typed end states, expected/observed on tests).
MERGED_SCHEMA_VERSION = 2


class MergedRun(msgspec.Struct, kw_only=True):
    origin: str = ""
    header: RunHeader
    tests: list[TestResult] = []
    end: RunEnd | None = None


class MergedFile(Record, tag="merged", kw_only=True):
    schema: str = MERGED_SCHEMA
    schema_version: int = MERGED_SCHEMA_VERSION
    suite_version: str = __version__
    created: str = ""
    runs: list[MergedRun] = msgspec.field(default_factory=list)


class _Head(msgspec.Struct):
    """Just enough of a document to tell a merged file and its version."""

    kind: str | None = None
    schema: object = None
    schema_version: object = None


class MergedWriter:
    """Writes a merged file as the runs stream by, test records in batches.

    The bytes are those ``MergedFile(...).to_json()`` gives: the document's
    head, then each run's origin and header, its test records (a results
    file's lines as they are: the suite writes them with the same encoder), its
    end record. A run found to be a duplicate after it was written is cut off
    again (``drop``).
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._partial = path.with_name(path.name + ".part")
        self._file = self._partial.open("wb")
        self._first_run = True
        self._was_first = True
        self._run_start = 0
        self._batch: list[bytes] = []
        self._pending = 0
        self._tests_written = False
        head = MergedFile(created=now()).to_json()
        assert head.endswith(b'"runs":[]}')
        self._file.write(head[: -len(b"]}")])
        self._file.flush()  # nothing buffered: a forked child may go on writing it (``leave``)

    def __enter__(self) -> MergedWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close(complete=exc_info[0] is None)

    def start(self, run: Run) -> None:
        self._run_start = self._file.tell()
        self._was_first = self._first_run
        origin = _ENCODE(run.origin)
        comma = b"" if self._first_run else b","
        self._file.write(
            comma + b'{"origin":' + origin + b',"header":' + run.header.to_json() + b',"tests":['
        )
        self._tests_written = False

    def add(self, line: bytes) -> None:
        """One test record: one line of JSON without its line end (as a results file holds it)."""
        self._batch.append(line)
        self._pending += len(line)
        if len(self._batch) >= _BATCH or self._pending > _BATCH_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._tests_written:
            self._file.write(b",")
        self._file.write(b",".join(self._batch))
        self._batch.clear()
        self._pending = 0
        self._tests_written = True

    def end(self, run: Run) -> None:
        if self._batch:
            self._flush()
        end = run.end.to_json() if run.end else b"null"
        self._file.write(b'],"end":' + end + b"}")
        self._first_run = False

    def drop(self) -> None:
        """Cut off the run written last (it was read twice)."""
        self._batch.clear()
        self._pending = 0
        self._file.seek(self._run_start)
        self._file.truncate()
        self._first_run = self._was_first

    def leave(self) -> None:
        """Leave the file to a forked child that goes on writing it (this process's copy of it is
        closed; what the head wrote was flushed before the fork)."""
        self._file.close()

    def close(self, complete: bool = True) -> None:
        """Finish the file; if ``complete`` is false (an error), leave no file behind."""
        if complete:
            self.finish()
            self.commit()
        else:
            self._file.close()
            self._partial.unlink(missing_ok=True)

    def finish(self) -> None:
        """Write the end of the document; it is put in place by ``commit`` (or ``close``)."""
        if not self._file.closed:
            self._file.write(b"]}\n")
            self._file.close()

    def commit(self) -> None:
        self._partial.replace(self._path)


_BATCH = 1024
_BATCH_BYTES = 1 << 20
_ENCODE = msgspec.json.Encoder().encode


def is_merged(head: bytes) -> bool:
    """Whether a document (or its first line) is a merged file."""
    try:
        return msgspec.json.decode(head, type=_Head).kind == "merged"
    except (msgspec.DecodeError, RecursionError):
        return False


def read_merged(path: Path, data: bytes) -> list[Run]:
    """The runs of a merged file; ``ResultsFileError`` says what is wrong and where."""
    head = msgspec.json.decode(data, type=_Head)
    if head.schema != MERGED_SCHEMA or head.schema_version != MERGED_SCHEMA_VERSION:
        raise ResultsFileError(
            f"{path}: expected a merged file of schema {MERGED_SCHEMA!r} version "
            f"{MERGED_SCHEMA_VERSION}; found {head.schema!r} version {head.schema_version!r}. "
            "Merge the results again with this version of the suite."
        )
    try:
        document = MergedFile.from_json(data)
    except RecordError as error:
        raise ResultsFileError(f"{path}: {error}") from None
    return [_run(path, number, entry) for number, entry in enumerate(document.runs, start=1)]


def _run(path: Path, number: int, entry: MergedRun) -> Run:
    where = f"{path}, run {number}"
    if entry.header.schema != SCHEMA or entry.header.schema_version != SCHEMA_VERSION:
        raise ResultsFileError(
            f"{where}: expected a run of schema {SCHEMA!r} version {SCHEMA_VERSION}; found "
            f"{entry.header.schema!r} version {entry.header.schema_version!r}"
        )
    seen: dict[str, int] = {}
    for index, test in enumerate(entry.tests, start=1):
        if test.test_id in seen:
            raise ResultsFileError(
                f"{where}, test {index}: test {test.test_id!r} recorded twice (first as test {seen[test.test_id]})"
            )
        seen[test.test_id] = index
    origin = f"{path.name} › {entry.origin or f'run {number}'}"
    return Run(path, entry.header, entry.tests, entry.end, origin)
