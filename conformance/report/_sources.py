"""Reading the inputs of a report: results files, merged files, folders.

Design: a path names a results file (JSON Lines, one run), a merged file (one
JSON document, several runs; see ``_merged``) or a folder (every ``*.jsonl``
below it). The kind of a file is told by its content, not its name. Every
problem becomes a ``ReportInputError`` whose message is one line saying what
was expected and what was found, so the commands can print it and exit.

The same run read twice (a results file and a merged file that holds it) is
kept once: two runs are the same when adapter, label, start time, platform,
Python, command and number of tests agree.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .._results import ResultsFileError, Run, read_results

__all__ = ["LoadedRun", "ReportInputError", "find_files", "load_runs", "run_identity"]


class ReportInputError(Exception):
    """Input that cannot make a report; the message is one line."""


@dataclasses.dataclass(frozen=True)
class LoadedRun:
    """A run and where it was read from (a file name, never an absolute path)."""

    run: Run
    origin: str


def load_runs(paths: Sequence[Path]) -> tuple[list[LoadedRun], int]:
    """Every run in ``paths``, and how many duplicate runs were dropped."""
    runs: list[LoadedRun] = []
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


def read_file(path: Path) -> list[LoadedRun]:
    from ._merged import is_merged, parse_merged  # here: _merged imports this module

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise ReportInputError(f"{path}: cannot read it ({reason})") from None
    document = _whole_json(text)
    if is_merged(document):
        return parse_merged(path, document)
    try:
        run = read_results(path)
    except ResultsFileError as error:
        raise ReportInputError(_one_line(str(error))) from None
    check_header(run.header, str(path))
    return [LoadedRun(run, path.name)]


def check_header(header: dict[str, Any], where: str) -> None:
    """The header fields the reports rely on, with a clear message when one is missing."""
    adapter = header.get("adapter")
    if not isinstance(adapter, dict) or not isinstance(adapter.get("name"), str) or not adapter["name"]:
        raise ReportInputError(f"{where}: the run header has no adapter name (expected adapter.name)")
    if not isinstance(adapter.get("facts", {}), dict):
        raise ReportInputError(f"{where}: adapter.facts in the run header should be an object")
    if not isinstance(header.get("catalogue", []), list):
        raise ReportInputError(f"{where}: the catalogue in the run header should be a list")


def run_identity(run: Run) -> tuple[Any, ...]:
    header = run.header
    return (
        run.adapter_name,
        run.label,
        header.get("started"),
        header.get("platform"),
        header.get("python"),
        header.get("command"),
        len(run.tests),
    )


def _whole_json(text: str) -> Any:
    """The file as one JSON document, or None (a results file is several)."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return None


def _without_duplicates(runs: list[LoadedRun]) -> tuple[list[LoadedRun], int]:
    seen: set[tuple[Any, ...]] = set()
    kept: list[LoadedRun] = []
    for loaded in runs:
        identity = run_identity(loaded.run)
        if identity not in seen:
            seen.add(identity)
            kept.append(loaded)
    return kept, len(runs) - len(kept)


def _one_line(message: str) -> str:
    return " ".join(message.split())
