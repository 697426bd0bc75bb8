"""Self-test: the battery proves it can fail, by catching mutants.

Design: a mutant is an adapter that breaks exactly one documented behaviour
of the adapter it derives from (its *baseline*: the nearest ancestor class that
is not a mutant: a class without ``breaks``). It says which clause it breaks
(``breaks``, a clause id), how (``how``, one line) and, if its bug can show in
fewer protocol configurations than the clause covers, which (``configs``). A
distribution names its collection of mutants (a sequence of classes) with one
entry point in their own group, so a library's adapter package brings mutants
of itself.

The self-test runs the battery, without expectations, once against each
baseline and once against each mutant, and judges every test result of a
mutant by this table (a test the baseline does not pass kills nothing: the
mutant cannot be blamed for it):

=====================================  ========================================
outcome of the mutant's test           verdict
=====================================  ========================================
fail, refused, crash, timeout          a kill, by that test's clause
error                                  no kill: the harness or adapter broke;
                                       listed apart, so the mutant can be fixed
pass, not-observable                   nothing
=====================================  ========================================

A mutant is killed when a test of its own clause kills it in every
configuration where it must be (a test that takes no configuration counts in
all). One that survives somewhere is a finding about the battery; if tests of
other clauses kill it there, the note says so: its own clause's tests are too
weak. The kill matrix goes to ``selftest/kill-matrix.json`` under ``--out``;
its format, and what one of its cells says, is ``_matrix_format``'s.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import inspect
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from . import _version
from ._catalogue import CATALOGUE, clause_by_id
from ._configs import CONFIGS
from ._matrix_format import ANY_CONFIG, MATRIX_FILE, MATRIX_SCHEMA, cell, kills_in
from ._outcomes import Outcome
from ._registry import AdapterLoadError, _import, contract_problems
from ._results import ResultsFileError, Run, now, read_results

__all__ = [
    "MUTANT_GROUP",
    "Kill",
    "Mutant",
    "MutantError",
    "idle_tests",
    "judge",
    "load_mutant",
    "run_selftest",
]

MUTANT_GROUP = "ssl_set_session_conformance.mutants"
#: Outcomes that kill a mutant (error does not: it is the harness's or the adapter's fault).
KILLING = frozenset({Outcome.FAIL, Outcome.REFUSED, Outcome.CRASH, Outcome.TIMEOUT})

#: Runs the battery against ``target`` into a folder; returns the results file.
Battery = Callable[[str, Path], Path]


class MutantError(Exception):
    """A mutant that cannot be judged; the message says what to fix."""


@dataclasses.dataclass(frozen=True)
class Mutant:
    name: str
    #: module:Class of the mutant, and of the adapter it mutates.
    target: str
    baseline: str
    breaks: str
    how: str
    #: The configurations where it must be killed.
    configs: tuple[str, ...]


@dataclasses.dataclass
class Kill:
    """What the battery did to one mutant."""

    mutant: Mutant
    #: configuration -> the tests of the mutant's own clause that killed it there
    own: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    #: configuration -> tests of other clauses that killed it there
    others: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    #: tests that ended in error (no kills), with their reasons
    errors: list[str] = dataclasses.field(default_factory=list)
    results: str = ""
    problem: str = ""

    @property
    def survived_in(self) -> list[str]:
        return [c for c in self.mutant.configs if not kills_in(self.own, c)]

    @property
    def killed(self) -> bool:
        return not self.problem and not self.survived_in

    @property
    def only_by_others(self) -> list[str]:
        """Configurations where it survived its own clause but other clauses' tests killed it."""
        return [c for c in self.survived_in if kills_in(self.others, c)]

    def to_json(self) -> dict[str, Any]:
        return {
            **dataclasses.asdict(self.mutant),
            "own_kills": self.own,
            "other_kills": self.others,
            "errors": self.errors,
            "results": self.results,
            "problem": self.problem,
            "killed": self.killed,
            "survived_in": [] if self.problem else self.survived_in,
            "only_by_others": [] if self.problem else self.only_by_others,
        }


# -- finding and checking mutants ------------------------------------------------------------


def find_mutants() -> list[tuple[str, str]]:
    """(name, module:Class) of every mutant in the collections the installed distributions name.

    A collection that cannot be loaded stays as its entry point, so that ``load_mutant`` says why.
    """
    found = set()
    for entry in metadata.entry_points(group=MUTANT_GROUP):
        try:
            collection = list(entry.load())
        except Exception:  # an adapter's import may fail in any way
            found.add((entry.name, entry.value))
            continue
        for cls in collection:
            target = f"{getattr(cls, '__module__', '?')}:{getattr(cls, '__qualname__', cls)}"
            found.add((str(getattr(cls, "name", target)), target))
    return sorted(found)


