"""Outcomes: how one (test, adapter) pair ended, and the rules that decide it.

Design: a test body ends in one of a few ways (it returns, a check does not
hold, the adapter raises from the error vocabulary, something else breaks);
the child process running it may also die or run out of time. The table
below maps each ending to an outcome; nothing else decides an outcome.

=====================================  ===============
ending                                 outcome
=====================================  ===============
returned                               pass
``Contradiction`` (a check)            fail
``HandshakeFailed``                    fail
``LibraryFault``                       fail
``Refused``                            refused
``NotObservable``                      not-observable
``ContractError``, anything else       error
the process died of a signal           crash
the time limit ran out                 timeout
=====================================  ===============
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from ._errors import ContractError, HandshakeFailed, LibraryFault, NotObservable, Refused
from ._evidence import Contradiction

__all__ = ["Outcome", "TestResult", "outcome_of_exception"]


class Outcome(enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    REFUSED = "refused"
    NOT_OBSERVABLE = "not-observable"
    CRASH = "crash"
    TIMEOUT = "timeout"
    ERROR = "error"

    @property
    def is_library_verdict(self) -> bool:
        """Outcomes that speak of the library (error and not-observable do not)."""
        return self not in (Outcome.ERROR, Outcome.NOT_OBSERVABLE)


# Most specific first: the first class that matches decides.
_EXCEPTION_OUTCOMES: tuple[tuple[type[BaseException], Outcome], ...] = (
    (Contradiction, Outcome.FAIL),
    (HandshakeFailed, Outcome.FAIL),
    (LibraryFault, Outcome.FAIL),
    (Refused, Outcome.REFUSED),
    (NotObservable, Outcome.NOT_OBSERVABLE),
    (ContractError, Outcome.ERROR),
)


def outcome_of_exception(error: BaseException) -> Outcome:
    for kind, outcome in _EXCEPTION_OUTCOMES:
        if isinstance(error, kind):
            return outcome
    return Outcome.ERROR


@dataclasses.dataclass
class TestResult:
    """One (test, adapter) outcome with its evidence, as written to the results file."""

    __test__ = False  # not a pytest test class

    test_id: str
    clauses: tuple[str, ...]
    config: str | None
    outcome: Outcome
    reason: str
    evidence: dict[str, Any]
    duration: float
    #: Set from the adapter's expectations: the outcome that was expected, and why.
    expected_outcome: Outcome = Outcome.PASS
    expectation_reason: str = ""
    expectation_link: str = ""
    title: str = ""
    rerun: str = ""

    @property
    def as_expected(self) -> bool:
        return self.outcome is Outcome.NOT_OBSERVABLE or self.outcome is self.expected_outcome

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": "test",
            "test_id": self.test_id,
            "title": self.title,
            "clauses": list(self.clauses),
            "config": self.config,
            "outcome": self.outcome.value,
            "reason": self.reason,
            "evidence": self.evidence,
            "duration": round(self.duration, 6),
            "expected_outcome": self.expected_outcome.value,
            "expectation_reason": self.expectation_reason,
            "expectation_link": self.expectation_link,
            "as_expected": self.as_expected,
            "rerun": self.rerun,
        }

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> TestResult:
        return cls(
            test_id=record["test_id"],
            clauses=tuple(record["clauses"]),
            config=record.get("config"),
            outcome=Outcome(record["outcome"]),
            reason=record.get("reason", ""),
            evidence=record.get("evidence", {}),
            duration=float(record.get("duration", 0.0)),
            expected_outcome=Outcome(record.get("expected_outcome", "pass")),
            expectation_reason=record.get("expectation_reason", ""),
            expectation_link=record.get("expectation_link", ""),
            title=record.get("title", ""),
            rerun=record.get("rerun", ""),
        )
