"""Evidence: what a test did, what it observed, and what it expected.

Design: every test writes into one ``Evidence`` as it goes: a step for each
call it makes, a check for each comparison with the documented behaviour. A
check that does not hold raises ``Contradiction``, which becomes the ``fail``
outcome; its expected and observed values travel with the result. Passes
carry their checks too, so a reader can see why a pass is a pass.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

__all__ = ["Check", "Contradiction", "Evidence"]


@dataclasses.dataclass
class Check:
    what: str
    expected: str
    observed: str
    ok: bool

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


class Contradiction(Exception):
    """An observation contradicts the documentation."""

    def __init__(self, check: Check) -> None:
        super().__init__(f"{check.what}: expected {check.expected}, observed {check.observed}")
        self.check = check


@dataclasses.dataclass
class Evidence:
    steps: list[str] = dataclasses.field(default_factory=list)
    checks: list[Check] = dataclasses.field(default_factory=list)
    #: Free-form remarks for the report ("refused, which the clause allows").
    notes: list[str] = dataclasses.field(default_factory=list)
    #: Called with each step as it happens (crash isolation streams steps to the parent).
    on_step: Callable[[str], None] | None = dataclasses.field(default=None, repr=False)

    def did(self, step: str) -> None:
        self.steps.append(step)
        if self.on_step is not None:
            self.on_step(step)

    def note(self, remark: str) -> None:
        self.notes.append(remark)

    def check(self, what: str, expected: Any, observed: Any) -> None:
        """Record a comparison; raise ``Contradiction`` if ``observed != expected``."""
        check = Check(what, _show(expected), _show(observed), observed == expected)
        self.checks.append(check)
        if not check.ok:
            raise Contradiction(check)

    def check_that(self, what: str, holds: bool, expected: str, observed: str) -> None:
        """Record a comparison whose outcome the caller computed."""
        check = Check(what, expected, observed, bool(holds))
        self.checks.append(check)
        if not check.ok:
            raise Contradiction(check)

    def to_json(self) -> dict[str, Any]:
        return {
            "steps": list(self.steps),
            "checks": [c.to_json() for c in self.checks],
            "notes": list(self.notes),
        }


def _show(value: Any) -> str:
    if isinstance(value, bytes):
        return value.hex() or "(empty)"
    return str(value)
