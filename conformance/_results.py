"""Results files: one JSON Lines file per adapter run, written as the run goes.

Design: the first line describes the run (schema and suite version, the
adapter, its facts and capabilities, Python, platform, date, and the clause
catalogue, so a report can be made from the file alone, later and
elsewhere); then one line per finished test; then a closing line. Each line is
flushed when written, so a run that dies halfway keeps every finished test,
and a file without its closing line is an incomplete run.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import platform
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from ._catalogue import CATALOGUE
from ._configs import CONFIGS
from ._outcomes import Outcome, TestResult

__all__ = [
    "SCHEMA",
    "SCHEMA_VERSION",
    "ResultsFileError",
    "ResultsWriter",
    "Run",
    "read_results",
]

SCHEMA = "ssl-set-session-conformance/results"
SCHEMA_VERSION = 1


class ResultsFileError(Exception):
    """A results file that cannot be read; the message says where and why."""


def now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def run_header(adapter: dict[str, Any], suite_version: str, command: str) -> dict[str, Any]:
    """The first line of a results file."""
    return {
        "kind": "run",
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "suite_version": suite_version,
        "adapter": adapter,
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "started": now(),
        "command": command,
        "catalogue": [dataclasses.asdict(clause) for clause in CATALOGUE],
        "configs": [dataclasses.asdict(config) for config in CONFIGS],
    }


class ResultsWriter:
    """Appends one JSON line per record, flushed at once; synced to disk when closed.

    A flush per line hands each finished record to the kernel, so a run that is
    killed keeps every line it finished; one fsync at the end (not one per line,
    which cost a quarter of a second per battery) makes the file durable.
    """

    def __init__(self, path: Path, header: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file: IO[str] = path.open("w", encoding="utf-8")
        self._counts = {outcome.value: 0 for outcome in Outcome}
        self._unexpected = 0
        self._write(header)

    @property
    def counts(self) -> dict[str, int]:
        return dict(self._counts)

    def add(self, result: TestResult) -> None:
        self._counts[result.outcome.value] += 1
        self._unexpected += not result.as_expected
        self._write(result.to_json())

    def close(self, **extra: Any) -> None:
        record = {
            "kind": "end",
            "finished": now(),
            "counts": self._counts,
            "unexpected": self._unexpected,
        }
        record.update(extra)
        self._write(record)
        os.fsync(self._file.fileno())
        self._file.close()

    def _write(self, record: dict[str, Any]) -> None:
        self._file.write(json.dumps(record, sort_keys=True) + "\n")
        self._file.flush()


@dataclasses.dataclass
class Run:
    """One results file, read back."""

    path: Path
    header: dict[str, Any]
    tests: list[TestResult]
    end: dict[str, Any] | None

    @property
    def complete(self) -> bool:
        return self.end is not None

    @property
    def adapter_name(self) -> str:
        return self.header["adapter"]["name"]

    @property
    def label(self) -> str:
        """The run's label (``--label``, or the adapter's name plus a named build's version)."""
        return str(self.header["adapter"].get("label") or self.adapter_name)


def read_results(path: Path) -> Run:
    """Read a results file; raise ``ResultsFileError`` saying what is wrong."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ResultsFileError(f"{path}: cannot read it ({error.strerror})") from None
    records = list(_parse(path, lines))
    if not records or records[0].get("kind") != "run":
        raise ResultsFileError(
            f"{path}: expected a results file whose first line is the run header "
            f'({{"kind": "run", ...}}); found {lines[0][:80] if lines else "an empty file"!r}'
        )
    header = records[0]
    if header.get("schema") != SCHEMA or header.get("schema_version") != SCHEMA_VERSION:
        raise ResultsFileError(
            f"{path}: expected schema {SCHEMA!r} version {SCHEMA_VERSION}; found "
            f"{header.get('schema')!r} version {header.get('schema_version')!r}. "
            "Re-run the battery with this version of the suite."
        )
    tests, end = [], None
    for number, record in enumerate(records[1:], start=2):
        if record.get("kind") == "test":
            tests.append(_test(path, number, record))
        elif record.get("kind") == "end":
            end = record
    return Run(path, header, tests, end)


def _parse(path: Path, lines: Iterable[str]) -> Iterable[dict[str, Any]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ResultsFileError(
                f"{path}, line {number}: not JSON ({error.msg}); a results file has one "
                "JSON object per line. Was the file cut or edited by hand?"
            ) from None
        if not isinstance(record, dict):
            raise ResultsFileError(f"{path}, line {number}: expected a JSON object")
        yield record


def _test(path: Path, number: int, record: dict[str, Any]) -> TestResult:
    try:
        return TestResult.from_json(record)
    except (KeyError, ValueError, TypeError) as error:
        raise ResultsFileError(
            f"{path}, line {number}: a test record is malformed ({type(error).__name__}: "
            f"{error}); expected test_id, clauses, outcome (one of "
            f"{', '.join(o.value for o in Outcome)})"
        ) from None


def python_command() -> str:
    """The command line that started this run, as the user typed it (near enough)."""
    program = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    if program in ("__main__.py", "-m", "-c", ""):
        program = "python -m conformance" if "conformance" in (sys.argv[0] or "") else "python"
    return " ".join([program, *sys.argv[1:]])
