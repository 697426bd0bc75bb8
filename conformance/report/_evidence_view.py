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
from typing import Any

from .._outcomes import Outcome, TestResult

__all__ = ["EvidenceView", "evidence_view"]


@dataclasses.dataclass
class EvidenceView:
    """A test's evidence, tolerant of whatever shape the results file gave it."""

    steps: list[str]
    checks: list[dict[str, str]]
    notes: list[str]
    expected: str | None
    observed: str | None
    extra: list[tuple[str, str]]


_KNOWN_KEYS = {"steps", "checks", "notes", "expected", "observed"}


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
