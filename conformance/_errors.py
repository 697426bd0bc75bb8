"""One error vocabulary for every adapter.

Design: adapters map their library's native exceptions onto these classes,
most specific first (as httpx transports map socket errors). The battery then
tells the outcomes apart by class alone:

========================  ==========================================  ================
raised                    meaning                                     outcome
========================  ==========================================  ================
``Refused``               the library rejected a documented call      refused
``HandshakeFailed``       a handshake the test needed did not finish  fail
``LibraryFault``          the library broke inside a documented call  fail
``NotObservable``         the adapter cannot make an observation      not-observable
``LibraryUnavailable``    the library is not installed or not usable  (run stops)
``ContractError``         the adapter does not keep the contract      error
anything else             the harness or the adapter broke            error
========================  ==========================================  ================
"""

from __future__ import annotations

__all__ = [
    "AdapterError",
    "ContractError",
    "HandshakeFailed",
    "LibraryFault",
    "LibraryUnavailable",
    "NotObservable",
    "Refused",
]


class AdapterError(Exception):
    """Base class of every error an adapter raises on purpose."""


class Refused(AdapterError):
    """The library rejected a documented call with an error of its own.

    ``call`` names the call (``"set_session"``); ``library_error`` is the
    library's own message, verbatim.
    """

    def __init__(self, call: str, library_error: str) -> None:
        super().__init__(f"{call} was refused: {library_error}")
        self.call = call
        self.library_error = library_error


class HandshakeFailed(AdapterError):
    """A handshake did not complete; the message is the library's reason."""


class LibraryFault(AdapterError):
    """The library broke inside a documented call instead of answering it.

    For an exception that is no designed answer of the library (an
    AttributeError from inside a binding, say); the message is its text.
    Adapters raise it for the library's faults, never for their own.
    """


class NotObservable(AdapterError):
    """The adapter cannot make an observation (or build a configuration) a test needs."""


class LibraryUnavailable(AdapterError):
    """The adapter's library cannot be loaded. The message says what to install."""


class ContractError(AdapterError):
    """The adapter breaks the contract: a missing method, a wrong return type."""
