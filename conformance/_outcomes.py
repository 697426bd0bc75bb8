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
``SystemExit``, ``KeyboardInterrupt``  error (named: a test body may not end the run)
the process died of a signal           crash
the time limit ran out                 timeout
=====================================  ===============
"""

from __future__ import annotations

import enum
import traceback

from ._errors import ContractError, HandshakeFailed, LibraryFault, NotObservable, Refused
from ._evidence import Contradiction

__all__ = ["Outcome", "describe_exception", "outcome_of_exception"]


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


def describe_exception(error: BaseException) -> str:
    """``module.Type: message`` (as Python prints it); ``SystemExit(5)`` says its status."""
    name = type(error).__name__
    if isinstance(error, SystemExit):
        return f"{name}({error.code!r}) raised inside the test: a test body may not end the process"
    if isinstance(error, KeyboardInterrupt):
        return f"{name} raised inside the test (not by the user's Ctrl-C)"
    return "".join(traceback.format_exception_only(error)).strip()
