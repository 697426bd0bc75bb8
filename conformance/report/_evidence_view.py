"""The command a report offers beside a deviation: ``conformance reproduce`` for that test.

Design: part of the report's model layer (with ``_model``). A test's evidence
needs no view of its own any more: tests are typed records (``_records``), and
renderers read ``test.expected``, ``test.observed`` and ``test.evidence``
directly. The trace is for reproducers, not for reading, so no renderer shows it.
"""

from __future__ import annotations

import shlex

from .._records import TestResult

__all__ = ["REPRODUCIBLE", "reproduce_command"]

#: Outcomes whose cells offer the command that writes a standalone reproducer.
REPRODUCIBLE = ("fail", "crash", "timeout", "refused")


def reproduce_command(test: TestResult, origin: str) -> str:
    """``conformance reproduce`` for a deviation of a run read from ``origin`` ("" if none applies)."""
    if test.outcome.value not in REPRODUCIBLE or not test.evidence.trace:
        return ""
    results = origin if origin.endswith(".jsonl") else "RESULTS.jsonl"
    name = "repro-" + "".join(ch if ch.isalnum() else "-" for ch in test.test_id.split("::")[-1]).strip("-")
    return shlex.join(["conformance", "reproduce", results, test.test_id, "-o", name])
