"""One battery test's ending, judged: the ``TestResult`` written for it, and what pytest is told.

Design: the child's ending is what the test saw. Before it is written, a pass
that recorded no check becomes an ``error`` ("the test checked nothing": a
pass must rest on a check that could have gone the other way), and the
adapter's expectations say whether the outcome was expected. pytest is then
told the same thing in its own words: as expected is passed (a known deviation
is xfailed, not-observable is skipped), anything unexpected is failed.
"""

from __future__ import annotations

import msgspec
import pytest

from ._expectations import Expectations
from ._items import battery_test_id
from ._outcomes import Outcome
from ._records import Ending, TestResult
from ._terminal import safe

__all__ = ["CHECKED_NOTHING", "checked_something", "judged_result", "tell_pytest"]

#: The reason of a test that returned without recording a check.
CHECKED_NOTHING = (
    "the test checked nothing: it returned without recording a check, so a pass would rest on nothing "
    "(a bug of the battery test)"
)


def checked_something(ending: Ending) -> Ending:
    """A pass needs at least one check in its evidence; one without is an ``error``."""
    if ending.outcome is not Outcome.PASS or ending.evidence.checks:
        return ending
    return msgspec.structs.replace(ending, outcome=Outcome.ERROR, reason=CHECKED_NOTHING)


def judged_result(
    item: pytest.Item,
    marker: pytest.Mark,
    ending: Ending,
    duration: float,
    expectations: Expectations,
    rerun: str,
) -> TestResult:
    """The record of ``item``'s ending, weighed against ``expectations``; ``rerun`` runs the battery."""
    test_id = battery_test_id(item)
    ending = checked_something(ending)
    config = item.callspec.params.get("config") if hasattr(item, "callspec") else None
    deviation = expectations.for_test(test_id)
    return TestResult(
        test_id=test_id,
        clauses=tuple(marker.args),
        config=getattr(config, "id", None),
        outcome=ending.outcome,
        reason=ending.reason,
        expected=ending.expected,
        observed=ending.observed,
        evidence=ending.evidence,
        duration=duration,
        title=_title(item),
        rerun=f"{rerun} --test '{test_id}'",
        expected_outcome=deviation.outcome if deviation else Outcome.PASS,
        expectation_reason=deviation.reason if deviation else "",
        expectation_link=deviation.link if deviation else "",
    )


def tell_pytest(result: TestResult) -> None:
    """Raise what pytest shows for ``result`` (nothing for an expected pass)."""
    if result.outcome is Outcome.NOT_OBSERVABLE:  # shown at the test, not at this line
        raise pytest.skip.Exception(safe(f"not-observable: {result.reason}"), _use_item_location=True)
    if result.as_expected:
        if result.outcome is not Outcome.PASS:
            # pytest.xfail() asks for a traceback, which pytest formats by parsing the test's
            # source (~20 ms per expected deviation); the reason alone says all there is.
            raise pytest.xfail.Exception(deviation_message(result), pytrace=False)
        return
    pytest.fail(unexpected_message(result), pytrace=False)


def deviation_message(result: TestResult) -> str:
    """What pytest shows of a known deviation (xfailed), terminal-safe."""
    return safe(f"{result.outcome.value} (expected: {result.expectation_reason})")


def unexpected_message(result: TestResult) -> str:
    """What pytest shows of a result that is not the one expected (terminal-safe)."""
    message = f"unexpected {result.outcome.value}"
    if result.outcome is Outcome.PASS:
        message += f" (expected {result.expected_outcome.value}: {result.expectation_reason})"
    else:
        message += f": {result.reason}"
        if result.expected is not None:
            message += f"\n  expected: {result.expected}\n  observed: {result.observed}"
    return safe(message)


def _title(item: pytest.Item) -> str:
    doc = getattr(item, "obj", None).__doc__ if hasattr(item, "obj") else None
    return doc.strip().splitlines()[0] if doc and doc.strip() else ""
