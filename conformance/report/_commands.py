"""The report commands: ``report``, ``merge`` and ``diff``, as exit statuses.

Design: each command reads its inputs, does its work and prints one line of
what it wrote. Bad input (a missing path, an empty folder, a malformed or cut
file, an output that cannot be written) is one line on stderr and exit status
2, never a traceback. ``diff`` exits 1 on a regression or a run problem (see
``_diff``), else 0.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .._results import RESULTS_DIR, ResultsFileError, Run
from ._beside import Beside, ChildLost
from ._build import ModelBuilder
from ._diff import diff_runs, format_diff
from ._html import write_html
from ._junit import JUnitWriter
from ._kill_matrix import kill_matrix_sections
from ._markdown import render_markdown
from ._merged import MergedWriter
from ._model import Column, ReportModel, ReportSection
from ._sources import ReportInputError, find_files, load_runs, run_identity, stream_runs

__all__ = ["diff_results", "make_reports", "merge_results"]

BAD_INPUT = 2


@contextlib.contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Reports hold hundreds of thousands of records and no reference cycles worth finding.

    The cyclic collector would walk every one of them again and again as they are
    read (about 40 % of the reading time); plain reference counting frees them all.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def make_reports(paths: Sequence[Path], out: Path, sections: Sequence[ReportSection] = ()) -> int:
    """Write index.html, summary.md, junit/<adapter>.xml and merged.json into ``out``."""
    with _without_cycle_collection():
        return _make_reports(paths, out, sections)


def _make_reports(paths: Sequence[Path], out: Path, sections: Sequence[ReportSection]) -> int:
    created = not out.exists()
    beside: Beside[list[Path]] | None = None
    merged: MergedWriter | None = None
    try:
        files = find_files(paths)
        _writable_folder(out)
        merged = MergedWriter(out / "merged.json")
        beside = Beside(lambda columns: _junit_and_merged(files, out / "junit", merged, columns))
        if beside.forked:
            merged.leave()  # to the child
        with contextlib.ExitStack() as opened:
            model = _read(files, opened)
            beside.send(_without_runs(model.columns))
            sections = [*sections, *kill_matrix_sections(out)]  # after `conformance selftest`
            index = out / "index.html"
            write_html(model, index, sections)
            (out / "summary.md").write_text(render_markdown(model, sections), encoding="utf-8")
            beside.send(True)  # the JUnit files go in place now: none when another output failed
            written, beside = beside.result(), None
    except ReportInputError as error:
        _cancel(beside, merged)
        if created and out.is_dir() and not any(out.iterdir()):
            out.rmdir()  # bad input leaves nothing behind
        return _bad("report", str(error))
    except ResultsFileError as error:  # a results file changed while the page was written
        _cancel(beside, merged)
        return _bad("report", str(error))
    except OSError as error:
        _cancel(beside, merged)
        return _bad("report", _os_message(error))
    except ChildLost as error:
        _cancel(beside, merged)
        return _bad("report", f"{error} (writing merged.json and junit/); make the report again")
    except BaseException:
        _cancel(beside, merged)
        raise
    size = index.stat().st_size
    print(
        f"report: {len(model.columns)} run(s), {model.test_count} test result(s) -> {index} "
        f"({size / 1024:,.0f} KiB), {out / 'summary.md'}, {out / 'junit'}/ ({len(written)} file(s)), "
        f"{out / 'merged.json'}"
    )
    return 0


def _cancel(beside: Beside[list[Path]] | None, merged: MergedWriter | None) -> None:
    """This process failed: the child ends (a merged.json it finished stays, as it always did;
    an unfinished one goes)."""
    if beside is not None:
        beside.cancel()
    if merged is not None:
        merged.close(complete=False)


def _read(files: Sequence[Path], opened: contextlib.ExitStack) -> ReportModel:
    """Read every run once, a test at a time, into the model (``_junit_and_merged`` reads them
    beside it for the other outputs)."""
    builder = ModelBuilder()
    seen: dict[object, Run] = {}
    dropped = 0
    add = builder.add
    for run, tests in stream_runs(files, opened):
        digest = builder.start(run)
        for test, line, source, offset in tests:
            add(digest, test, source, offset, len(line))
        if _read_twice(run, seen):  # the same run read twice (a results file and a merged file)
            builder.drop(digest)
            dropped += 1
    return builder.model(dropped)


def _junit_and_merged(
    files: Sequence[Path], folder: Path, merged: MergedWriter, received: Callable[[], Any]
) -> list[Path]:
    """Read every run, a test at a time, into the merged file and the JUnit test cases (light:
    this process checks every record beside it), the merged file put in place once the model's
    columns are received (the records were good); then write one JUnit file per column,
    put in place once the go-ahead is received (the other outputs were written)."""
    seen: dict[object, Run] = {}
    with contextlib.ExitStack() as opened, JUnitWriter() as junit:
        try:
            add_case, add_line = junit.add, merged.add
            for run, tests in stream_runs(files, opened, light=True):
                suite = junit.start(run)
                merged.start(run)
                for test, line, _, _ in tests:
                    add_case(suite, test, line)
                    add_line(line)
                if _read_twice(run, seen):
                    junit.drop(run)
                    merged.drop()
                else:
                    junit.end(suite)
                    merged.end(run)
            merged.finish()
            columns = [dataclasses.replace(c, run=seen[identity]) for identity, c in received()]
        except BaseException:
            merged.close(complete=False)
            raise
        merged.commit()
        written = junit.prepare(columns, folder)
        try:
            received()
        except BaseException:
            junit.discard()
            raise
        junit.commit()
        return written


def _without_runs(columns: list[Column]) -> list[tuple[object, Column]]:
    """The columns as the JUnit files need them, sent to the process that writes them: each
    with its run's identity instead of its run (that process read the runs too) and without the
    tests the summary lists (100 columns: 27 KB to pickle, not 1.9 MB)."""
    return [
        (run_identity(c.run), dataclasses.replace(c, run=None, unexpected_tests=[]))  # type: ignore[arg-type]
        for c in columns
    ]


def _read_twice(run: Run, seen: dict[object, Run]) -> bool:
    """Whether ``run`` is one of ``seen`` (a results file and a merged file that holds it); if
    not, it is added."""
    identity = run_identity(run)
    if identity in seen:
        return True
    seen[identity] = run
    return False


def merge_results(paths: Sequence[Path], out: Path) -> int:
    """Write one merged file of every run in ``paths``; ``report`` and ``diff`` read it."""
    try:
        if out.is_dir():
            raise ReportInputError(
                f"{out}: is a folder; expected the path of the merged file to write (-o FILE)"
            )
        files = find_files(paths)
        with contextlib.ExitStack() as opened, MergedWriter(out) as merged:
            runs, tests, dropped = 0, 0, 0
            seen: dict[object, Run] = {}
            for run, records in stream_runs(files, opened):  # a record at a time: any size merges
                merged.start(run)
                for _, line, _, _ in records:
                    merged.add(line)
                if _read_twice(run, seen):
                    merged.drop()
                    dropped += 1
                else:
                    merged.end(run)
                    runs, tests = runs + 1, tests + run.recorded
    except ReportInputError as error:
        return _bad("merge", str(error))
    except OSError as error:
        return _bad("merge", _os_message(error))
    extra = f" ({dropped} duplicate run(s) kept once)" if dropped else ""
    print(f"merge: {runs} run(s), {tests} test result(s) -> {out}{extra}")
    return 0


def diff_results(
    before: Path, after: Path, results_dir: Path = RESULTS_DIR, allow_missing: bool = False
) -> int:
    """Print what changed from ``before`` to ``after``; 1 on a regression or a run problem, else 0.

    Each side is a path, or a run label whose results file is in ``results_dir``.
    """
    before, after = _by_label(before, results_dir), _by_label(after, results_dir)
    try:
        old, _ = load_runs([before])
        new, _ = load_runs([after])
    except ReportInputError as error:
        return _bad("diff", str(error))
    diff = diff_runs(old, new, allow_missing)
    print(format_diff(diff, _describe(before, old), _describe(after, new)))
    return 1 if diff.regressed else 0


def _by_label(given: Path, results_dir: Path) -> Path:
    """A path as given, or, when nothing is there, the results file of the label it names."""
    labelled = results_dir / f"{given}.jsonl"
    return labelled if not given.exists() and len(given.parts) == 1 and labelled.is_file() else given


def _describe(path: Path, runs: list[Run]) -> str:
    tests = sum(len(r.tests) for r in runs)
    return f"{path} ({len(runs)} run(s), {tests} test result(s))"


def _writable_folder(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ReportInputError(f"{out}: is a file; expected a folder for the reports (--out DIR)")
    out.mkdir(parents=True, exist_ok=True)


def _os_message(error: OSError) -> str:
    where = error.filename or "output"
    return f"{where}: cannot write it ({error.strerror or error})"


def _bad(command: str, message: str) -> int:
    print(f"conformance {command}: error: {' '.join(message.split())}", file=sys.stderr)
    return BAD_INPUT
