"""Self-test: the battery proves it can fail, by catching mutants.

Design: the self-test runs the battery, without expectations, once against
each baseline and once against each mutant (``_mutants`` says what those are
and judges each run), in children forked from one warm process, one per core
at once (``_selftest_runs``). A mutant that survives
somewhere is a finding about the battery; so is a clause no mutant breaks,
and a test that killed no mutant. The kill matrix goes to
``selftest/kill-matrix.json`` under ``--out``; its format, and what one of
its cells says, is ``_matrix_format``'s.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from . import _version
from ._catalogue import CATALOGUE
from ._configs import CONFIGS
from ._matrix_format import MATRIX_FILE, MATRIX_SCHEMA, cell, kills_in
from ._mutants import MUTANT_GROUP, Kill, Mutant, MutantError, find_mutants, judge, load_mutant
from ._outcomes import Outcome
from ._results import ResultsFileError, Run, now, read_results
from ._selftest_runs import default_jobs, fork_each, run_battery, warm_up

__all__ = ["idle_tests", "run_selftest"]

#: Runs the battery against ``target`` into a folder; returns the results file.
Battery = Callable[[str, Path], Path]


# -- running ------------------------------------------------------------------------------


def run_selftest(
    out: Path,
    jobs: int = 0,
    only: Sequence[str] = (),
    *,
    found: Iterable[tuple[str, str]] | None = None,
    battery: Battery = run_battery,
) -> int:
    """Run the battery against every mutant (or those named in ``only``); write the kill matrix.

    0 when every mutant is killed (and, for a full run, every clause has one);
    1 when one survives or cannot be judged; 2 when there is nothing to run; 130 when interrupted. ``jobs``: battery
    runs at once (0: one per core).
    """
    entries = sorted(found) if found is not None else find_mutants()
    if not entries:
        print(
            f"selftest: no mutants are installed (entry-point group {MUTANT_GROUP!r}); install "
            "an adapter distribution that brings some (adapters/libssl)",
            file=sys.stderr,
        )
        return 2
    unknown = sorted(set(only) - {name for name, _ in entries})
    if unknown:
        print(
            f"selftest: no mutant named {', '.join(unknown)}; installed: "
            f"{', '.join(name for name, _ in entries)}",
            file=sys.stderr,
        )
        return 2
    entries = [entry for entry in entries if not only or entry[0] in only]
    folder = out / MATRIX_FILE.parent
    mutants, failed = _load_all(entries)
    targets = sorted({m.baseline for m in mutants} | {m.target for m in mutants})
    if battery is run_battery:
        warm_up(target.partition(":")[0] for target in targets)
    try:
        runs = _run_all(targets, folder, jobs or default_jobs(), battery)
    except KeyboardInterrupt:  # the battery runs still going are ended by then
        print("selftest: interrupted; no kill matrix written", file=sys.stderr)
        return 130
    kills = sorted(failed + [_judged(mutant, runs) for mutant in mutants], key=_catalogue_order)
    for kill in kills:
        kill.results = _shown(kill.results, out)
    baselines = {target: runs[target] for target in sorted({m.baseline for m in mutants})}
    uncovered = [] if only else _uncovered(kills)
    idle = [] if only else idle_tests(kills, baselines.values())
    matrix = out / MATRIX_FILE
    matrix.parent.mkdir(parents=True, exist_ok=True)
    record = _matrix(kills, baselines, uncovered, idle, bool(only), out)
    matrix.write_text(json.dumps(record, indent=2), encoding="utf-8")
    _print(kills, baselines, uncovered, idle)
    print(f"kill matrix: {matrix}")
    return 0 if all(kill.killed for kill in kills) and not uncovered else 1


def _load_all(entries: Sequence[tuple[str, str]]) -> tuple[list[Mutant], list[Kill]]:
    mutants, failed = [], []
    for name, target in entries:
        try:
            mutants.append(load_mutant(name, target))
        except MutantError as error:
            failed.append(Kill(Mutant(name, target, "", "?", "", ()), problem=str(error)))
    return mutants, failed


def _run_all(targets: list[str], folder: Path, jobs: int, battery: Battery) -> dict[str, Run | MutantError]:
    """Each target's run, read back (or why there is none); ``jobs`` forked children at once."""
    paths = fork_each(lambda target: battery(target, folder / _folder_name(target)), targets, jobs)
    runs: dict[str, Run | MutantError] = {}
    for target, path in paths.items():
        try:
            runs[target] = read_results(path) if isinstance(path, Path) else MutantError(path)
        except ResultsFileError as error:
            runs[target] = MutantError(str(error))
    return runs


def _folder_name(target: str) -> str:
    return target.replace(":", ".")


def _judged(mutant: Mutant, runs: dict[str, Run | MutantError]) -> Kill:
    run, baseline = runs[mutant.target], runs[mutant.baseline]
    if isinstance(baseline, MutantError):
        return Kill(mutant, problem=f"its baseline {mutant.baseline} could not be run: {baseline}")
    if isinstance(run, MutantError):
        return Kill(mutant, problem=str(run))
    return judge(mutant, run, baseline)


