"""How the reports show and rank outcomes.

Design: one table, one row per outcome, holds everything the reports say about
an outcome: how bad it is (its rank), its text label, its symbol, its colour
class, and what it means. Nothing else decides how an outcome is ranked or
shown; the matrix, the summaries, JUnit and the diff all read this table.

Ranks, best first: pass, not-observable, refused, error, fail, timeout, crash.

- not-observable is above pass: nothing was verified, but nothing is wrong.
- refused is a library verdict (stricter than documented), so it ranks worse
  than not-observable but better than a contradiction.
- error means the harness or adapter broke; the library's verdict is unknown,
  so it ranks below refused and above a proven contradiction (fail).
- a hang (timeout) and a dead process (crash) are worse than a wrong answer.

A cell of the matrix shows the worst-ranked outcome of the tests behind it that
made an observation (not-observable shows only when no test behind the cell
could observe anything) together with its tally ("6 of 9 pass, 3
not-observable"); a cell with such gaps is marked partial, never a bare pass. The diff calls a change a regression when the new outcome ranks
worse (losing an observation, pass -> not-observable, is one).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from .._configs import config_label
from .._outcomes import Outcome

__all__ = [
    "ORDER",
    "STYLES",
    "OutcomeStyle",
    "config_label",
    "is_worse",
    "worst",
]


@dataclasses.dataclass(frozen=True)
class OutcomeStyle:
    outcome: Outcome
    #: 0 is best; a larger rank is worse.
    rank: int
    #: Text label shown beside every colour (colour never carries meaning alone).
    label: str
    symbol: str
    #: For Markdown, where there is no CSS.
    emoji: str
    meaning: str

    @property
    def css(self) -> str:
        return "o-" + self.outcome.value


STYLES: dict[Outcome, OutcomeStyle] = {
    s.outcome: s
    for s in (
        OutcomeStyle(Outcome.PASS, 0, "pass", "✓", "✅", "behaves as documented"),
        OutcomeStyle(
            Outcome.NOT_OBSERVABLE,
            1,
            "not-observable",
            "◌",
            "👁️",
            "the adapter cannot observe what the test needs (a capability it does not declare)",
        ),
        OutcomeStyle(
            Outcome.REFUSED,
            2,
            "refused",
            "⊘",
            "⛔",
            "the library rejects the documented call with a clear error (stricter than documented)",
        ),
        OutcomeStyle(
            Outcome.ERROR,
            3,
            "error",
            "!",
            "⚠️",
            "the harness or the adapter broke; not a verdict on the library",
        ),
        OutcomeStyle(Outcome.FAIL, 4, "fail", "✗", "❌", "contradicts the documentation"),
        OutcomeStyle(Outcome.TIMEOUT, 5, "timeout", "◷", "⏱️", "ran past its time limit and was killed"),
        OutcomeStyle(Outcome.CRASH, 6, "crash", "☠", "💥", "the process died of a signal"),
    )
}

#: The order of outcomes in tables and legends: best first.
ORDER: tuple[Outcome, ...] = tuple(sorted(STYLES, key=lambda o: STYLES[o].rank))


def worst(outcomes: Iterable[Outcome]) -> Outcome | None:
    """The worst-ranked observed outcome (not-observable only if nothing else), or None."""
    seen = list(outcomes)
    observed = [o for o in seen if o is not Outcome.NOT_OBSERVABLE] or seen
    return max(observed, key=lambda o: STYLES[o].rank, default=None)


def is_worse(after: Outcome, before: Outcome) -> bool:
    return STYLES[after].rank > STYLES[before].rank
