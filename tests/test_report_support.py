"""Builders of synthetic results files for the report tests (no tests here).

The files are written with the suite's own results writer, so they have
exactly the shape of a real run.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import msgspec

from conformance import Outcome, RunState, TestResult
from conformance._records import AdapterInfo, EvidenceRecord
from conformance._results_writer import ResultsWriter, run_header

FACTS = {
    "library": "FakeTLS",
    "library_version": "1.0",
    "tls_library": "FakeSSL",
    "tls_library_version": "9.9",
    "notes": [],
}


def result(
    test_id: str = "test_use.py::test_resumes[tls13]",
    outcome: str = "pass",
    *,
    clauses: Iterable[str] = ("use",),
    config: str | None = "tls13",
    reason: str = "",
    expected: str = "pass",
    expectation_reason: str = "",
    expectation_link: str = "",
    evidence: dict[str, Any] | None = None,
    title: str = "A session set before the handshake is resumed.",
) -> TestResult:
    """A test record; ``expected`` and ``observed`` in ``evidence`` become the record's own fields."""
    evidence = dict(
        evidence
        if evidence is not None
        else {
            "steps": ["made server context X1", "handshake C1 with C2: full"],
            "checks": [{"what": "reuse flag", "expected": "True", "observed": "True", "ok": True}],
            "notes": [],
        }
    )
    expected_value, observed_value = evidence.pop("expected", None), evidence.pop("observed", None)
    return TestResult(
        test_id=test_id,
        clauses=tuple(clauses),
        config=config,
        outcome=Outcome(outcome),
        reason=reason,
        expected=expected_value,
        observed=observed_value,
        evidence=msgspec.convert(evidence, EvidenceRecord),
        duration=0.012,
        expected_outcome=Outcome(expected),
        expectation_reason=expectation_reason,
        expectation_link=expectation_link,
        title=title,
        rerun=f"conformance run fake --test '{test_id}'",
    )


def write_run(
    path: Path,
    tests: Iterable[TestResult] = (),
    *,
    adapter: str = "fake",
    complete: bool = True,
    state: RunState = RunState.COMPLETE,
    unavailable: str = "",
    started: str = "2026-01-01T10:00:00+00:00",
    facts: dict[str, Any] | None = None,
    python: str | None = None,
    label: str | None = None,
) -> Path:
    info = {
        "name": adapter,
        **({"label": label} if label else {}),
        "target": "fake:Adapter",
        "distribution": "fake-adapter",
        "distribution_version": "0.1",
        "contract_version": 1,
        "capabilities": ["reuse-flag"],
        "facts": dict(FACTS, **(facts or {})) if not unavailable else {},
        "unavailable": unavailable,
        "expectations": "",
    }
    header = run_header(msgspec.convert(info, AdapterInfo), "0.1.0", f"conformance run {adapter}")
    header.started = started
    if python:
        header.python = python
    writer = ResultsWriter(path, header)
    writer.publish()
    tests = list(tests)
    for test in tests:
        writer.add(test)
    if complete:
        writer.close(state, exit_status=0, selected=len(tests), complete_selection=True, stale=[])
    else:
        writer.discard()  # no end record: a lost run
    return path


def sample_tests() -> list[TestResult]:
    """One test per outcome, spread over clauses and configurations."""
    return [
        result("test_use.py::test_resumes[tls13]", "pass"),
        result(
            "test_use.py::test_resumes[tls12-ticket]",
            "fail",
            config="tls12-ticket",
            reason="the handshake of a connection with a session set: expected resumed, observed full",
            evidence={
                "steps": ["set session S1 on C3"],
                "checks": [{"what": "handshake", "expected": "resumed", "observed": "full", "ok": False}],
                "notes": [],
                "expected": "resumed",
                "observed": "full",
            },
        ),
        result(
            "test_get.py::test_get[tls13]",
            "refused",
            clauses=("get",),
            reason="ValueError: nope",
            expected="refused",
            expectation_reason="the binding refuses it",
            expectation_link="https://example.org/why",
        ),
        result(
            "test_get.py::test_get_id[tls13]",
            "not-observable",
            clauses=("get",),
            reason="needs capability session-id",
        ),
        result(
            "test_replace.py::test_replace[tls13]",
            "crash",
            clauses=("replace",),
            reason="the process died of signal SIGSEGV (11); last step: set session S2 on C1",
        ),
        result(
            "test_replace.py::test_replace[tls12-sessionid]",
            "timeout",
            clauses=("replace",),
            config="tls12-sessionid",
            reason="the test ran past its 20 s limit",
        ),
        result(
            "test_return_value.py::test_wrong_type",
            "error",
            clauses=("return-value",),
            config=None,
            reason="TypeError: adapter bug",
        ),
    ]
