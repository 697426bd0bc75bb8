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

import dataclasses
import importlib
import re
import shlex
import sys
from pathlib import Path
from typing import Any

from ._catalogue import clause_by_id
from ._configs import ProtocolConfig, config_by_id
from ._evidence import Check, Op
from ._records import FactsRecord, TestResult
from ._results import ResultsFileError, Run, read_results

__all__ = ["MAN_PAGE", "Event", "Reproducer", "Scenario", "make_reproducer", "reproduce", "scenario_of"]

_LOADED = re.compile(r"loaded (.+?)(?: \(sha256 [0-9a-f]+\))?$")

#: The sentence of the man page each clause tests (SSL_set_session(3), OpenSSL 1.1.1;
#: clear-with-null: OpenSSL 3.5's page).
MAN_PAGE: dict[str, str] = {
    "use": "SSL_set_session() sets session to be used when the TLS/SSL connection is to be established.",
    "get": "SSL_set_session() sets session to be used when the TLS/SSL connection is to be "
    "established. (SEE ALSO SSL_get_session)",
    "client-only": "SSL_set_session() is only useful for TLS/SSL clients.",
    "ref-taken": "When the session is set, the reference count of session is incremented by 1.",
    "ref-dropped-on-miss": "If the session is not reused, the reference count is decremented again "
    "during SSL_connect().",
    "reused-flag": "Whether the session was reused can be queried with the SSL_session_reused(3) call.",
    "replace": "If there is already a session set inside ssl (because it was set with SSL_set_session() "
    "before ...), SSL_SESSION_free() will be called for that session.",
    "replace-after-use": "If there is already a session set inside ssl (... because the same ssl was "
    "already used for a connection), SSL_SESSION_free() will be called for that session.",
    "bad-if-open": "If that old session is still open, it is considered bad and will be removed from the "
    "session cache (if used). A session is considered open, if SSL_shutdown(3) was not called for the "
    "connection (or at least SSL_set_shutdown(3) was used to set the SSL_SENT_SHUTDOWN state).",
    "one-context": "One SSL_SESSION object, regardless of its reference count, must therefore only be "
    "used with one SSL_CTX object (and the SSL objects created from this SSL_CTX object).",
    "return-value": "0: The operation failed; check the error stack to find out the reason. "
    "1: The operation succeeded.",
    "clear-with-null": "If session is NULL, the session set inside ssl (if any) is cleared (OpenSSL 3.5's "
    "page; the older pages do not say it).",
}


@dataclasses.dataclass(frozen=True)
class Event:
    """One call of the trace (``op``), with the checks made on what it returned."""

    index: int
    op: Op
    #: Checks as recorded, made right after this call.
    checks: tuple[Check, ...] = ()
    #: True for the last call of a run that ended with it raising (refused, failed, crashed).
    ended_the_run: bool = False


@dataclasses.dataclass(frozen=True)
class Scenario:
    """What a generator needs to write a reproducer of one test."""

    test_id: str
    title: str
    clauses: tuple[str, ...]
    config: ProtocolConfig | None
    outcome: str
    reason: str
    #: How the run ended, as the results say it: expected and observed ("" for a pass).
    expected: str
    observed: str
    events: tuple[Event, ...]
    #: Checks whose observed value the trace does not name (the battery computed it).
    unreplayed: tuple[Check, ...]
    adapter: str
    #: module:Class of the adapter, as the results header names it.
    target: str
    facts: FactsRecord
    #: The command that made the reproducer.
    command: str

    @property
    def library_files(self) -> tuple[str, ...]:
        """The library files the run loaded (from the adapter's facts: "loaded PATH (sha256 ...)")."""
        found = (_LOADED.match(note) for note in self.facts.notes)
        return tuple(match.group(1) for match in found if match)

    def header_lines(self) -> list[str]:
        """The reproducer's header, one line each, without comment markers."""
        facts = self.facts
        lines = [f"Reproducer of {self.test_id}: {self.title}".rstrip(": ")]
        for clause in self.clauses:
            known = clause_by_id(clause)
            lines += [f"Clause {clause} ({known.section}): {known.summary}"]
            lines += [f'Man page, SSL_set_session(3): "{MAN_PAGE.get(clause, "")}"']
        lines += [
            f"Library: {facts.tls_library or '?'} {facts.tls_library_version or '?'} "
            f"(adapter {self.adapter!r}: {facts.library or '?'} {facts.library_version or '?'})",
        ]
        if self.config is not None:
            lines += [f"Configuration: {self.config.id}: {self.config.description}"]
        lines += [f"Outcome in the run: {self.outcome}" + (f": {self.reason}" if self.reason else "")]
        if self.expected or self.observed:
            lines += [f"  expected: {self.expected}", f"  observed: {self.observed}"]
        lines += [f"Made by: {self.command}"]
        if self.unreplayed:
            whats = "; ".join(check.what for check in self.unreplayed)
            lines += [f"Not replayed (the battery computed the observed value): {whats}"]
        return lines


@dataclasses.dataclass(frozen=True)
class Reproducer:
    """A program, its language ("c" or "python") and what it links (C)."""

    language: str
    text: str
    #: Library files a C program is linked with, in order.
    link: tuple[str, ...] = ()

    @property
    def suffix(self) -> str:
        return ".c" if self.language == "c" else ".py"

    def build_command(self, source: str, program: str) -> list[str]:
        """The command that builds it (C), or [] (Python)."""
        if self.language != "c":
            return []
        folders = dict.fromkeys(str(Path(library).parent) for library in self.link)
        return ["cc", source, "-o", program, *self.link, *(f"-Wl,-rpath,{folder}" for folder in folders)]

    def run_command(self, source: str, program: str) -> list[str]:
        return [program] if self.language == "c" else ["python3", source]


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
    from ._repro_python import python_reproducer

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
