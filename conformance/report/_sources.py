"""Reading the inputs of a report: results files, merged files, folders.

Design: a path names a results file (JSON Lines, one run), a merged file (one
JSON document, several runs; see ``_merged``) or a folder (every ``*.jsonl``
below it). The kind of a file is told by its content, not its name. Every
problem becomes a ``ReportInputError`` whose message is one line saying what
was expected and what was found, so the commands can print it and exit.

Files are read through the typed records of ``conformance._records``, so every
field has been validated before a report sees it. ``load_runs`` reads runs whole
(``diff`` compares them); ``stream_runs`` hands over a run's records one at a
time (``report`` and ``merge``, whose memory must not grow with the input).

The same run read twice (a results file and a merged file that holds it) is
kept once: two runs are the same when adapter, label, start time, platform,
Python, command and number of tests agree.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Literal, overload

from .._records import RunEnd, RunHeader, TestResult
from .._results import ResultsFileError, Run, Source, TestLine, read_results, stream_results
from ._merged import is_merged, read_merged

__all__ = [
    "LightTest",
    "ReportInputError",
    "StreamedTest",
    "find_files",
    "load_runs",
    "run_identity",
    "stream_runs",
]

#: A test record as it streams by: the record, its line of JSON, and where to read it again
#: (its file and the offset of its line; None for a record kept in memory).
StreamedTest = tuple[TestResult, bytes, Source | None, int]
#: The same, read light (``stream_runs``): a merged file's records are whole.
LightTest = tuple[TestResult | TestLine, bytes, Source | None, int]


class ReportInputError(Exception):
    """Input that cannot make a report; the message is one line."""


def load_runs(paths: Sequence[Path]) -> tuple[list[Run], int]:
    """Every run in ``paths``, and how many duplicate runs were dropped."""
    runs: list[Run] = []
    for path in find_files(paths):
        runs.extend(read_file(path))
    return _without_duplicates(runs)


@overload
def stream_runs(
    files: Sequence[Path], opened: contextlib.ExitStack, light: Literal[False] = False
) -> Iterator[tuple[Run, Iterator[StreamedTest]]]: ...
@overload
def stream_runs(
    files: Sequence[Path], opened: contextlib.ExitStack, light: Literal[True]
) -> Iterator[tuple[Run, Iterator[LightTest]]]: ...
def stream_runs(
    files: Sequence[Path], opened: contextlib.ExitStack, light: bool = False
) -> Iterator[tuple[Run, Iterator[Any]]]:
    """Every run in ``files`` (as ``find_files`` gives them) with an iterator of its tests, to be
    read through before the next run.

    A results file is read a line at a time and stays open (in ``opened``) so that a
    renderer can read a test again (``Source``); when its tests have been read, the run
    has its end record and ``count``. A merged file is read whole. Runs read twice are
    not dropped here: ``run_identity`` tells them. With ``light``, the test records of a
    results file come as ``TestLine``s, only their few fields checked (for a reader beside
    one that checks them all).
    """
    for path in files:
        try:
            file = opened.enter_context(path.open("rb"))
            if _is_merged_file(file):
                runs = read_merged(path, file.read())
                for run in runs:
                    yield run, ((test, test.to_json(), None, 0) for test in run.tests)
                continue
            records = stream_results(path, file, light)
            _, _, header = next(records)
        except ResultsFileError as error:
            raise ReportInputError(_one_line(str(error))) from None
        except OSError as error:
            raise ReportInputError(f"{path}: cannot read it ({error.strerror or error})") from None
        assert isinstance(header, RunHeader)  # stream_results checks that it comes first
        run = Run(path, header, [], None, path.name, count=0)
        yield run, _tests(run, records, Source(path, file), TestLine if light else TestResult)


def _tests(
    run: Run, records: Iterator[tuple[int, bytes, Any]], source: Source, test_type: type
) -> Iterator[Any]:
    count = 0
    try:
        for offset, line, record in records:
            if isinstance(record, test_type):
                count += 1
                yield record, line, source, offset
            elif isinstance(record, RunEnd):
                run.end = record
    except ResultsFileError as error:
        raise ReportInputError(_one_line(str(error))) from None
    except OSError as error:
        raise ReportInputError(f"{run.path}: cannot read it ({error.strerror or error})") from None
    run.count = count


def _is_merged_file(file: IO[bytes]) -> bool:
    """Whether an open file is a merged file; it is left at its start."""
    first = file.readline()
    merged = is_merged(first) or (first.strip() == b"{" and is_merged(first + file.read()))
    file.seek(0)
    return merged


def find_files(paths: Sequence[Path]) -> list[Path]:
    if not paths:
        raise ReportInputError("no results given; name results files, merged files or folders")
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.jsonl") if p.is_file())
            if not found:
                raise ReportInputError(
                    f"{path}: expected results files (*.jsonl) in this folder, found none; "
                    "run 'conformance run ADAPTER' first, or name the files"
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise ReportInputError(f"{path}: expected a results file, a merged file or a folder")
        else:
            raise ReportInputError(
                f"{path}: no such file or folder; expected a results file (*.jsonl), "
                "a merged file (from 'conformance merge') or a folder of results files"
            )
    return files


def read_file(path: Path) -> list[Run]:
    """The runs in one file: a results file (one run) or a merged file (several)."""
    try:
        with path.open("rb") as file:
            first = file.readline()
            merged = is_merged(first) or (first.strip() == b"{" and is_merged(first + file.read()))
            if merged:
                file.seek(0)
                return read_merged(path, file.read())
        return [read_results(path)]
    except ResultsFileError as error:
        raise ReportInputError(_one_line(str(error))) from None
    except OSError as error:
        raise ReportInputError(f"{path}: cannot read it ({error.strerror or error})") from None


def run_identity(run: Run) -> tuple[Any, ...]:
    header = run.header
    return (
        run.adapter_name,
        run.label,
        header.started,
        header.platform,
        header.python,
        header.command,
        run.recorded,
    )


def _without_duplicates(runs: list[Run]) -> tuple[list[Run], int]:
    seen: set[tuple[Any, ...]] = set()
    kept: list[Run] = []
    for run in runs:
        identity = run_identity(run)
        if identity not in seen:
            seen.add(identity)
            kept.append(run)
    return kept, len(runs) - len(kept)


def _one_line(message: str) -> str:
    return " ".join(message.split())