def _catalogue_order(kill: Kill) -> tuple[int, str]:
    order = [clause.id for clause in CATALOGUE]
    breaks = kill.mutant.breaks
    return (order.index(breaks) if breaks in order else len(order), kill.mutant.name)


def _uncovered(kills: list[Kill]) -> list[str]:
    covered = {kill.mutant.breaks for kill in kills}
    return [clause.id for clause in CATALOGUE if clause.id not in covered]


def idle_tests(kills: Sequence[Kill], baselines: Iterable[Run | MutantError]) -> list[str]:
    """Tests the baselines pass that killed no mutant: what they check, no mutant breaks (or they are weak)."""
    killers = {
        test
        for kill in kills
        for kills_by in (kill.own, kill.others)
        for tests in kills_by.values()
        for test in tests
    }
    passing = {
        t.test_id for run in baselines if isinstance(run, Run) for t in run.tests if t.outcome is Outcome.PASS
    }
    return sorted(passing - killers)


def _matrix(
    kills: list[Kill],
    baselines: dict[str, Run | MutantError],
    uncovered: list[str],
    idle: list[str],
    partial: bool,
    out: Path,
) -> dict[str, Any]:
    return {
        "schema": MATRIX_SCHEMA,
        "schema_version": 1,
        "suite_version": _version.__version__,
        "created": now(),
        "configs": [config.id for config in CONFIGS],
        "clauses": [clause.id for clause in CATALOGUE],
        "partial": partial,
        "clauses_without_mutants": uncovered,
        "idle_tests": idle,
        "baselines": [_baseline_json(target, run, out) for target, run in baselines.items()],
        "mutants": [kill.to_json() for kill in kills],
        "survivors": [kill.mutant.name for kill in kills if not kill.killed],
    }


def _baseline_json(target: str, run: Run | MutantError, out: Path) -> dict[str, Any]:
    if isinstance(run, MutantError):
        return {"target": target, "problem": str(run)}
    not_passing = [
        f"{t.test_id}: {t.outcome.value}"
        for t in run.tests
        if t.outcome not in (Outcome.PASS, Outcome.NOT_OBSERVABLE)
    ]
    return {
        "target": target,
        "results": _shown(str(run.path), out),
        "tests": len(run.tests),
        "not_passing": not_passing,
    }


def _shown(path: str, out: Path) -> str:
    """A results path relative to ``--out``, so the matrix names no folder of this machine."""
    try:
        return str(Path(path).relative_to(out))
    except ValueError:
        return path


# -- printing -----------------------------------------------------------------------------


def _print(
    kills: list[Kill], baselines: dict[str, Run | MutantError], uncovered: list[str], idle: list[str]
) -> None:
    for target, run in baselines.items():
        if isinstance(run, MutantError):
            print(f"baseline {target}: NOT RUN: {run}")
            continue
        bad = [t for t in run.tests if t.outcome not in (Outcome.PASS, Outcome.NOT_OBSERVABLE)]
        note = f"; {len(bad)} do not pass and can kill no mutant" if bad else ""
        print(f"baseline {target}: {len(run.tests)} tests{note}")
    configs = [config.id for config in CONFIGS]
    width = max([len(k.mutant.name) for k in kills] + [6])
    print(f"\n{'mutant':<{width}}  {'breaks':<20}" + "".join(f"  {c:<16}" for c in configs))
    for kill in kills:
        cells = (
            ["NOT JUDGED"] + [""] * (len(configs) - 1)
            if kill.problem
            else [cell(c, kill.own, kill.mutant.configs, kill.only_by_others).text for c in configs]
        )
        print(f"{kill.mutant.name:<{width}}  {kill.mutant.breaks:<20}" + "".join(f"  {c:<16}" for c in cells))
    _print_findings(kills, uncovered, idle)


def _print_findings(kills: list[Kill], uncovered: list[str], idle: list[str]) -> None:
    killed = sum(kill.killed for kill in kills)
    print(f"\n{killed} of {len(kills)} mutants killed by their own clause's tests.")
    for kill in kills:
        if kill.problem:
            print(f"NOT JUDGED {kill.mutant.name}: {kill.problem}")
        elif not kill.killed:
            print(
                f"SURVIVOR {kill.mutant.name} ({kill.mutant.breaks}: {kill.mutant.how}) "
                f"survived in {', '.join(kill.survived_in)}: the {kill.mutant.breaks} tests are too weak there"
            )
            for config in kill.only_by_others:
                tests = kills_in(kill.others, config)
                print(f"  * in {config} only other clauses' tests killed it: {', '.join(tests[:4])}")
        if kill.errors:
            print(
                f"NOTE {kill.mutant.name}: {len(kill.errors)} test(s) ended in error (no kills; fix the "
                f"mutant or the adapter): {kill.errors[0]}"
            )
    if uncovered:
        print(
            f"NO MUTANT breaks these clauses, so nothing shows their tests can fail: {', '.join(uncovered)}"
        )
    if idle:
        functions = sorted({test.partition("[")[0] for test in idle})
        print(
            f"NOTE {len(idle)} test(s) killed no mutant (no mutant breaks what they check, or they are "
            f"weak): {', '.join(functions)}"
        )
