"""Mutants and their kills: what a mutant is, how it is found, and how one run of it is judged.

Design: a mutant is an adapter that breaks exactly one documented behaviour
of the adapter it derives from (its *baseline*: the nearest ancestor class that
is not a mutant: a class without ``breaks``). It says which clause it breaks
(``breaks``, a clause id), how (``how``, one line) and, if its bug can show in
fewer protocol configurations than the clause covers, which (``configs``). A
distribution names its collection of mutants (a sequence of classes) with one
entry point in ``MUTANT_GROUP``, so a library's adapter package brings mutants
of itself.

Every test result of a mutant is judged by this table (a test the baseline
does not pass kills nothing: the mutant cannot be blamed for it):

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
other clauses kill it there, its own clause's tests are too weak.
"""

from __future__ import annotations

import dataclasses
import inspect
from importlib import metadata
from typing import Any

from ._catalogue import clause_by_id
from ._matrix_format import ANY_CONFIG, kills_in
from ._outcomes import Outcome
from ._registry import AdapterLoadError, _import, contract_problems
from ._results import Run

__all__ = ["KILLING", "MUTANT_GROUP", "Kill", "Mutant", "MutantError", "find_mutants", "judge", "load_mutant"]

MUTANT_GROUP = "ssl_set_session_conformance.mutants"
#: Outcomes that kill a mutant (error does not: it is the harness's or the adapter's fault).
KILLING = frozenset({Outcome.FAIL, Outcome.REFUSED, Outcome.CRASH, Outcome.TIMEOUT})


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
