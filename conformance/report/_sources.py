"""Reading the inputs of a report: results files, merged files, folders.

Design: a path names a results file (JSON Lines, one run), a merged file (one
JSON document, several runs; see ``_merged``) or a folder (every ``*.jsonl``
below it). The kind of a file is told by its content, not its name. Every
problem becomes a ``ReportInputError`` whose message is one line saying what
was expected and what was found, so the commands can print it and exit.

Files are read through the typed records of ``conformance._records``, so every
field has been validated before a report sees it.

The same run read twice (a results file and a merged file that holds it) is
kept once: two runs are the same when adapter, label, start time, platform,
Python, command and number of tests agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._results import ResultsFileError, Run, read_results
from ._merged import is_merged, read_merged

__all__ = ["ReportInputError", "find_files", "load_runs", "run_identity"]


class ReportInputError(Exception):
    """Input that cannot make a report; the message is one line."""


def load_runs(paths: Sequence[Path]) -> tuple[list[Run], int]:
    """Every run in ``paths``, and how many duplicate runs were dropped."""
    runs: list[Run] = []
    for path in find_files(paths):
        runs.extend(read_file(path))
    return _without_duplicates(runs)


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
        len(run.tests),
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
