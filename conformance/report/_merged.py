"""Merged files: several runs (from several machines or dates) in one JSON document.

Design: a merged file keeps every run whole (its header with the adapter facts
and the catalogue, its test records exactly as in the results file, its end
record or ``null`` for an incomplete run), so nothing a report or a diff
needs is lost, and merging a merged file again gives the same runs (duplicates
are dropped by ``_sources``). ``conformance merge`` writes it and the report
writes it as ``merged.json``; ``report`` and ``diff`` read it like a results
file.

    {"kind": "merged", "schema": "ssl-set-session-conformance/merged",
     "schema_version": 1, "suite_version": "...", "created": "...",
     "runs": [{"origin": "stdlib.jsonl", "header": {...}, "tests": [...],
               "end": {...} | null}, ...]}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .._outcomes import Outcome, TestResult
from .._results import SCHEMA, SCHEMA_VERSION, Run, now
from .._version import __version__
from ._sources import LoadedRun, ReportInputError, check_header

__all__ = [
    "MERGED_SCHEMA",
    "MERGED_SCHEMA_VERSION",
    "is_merged",
    "merged_document",
    "parse_merged",
    "write_merged",
]

MERGED_SCHEMA = "ssl-set-session-conformance/merged"
MERGED_SCHEMA_VERSION = 1


def merged_document(runs: list[LoadedRun]) -> dict[str, Any]:
    return {
        "kind": "merged",
        "schema": MERGED_SCHEMA,
        "schema_version": MERGED_SCHEMA_VERSION,
        "suite_version": __version__,
        "created": now(),
        "runs": [
            {
                "origin": loaded.origin,
                "header": loaded.run.header,
                "tests": [test.to_json() for test in loaded.run.tests],
                "end": loaded.run.end,
            }
            for loaded in runs
        ],
    }


def write_merged(runs: list[LoadedRun], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(merged_document(runs), ensure_ascii=False, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


def is_merged(document: Any) -> bool:
    return isinstance(document, dict) and (
        document.get("kind") == "merged" or document.get("schema") == MERGED_SCHEMA
    )


def parse_merged(path: Path, document: dict[str, Any]) -> list[LoadedRun]:
    version = document.get("schema_version")
    if document.get("schema") != MERGED_SCHEMA or version != MERGED_SCHEMA_VERSION:
        raise ReportInputError(
            f"{path}: expected a merged file of schema {MERGED_SCHEMA!r} version "
            f"{MERGED_SCHEMA_VERSION}; found {document.get('schema')!r} version {version!r}. "
            "Merge the results again with this version of the suite."
        )
    runs = document.get("runs")
    if not isinstance(runs, list):
        raise ReportInputError(f'{path}: a merged file needs a list of runs under "runs"')
    return [_run(path, number, entry) for number, entry in enumerate(runs, start=1)]


def _run(path: Path, number: int, entry: Any) -> LoadedRun:
    where = f"{path}, run {number}"
    if not isinstance(entry, dict) or not isinstance(entry.get("header"), dict):
        raise ReportInputError(f'{where}: expected an object with a run header under "header"')
    header = entry["header"]
    if header.get("schema") != SCHEMA or header.get("schema_version") != SCHEMA_VERSION:
        raise ReportInputError(
            f"{where}: expected a run of schema {SCHEMA!r} version {SCHEMA_VERSION}; found "
            f"{header.get('schema')!r} version {header.get('schema_version')!r}"
        )
    check_header(header, where)
    records = entry.get("tests", [])
    if not isinstance(records, list):
        raise ReportInputError(f'{where}: expected a list of test records under "tests"')
    tests = [_test(where, index, record) for index, record in enumerate(records, start=1)]
    end = entry.get("end")
    if end is not None and not isinstance(end, dict):
        raise ReportInputError(f'{where}: expected the end record (an object) or null under "end"')
    origin = f"{path.name} › {entry.get('origin') or f'run {number}'}"
    return LoadedRun(Run(path, header, tests, end), origin)


def _test(where: str, index: int, record: Any) -> TestResult:
    try:
        return TestResult.from_json(record)
    except (KeyError, ValueError, TypeError, AttributeError) as error:
        raise ReportInputError(
            f"{where}, test {index}: a test record is malformed ({type(error).__name__}: {error}); "
            f"expected test_id, clauses, outcome (one of {', '.join(o.value for o in Outcome)})"
        ) from None
