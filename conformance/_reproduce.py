"""Reproducers: one self-contained program per deviation, from the results file alone.

Design: a test's record carries its structured trace (``_evidence.Op``) and its
checks, each naming the trace entry it observed. ``scenario_of`` turns one
record into a ``Scenario``: the calls in order, each followed by the checks made
on what it returned, plus how the run ended, and a header (the clause and the
man-page sentence tested, the library and its version, the configuration, the
command that made it). A generator turns a scenario into a ``Reproducer``:

1. the adapter's own, if its class provides ``write_reproducer`` and it returns
   one (the C-API adapters write a C program over their dialect tables);
2. otherwise a Python script that drives the adapter directly, without the
   battery (``_repro_python``).

Every reproducer prints, per check, ``expected`` and ``observed``, and exits 1
while the library still deviates (or dies of the same signal), 0 otherwise.
"""

from __future__ import annotations

import importlib
import shlex
import sys
from pathlib import Path
from typing import Any

from ._configs import config_by_id
from ._evidence import Check
from ._records import TestResult
from ._repro_python import python_reproducer
from ._results import ResultsFileError, Run, read_results
from ._scenario import MAN_PAGE, Event, Reproducer, Scenario

__all__ = ["MAN_PAGE", "Event", "Reproducer", "Scenario", "make_reproducer", "reproduce", "scenario_of"]

#: Outcomes where (unless a check failed) the run ended inside its last call.
_ENDED_BY_A_CALL = ("fail", "refused", "crash", "timeout", "error")


def scenario_of(run: Run, test_id: str, command: str) -> Scenario:
    """The scenario of one test of ``run``; ``KeyError`` (with the known ids) if it has none."""
    result = _find(run, test_id)
    evidence = result.evidence
    trace = evidence.trace
    checks = evidence.checks
    after: dict[int, list[Check]] = {}
    unreplayed = []
    for check in checks:
        index = check.observed_from
        if index is None or not 0 <= index < len(trace):
            unreplayed.append(check)
        else:
            after.setdefault(index, []).append(check)
    ended = result.outcome.value in _ENDED_BY_A_CALL and all(check.ok for check in checks)
    events = tuple(
        Event(
            index,
            op,
            tuple(after.get(index, ())),
            ended_the_run=ended and index == len(trace) - 1,
        )
        for index, op in enumerate(trace)
    )
    adapter = run.header.adapter
    return Scenario(
        test_id=result.test_id,
        title=result.title,
        clauses=result.clauses,
        config=config_by_id(result.config) if result.config else None,
        outcome=result.outcome.value,
        reason=result.reason,
        expected=result.expected or "",
        observed=result.observed or "",
        events=events,
        unreplayed=tuple(unreplayed),
        adapter=adapter.name,
        target=adapter.target,
        facts=adapter.facts,
        command=command,
    )


def _find(run: Run, test_id: str) -> TestResult:
    for result in run.tests:
        if result.test_id == test_id:
            return result
    raise KeyError(
        f"{run.path}: no test {test_id!r} in this results file; ids look like "
        f"{run.tests[0].test_id if run.tests else 'test_use.py::test_set_session_is_resumed[tls13]'!r}"
    )


def reproduce_command(results: Path, test_id: str, out: Path) -> str:
    return shlex.join(["conformance", "reproduce", str(results), test_id, "-o", str(out)])


def make_reproducer(scenario: Scenario) -> Reproducer:
    """The adapter's own reproducer if it writes one, else the Python script driving the adapter."""
    adapter_class = _adapter_class(scenario.target)
    writer = getattr(adapter_class, "write_reproducer", None)
    own = writer(scenario) if writer is not None else None
    return own if own is not None else python_reproducer(scenario)


def _adapter_class(target: str) -> Any:
    module, _, name = target.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as error:
        raise ReproduceError(
            f"the run's adapter {target!r} cannot be imported here ({error}); install its "
            "distribution to write a reproducer"
        ) from None


class ReproduceError(Exception):
    """Bad input to ``conformance reproduce``; the message says what to do."""


def reproduce(results: Path, test_id: str, out: Path) -> int:
    """``conformance reproduce RESULTS TEST_ID -o FILE``: write the reproducer; 0, or 2 with a message."""
    try:
        run = read_results(results)
        scenario = scenario_of(run, test_id, reproduce_command(results, test_id, out))
        if not scenario.events:
            raise ReproduceError(
                f"{results}: test {test_id!r} has no trace (results written before traces were "
                "recorded, or a test that made no call); re-run it with this version of the suite"
            )
        reproducer = make_reproducer(scenario)
    except (ResultsFileError, ReproduceError) as error:
        print(f"conformance reproduce: {error}", file=sys.stderr)
        return 2
    except KeyError as error:
        print(f"conformance reproduce: {error.args[0]}", file=sys.stderr)
        return 2
    if out.suffix not in (".c", ".py"):  # a bare name: the language decides
        out = out.with_name(out.name + reproducer.suffix)
    out.write_text(reproducer.text, encoding="utf-8")
    program = str(out.with_suffix(""))
    build = reproducer.build_command(str(out), program)
    print(f"wrote {out} ({'a C program' if reproducer.language == 'c' else 'a Python script'})")
    if build:
        print(f"build: {shlex.join(build)}")
    print(f"run:   {shlex.join(reproducer.run_command(str(out), './' + Path(program).name))}")
    return 0
