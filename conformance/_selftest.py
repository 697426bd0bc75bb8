"""Self-test: the battery proves it can fail, by catching mutants.

Design: a mutant is an adapter that breaks exactly one documented behaviour
(class attributes ``breaks``, the clause id, and ``how``, one line). Mutants
register in their own entry-point group, so a library's adapter package can
bring mutants of itself. The self-test runs the battery against each mutant,
without expectations, and reads the results: a mutant is killed in a protocol
configuration when a test of its own clause there does not pass
(not-observable does not count). It must be killed in every configuration
where its clause applies; a mutant killed only by other clauses' tests is a
sign that its clause's tests are weak, and is reported as such.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from ._catalogue import clause_by_id
from ._outcomes import Outcome
from ._registry import AdapterLoadError, _import
from ._results import read_results

__all__ = ["MUTANT_GROUP", "Kill", "run_selftest"]

MUTANT_GROUP = "ssl_set_session_conformance.mutants"
#: Outcomes that show the battery noticed something.
_NOTICED = {Outcome.FAIL, Outcome.REFUSED, Outcome.CRASH, Outcome.TIMEOUT, Outcome.ERROR}


@dataclasses.dataclass
class Kill:
    """What the battery did to one mutant."""

    mutant: str
    target: str
    breaks: str
    how: str
    #: configuration id -> the tests of the mutant's own clause that did not pass there
    own_kills: dict[str, list[str]]
    #: clause id -> tests of other clauses that did not pass
    other_kills: dict[str, list[str]]
    problem: str = ""

    @property
    def survived_in(self) -> list[str]:
        return [config for config in clause_by_id(self.breaks).configs if not self.own_kills.get(config)]

    @property
    def killed(self) -> bool:
        return not self.problem and not self.survived_in

    def to_json(self) -> dict[str, Any]:
        record = dataclasses.asdict(self)
        record.update(killed=self.killed, survived_in=self.survived_in)
        return record


def find_mutants() -> list[tuple[str, str]]:
    return sorted((entry.name, entry.value) for entry in metadata.entry_points(group=MUTANT_GROUP))


def run_selftest(out: Path, jobs: int = 2) -> int:
    """Run the battery against every mutant; write the kill matrix; 0 only if all are killed."""
    mutants = find_mutants()
    if not mutants:
        print(f"selftest: no mutants are installed (entry point group {MUTANT_GROUP!r}); "
              "install the adapters that bring them (adapters/libssl)")
        return 2
    results_dir = out / "selftest"
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        kills = list(pool.map(lambda m: _judge(m[0], m[1], results_dir), mutants))
    matrix = results_dir / "kill-matrix.json"
    matrix.write_text(json.dumps([kill.to_json() for kill in kills], indent=2), encoding="utf-8")
    _print(kills)
    print(f"kill matrix: {matrix}")
    return 0 if all(kill.killed for kill in kills) else 1


def _judge(name: str, target: str, results_dir: Path) -> Kill:
    try:
        cls = _import(name, target)
    except AdapterLoadError as error:
        return Kill(name, target, "?", "", {}, {}, problem=str(error))
    kill = Kill(name, target, getattr(cls, "breaks", "?"), getattr(cls, "how", ""), {}, {})
    command = [
        sys.executable, "-m", "conformance", "run", target, "--no-expectations",
        "--results-dir", str(results_dir / name), "-q", "-p", "no:terminal",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, env={**os.environ})
    files = sorted((results_dir / name).glob("*.jsonl"))
    if not files:
        kill.problem = f"the battery wrote no results (exit {completed.returncode}): {completed.stderr[-400:]}"
        return kill
    for test in read_results(files[0]).tests:
        if test.outcome not in _NOTICED:
            continue
        for clause in test.clauses:
            if clause == kill.breaks:
                kill.own_kills.setdefault(test.config or "-", []).append(test.test_id)
            else:
                kill.other_kills.setdefault(clause, []).append(test.test_id)
    return kill


def _print(kills: list[Kill]) -> None:
    for kill in kills:
        if kill.problem:
            verdict = f"NOT RUN: {kill.problem}"
        elif kill.killed:
            count = sum(len(tests) for tests in kill.own_kills.values())
            verdict = f"killed by {count} test(s) of {kill.breaks}"
        else:
            verdict = f"SURVIVED its own clause in {', '.join(kill.survived_in)}"
            if kill.other_kills:
                verdict += f" (killed only by other clauses: {', '.join(sorted(kill.other_kills))})"
        print(f"{kill.mutant:<32} breaks {kill.breaks:<20} {verdict}")
        print(f"{'':<32} {kill.how}")
