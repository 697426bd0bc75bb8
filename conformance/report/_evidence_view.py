"""What a renderer shows of one test's evidence, whatever shape the results file gave it.

Design: part of the report's model layer (with ``_model``): the HTML page, the
Markdown summary and the JUnit files all show a test's steps, checks, notes and
expected-versus-observed through ``evidence_view``, so they agree, and none of
them reads the evidence's raw shape. A failed test without its own expected and
observed values shows those of its first failed check.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
from typing import Any

from .._outcomes import Outcome, TestResult

__all__ = ["EvidenceView", "evidence_view", "reproduce_command"]


@dataclasses.dataclass
class EvidenceView:
    """A test's evidence, tolerant of whatever shape the results file gave it."""

    steps: list[str]
    checks: list[dict[str, str]]
    notes: list[str]
    expected: str | None
    observed: str | None
    extra: list[tuple[str, str]]


#: "trace" is for reproducers (``conformance reproduce``), not for reading.
_KNOWN_KEYS = {"steps", "checks", "notes", "expected", "observed", "trace"}
#: Outcomes whose cells offer the command that writes a standalone reproducer.
REPRODUCIBLE = ("fail", "crash", "timeout", "refused")


def reproduce_command(test: TestResult, origin: str) -> str:
    """``conformance reproduce`` for a deviation of a run read from ``origin`` ("" if none applies)."""
    evidence = test.evidence if isinstance(test.evidence, dict) else {}
    if test.outcome.value not in REPRODUCIBLE or not evidence.get("trace"):
        return ""
    results = origin if origin.endswith(".jsonl") else "RESULTS.jsonl"
    name = "repro-" + "".join(ch if ch.isalnum() else "-" for ch in test.test_id.split("::")[-1]).strip("-")
    return shlex.join(["conformance", "reproduce", results, test.test_id, "-o", name])


def evidence_view(test: TestResult) -> EvidenceView:
    evidence = test.evidence if isinstance(test.evidence, dict) else {"evidence": test.evidence}
    checks = [_check(c) for c in _list(evidence.get("checks"))]
    expected, observed = evidence.get("expected"), evidence.get("observed")
    if expected is None and test.outcome is Outcome.FAIL:
        failed = [c for c in checks if c["ok"] == "no"]
        if failed:
            expected, observed = failed[0]["expected"], failed[0]["observed"]
    return EvidenceView(
        steps=[str(s) for s in _list(evidence.get("steps"))],
        checks=checks,
        notes=[str(n) for n in _list(evidence.get("notes"))],
        expected=None if expected is None else str(expected),
        observed=None if observed is None else str(observed),
        extra=[(str(k), _json(v)) for k, v in evidence.items() if k not in _KNOWN_KEYS],
    )


def _check(check: Any) -> dict[str, str]:
    if not isinstance(check, dict):
        return {"what": str(check), "expected": "", "observed": "", "ok": "?"}
    ok = check.get("ok")
    return {
        "what": str(check.get("what", "")),
        "expected": str(check.get("expected", "")),
        "observed": str(check.get("observed", "")),
        "ok": "yes" if ok is True else "no" if ok is False else "?",
    }


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, indent=1, ensure_ascii=False, default=str)
