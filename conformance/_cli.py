"""The ``conformance`` command: run the battery, list adapters and clauses, make reports.

Each subcommand is a small function; heavier ones live in their own modules
and are imported when used, so ``conformance adapters`` stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ._results import RESULTS_DIR
from ._run_options import SHARED_OPTIONS
from ._terminal import SafeStream

__all__ = ["main"]

BATTERY = Path(__file__).with_name("battery")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    if extra and args.command != "run":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    handler: Callable[[argparse.Namespace, list[str]], int] = args.handler
    if args.command == "run":  # pytest writes its own colours; the plugin escapes what it hands over
        return handler(args, extra)
    try:
        with (
            contextlib.redirect_stdout(SafeStream(sys.stdout)),
            contextlib.redirect_stderr(SafeStream(sys.stderr)),
        ):
            status = handler(args, extra)
            sys.stdout.flush()  # here, so that a reader who left is noticed inside this try
        return status
    except BrokenPipeError:  # `conformance adapters | head`: the reader left; so do we, quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="conformance",
        description="Conformance of TLS libraries to the documented SSL_set_session() behaviour.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="run the battery against one adapter")
    run.add_argument("adapter", help="an adapter name (see 'conformance adapters') or module:Class")
    run.add_argument(
        "--test", action="append", default=[], help="only this test id, as in the results (repeatable)"
    )
    for option in SHARED_OPTIONS:
        option.add_to_command(run)
    run.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=None,
        help="test children at once, results still in test order (default 'auto': one per core; "
        "1 with --no-isolation)",
    )
    run.set_defaults(handler=_run)

    adapters = commands.add_parser("adapters", help="list the adapters that are installed")
    adapters.set_defaults(handler=_adapters)

    clauses = commands.add_parser("clauses", help="list the clauses of the catalogue")
    clauses.set_defaults(handler=_clauses)

    check = commands.add_parser("check", help="preflight an adapter: its contract and capabilities")
    check.add_argument("adapter", help="an adapter name or module:Class")
    check.set_defaults(handler=_check)

    report = commands.add_parser("report", help="make the HTML, Markdown, JUnit and JSON reports")
    report.add_argument(
        "paths", nargs="*", type=Path, help="results files or folders (default: reports/results)"
    )
    report.add_argument(
        "--out", type=Path, default=Path("reports"), help="where the reports go (default: reports)"
    )
    report.set_defaults(handler=_report)

    merge = commands.add_parser("merge", help="merge results files from several runs into one")
    merge.add_argument("paths", nargs="+", type=Path)
    merge.add_argument("--out", "-o", type=Path, required=True)
    merge.set_defaults(handler=_merge)

    diff = commands.add_parser(
        "diff", help="compare two result sets or two run labels (builds, versions); exit 1 on a regression"
    )
    diff.add_argument("before", type=Path, help="a results file, merged file, folder, or run label")
    diff.add_argument("after", type=Path, help="the same, after")
    diff.add_argument(
        "--allow-missing",
        action="store_true",
        help="tests, adapters or a complete end missing after are notes, not failures",
    )
    diff.add_argument(
        "--results-dir",
        type=Path,
        default=RESULTS_DIR,
        help="where run labels are looked up (default: reports/results)",
    )
    diff.set_defaults(handler=_diff)
    reproduce = commands.add_parser(
        "reproduce", help="write a standalone program that replays one test of a results file"
    )
    reproduce.add_argument("results", type=Path, help="a results file (reports/results/NAME.jsonl)")
    reproduce.add_argument("test_id", help="the test id, as in the results (file.py::name[config])")
    reproduce.add_argument(
        "--out",
        "-o",
        type=Path,
        required=True,
        help="the program to write (without a suffix: .c or .py added)",
    )
    reproduce.set_defaults(handler=_reproduce)

    selftest = commands.add_parser(
        "selftest", help="run the battery against every mutant; build the kill matrix"
    )
    selftest.add_argument(
        "--out", type=Path, default=Path("reports"), help="where results go (default: reports)"
    )
    selftest.add_argument("--mutant", action="append", default=[], help="only this mutant (repeatable)")
    selftest.add_argument(
        "--jobs", "-j", type=int, default=0, help="battery runs at once (default: one per core)"
    )
    selftest.set_defaults(handler=_selftest)
    return parser


def _selftest(args: argparse.Namespace, extra: list[str]) -> int:
    from ._selftest import run_selftest

    return run_selftest(args.out, jobs=args.jobs, only=args.mutant)


def _reproduce(args: argparse.Namespace, extra: list[str]) -> int:
    from ._reproduce import reproduce

    return reproduce(args.results, args.test_id, args.out)


def _run(args: argparse.Namespace, extra: list[str]) -> int:
    import pytest

    targets = [str(BATTERY / test_id) for test_id in args.test] or [str(BATTERY)]
    options = ["--adapter", args.adapter, "-p", "no:cacheprovider"]
    # The plugin is imported before pytest starts, so assertion rewriting cannot reach it.
    options += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    for option in SHARED_OPTIONS:
        options += option.words(args)
    extra, jobs = _xdist_jobs(extra, args.jobs)
    if jobs is None:  # one child per core, but a run in this process (--no-isolation) has none
        jobs = 1 if "--no-isolation" in extra else _jobs("auto")
    if jobs > 1:
        options += ["--jobs", str(jobs)]
    # The battery's own settings, explicitly: never those of a project in the current folder.
    settings = ["-c", str(BATTERY / "pytest.ini"), "--rootdir", str(BATTERY)]
    return int(pytest.main([*targets, *settings, *options, *extra]))


def _jobs(text: str) -> int:
    if text == "auto":
        return os.cpu_count() or 1
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(
            f"expected a number of test children (1 or more) or 'auto'; got {text!r}"
        )
    return int(text)


def _xdist_jobs(extra: list[str], jobs: int | None) -> tuple[list[str], int | None]:
    """pytest options for the battery: a ``--`` dropped, pytest-xdist's ``-n N`` taken as ``-j N``.

    pytest-xdist's workers would each write the results file and weigh the
    expectations against half the tests; the battery's own ``-j`` runs test
    children at once in one pytest process instead, which is what ``-n`` asks for.
    """
    rest, words = [], iter(word for word in extra if word != "--")
    for word in words:
        if word in ("-n", "--numprocesses"):
            jobs = _jobs(next(words, ""))
        elif word.startswith("--numprocesses="):
            jobs = _jobs(word.partition("=")[2])
        elif word.startswith("-n") and word[2:] and (word[2:].isdigit() or word[2:] == "auto"):
            jobs = _jobs(word[2:])
        else:
            rest.append(word)
    return rest, jobs


def _adapters(args: argparse.Namespace, extra: list[str]) -> int:
    from ._adapter_list import print_adapters

    return print_adapters()


def _clauses(args: argparse.Namespace, extra: list[str]) -> int:
    from ._catalogue import CATALOGUE

    for clause in CATALOGUE:
        print(f"{clause.id:<20} {clause.section:<42} since {clause.documented_since}")
        print(f"{'':<20} {clause.summary}")
    return 0


def _check(args: argparse.Namespace, extra: list[str]) -> int:
    from ._checker import check_adapter

    return check_adapter(args.adapter)


def _report(args: argparse.Namespace, extra: list[str]) -> int:
    from .report import make_reports

    return make_reports(args.paths or [RESULTS_DIR], args.out)


def _merge(args: argparse.Namespace, extra: list[str]) -> int:
    from .report import merge_results

    return merge_results(args.paths, args.out)


def _diff(args: argparse.Namespace, extra: list[str]) -> int:
    from .report import diff_results

    return diff_results(args.before, args.after, args.results_dir, allow_missing=args.allow_missing)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