def load_mutant(name: str, target: str) -> Mutant:
    """Import a mutant and check what the self-test needs of it; ``MutantError`` says what is wrong."""
    try:
        cls = _import(name, target)
    except AdapterLoadError as error:
        raise MutantError(str(error)) from None
    problems = contract_problems(cls)
    if problems:
        raise MutantError(f"mutant {name!r} ({target}) is no adapter: {'; '.join(problems)}")
    if cls.name != name:
        raise MutantError(
            f"mutant {name!r} ({target}): its class says name = {cls.name!r}; make the two equal"
        )
    breaks, how = getattr(cls, "breaks", ""), getattr(cls, "how", "")
    try:
        clause = clause_by_id(breaks)
    except KeyError as error:
        raise MutantError(f"mutant {name!r}: breaks = {breaks!r} is no clause id: {error.args[0]}") from None
    if not isinstance(how, str) or not how.strip():
        raise MutantError(f"mutant {name!r}: set how = '...', one line saying what it breaks")
    configs = tuple(getattr(cls, "configs", None) or clause.configs)
    stray = [c for c in configs if c not in clause.configs]
    if stray:
        raise MutantError(
            f"mutant {name!r}: configs names {', '.join(stray)}, where clause {breaks!r} does not "
            f"apply; expected some of {', '.join(clause.configs)}"
        )
    return Mutant(name, target, _baseline(name, cls), breaks, how, configs)


def _baseline(name: str, cls: type) -> str:
    """module:Class of the nearest ancestor that is a concrete adapter and no mutant (has no ``breaks``)."""
    for ancestor in cls.__mro__[1:]:
        if (
            isinstance(vars(ancestor).get("name"), str)
            and not hasattr(ancestor, "breaks")
            and not inspect.isabstract(ancestor)
        ):
            return f"{ancestor.__module__}:{ancestor.__qualname__}"
    raise MutantError(
        f"mutant {name!r}: no ancestor class is an adapter to compare it with; derive it from one"
    )


# -- judging ------------------------------------------------------------------------------


def judge(mutant: Mutant, run: Run, baseline: Run) -> Kill:
    """The kills of one mutant's run, counting only tests that the baseline passes."""
    passing = {test.test_id for test in baseline.tests if test.outcome is Outcome.PASS}
    kill = Kill(mutant, results=str(run.path))
    for test in run.tests:
        if test.outcome is Outcome.ERROR:
            kill.errors.append(f"{test.test_id}: {test.reason}")
        if test.outcome not in KILLING or test.test_id not in passing:
            continue
        kills = kill.own if mutant.breaks in test.clauses else kill.others
        kills.setdefault(test.config or ANY_CONFIG, []).append(test.test_id)
    if not run.complete and not kill.killed:
        kill.problem = f"the battery run stopped before its end ({run.path}); rerun it"
    return kill


# -- running ------------------------------------------------------------------------------


def run_battery(target: str, folder: Path) -> Path:
    """Run the battery against ``target`` without expectations; the results file it wrote."""
    shutil.rmtree(folder, ignore_errors=True)  # never read a file of an earlier run
    command = [
        sys.executable,
        "-m",
        "conformance",
        "run",
        target,
        "--no-expectations",
        "--results-dir",
        str(folder),
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    files = sorted(folder.glob("*.jsonl"))
    if len(files) != 1:
        tail = (completed.stderr or completed.stdout).strip()[-600:]
        raise MutantError(
            f"the battery run of {target} wrote no results file (exit {completed.returncode}): {tail}"
        )
    return files[0]


def run_selftest(
    out: Path,
    jobs: int = 2,
    only: Sequence[str] = (),
    *,
    found: Iterable[tuple[str, str]] | None = None,
    battery: Battery = run_battery,
) -> int:
    """Run the battery against every mutant (or those named in ``only``); write the kill matrix.

    0 when every mutant is killed (and, for a full run, every clause has one);
    1 when one survives or cannot be judged; 2 when there is nothing to run.
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
    runs = _run_all(
        sorted({m.baseline for m in mutants} | {m.target for m in mutants}), folder, jobs, battery
    )
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
    def one(target: str) -> Run | MutantError:
        try:
            return read_results(battery(target, folder / _folder_name(target)))
        except (MutantError, ResultsFileError) as error:
            return MutantError(str(error))

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return dict(zip(targets, pool.map(one, targets)))


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
