"""A battery test's turn without pytest's fixtures, its reports made by pytest as usual.

Design: pytest runs each test through setup (its fixtures), call and teardown.
A battery test started by the fork server needs no fixture in the run's
process: its child makes the test's own lab. So, once the first battery test
has been through pytest's protocol (the session's adapter and credentials
made, the parent warm, the server started), each later test the server can
start takes a shorter turn: the same hooks in the same order (``logstart``;
setup, call and teardown each made into a report by ``pytest_runtest_makereport``
from a ``CallInfo`` and logged; ``logfinish``), with a setup that sets nothing
up, a call that runs the test in its child and tells pytest its result
(``_test_result.tell_pytest``, as the full protocol's call does), and pytest's
own teardown to the next test. The terminal, ``-x``, ``--junitxml`` and the
expected-deviation xfails see what they would have seen.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ._records import TestResult
from ._test_result import tell_pytest

__all__ = ["run_turn"]


def run_turn(item: pytest.Item, nextitem: pytest.Item | None, result_of: Callable[[], TestResult]) -> None:
    """Run ``item``'s turn; ``result_of()`` runs the test and writes its result."""
    ihook = item.ihook
    ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    if _phase(item, "setup", lambda: None).passed:
        _phase(item, "call", lambda: tell_pytest(result_of()))
    if item.session.shouldfail or item.session.shouldstop:
        nextitem = None  # as pytest's protocol: a run about to stop tears everything down
    _phase(item, "teardown", lambda: item.session._setupstate.teardown_exact(nextitem))
    ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)


def _phase(item: pytest.Item, when: str, action: Callable[[], None]) -> pytest.TestReport:
    reraise: tuple[type[BaseException], ...] = (pytest.exit.Exception, KeyboardInterrupt)
    call = pytest.CallInfo.from_call(action, when=when, reraise=reraise)  # type: ignore[arg-type]
    report: pytest.TestReport = item.ihook.pytest_runtest_makereport(item=item, call=call)
    item.ihook.pytest_runtest_logreport(report=report)
    return report
