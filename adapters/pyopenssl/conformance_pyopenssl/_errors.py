"""pyOpenSSL's exceptions in the suite's vocabulary.

Design: one table of what pyOpenSSL raises when it rejects a call, most
specific first, each with the way its own text is read. ``OpenSSL.SSL.Error``
carries OpenSSL's error queue (a list of (library, function, reason)
triples); the Python exceptions come from pyOpenSSL's own checks before
OpenSSL is called: ``TypeError`` (not a ``Session``), ``ValueError`` (a
session of another ``Context``). An ``AttributeError`` is no designed answer:
pyOpenSSL breaks on a ``Session`` object that holds no SSL_SESSION (what
``OpenSSL.SSL.Session()`` makes), so it is a ``LibraryFault``. Only the one
library call is wrapped, so an ``AttributeError`` of the adapter's own is never
mistaken for the library's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from OpenSSL import SSL

from conformance import HandshakeFailed, LibraryFault, Refused

__all__ = ["handshake_failures", "library_text", "refusals"]


def _queue_text(error: BaseException) -> str:
    """OpenSSL's error queue as pyOpenSSL hands it over, one entry per "; "."""
    entries = error.args[0] if error.args else None
    if isinstance(entries, list) and all(isinstance(entry, tuple) for entry in entries):
        text = "; ".join(": ".join(part for part in entry if part) for entry in entries)
        return text or "(empty error queue)"
    return str(error) or "(no message)"


def _plain_text(error: BaseException) -> str:
    return str(error) or "(no message)"


# What pyOpenSSL raises when it rejects a call, most specific first, and how to read its text.
_REJECTIONS: tuple[tuple[type[BaseException], Callable[[BaseException], str]], ...] = (
    (SSL.Error, _queue_text),
    (ValueError, _plain_text),
    (TypeError, _plain_text),
)
_REJECTED = tuple(kind for kind, _ in _REJECTIONS)
#: Subclasses of ``SSL.Error`` that are flow, not failure: "feed me bytes", "the peer closed".
_FLOW_SIGNALS: tuple[type[SSL.Error], ...] = (
    SSL.WantReadError,
    SSL.WantWriteError,
    SSL.ZeroReturnError,
)


def library_text(error: BaseException) -> str:
    """The library's own message, prefixed with its exception class (``OpenSSL.SSL.Error: ...``)."""
    for kind, read in _REJECTIONS:
        if isinstance(error, kind):
            return f"{_qualified(type(error))}: {read(error)}"
    return f"{_qualified(type(error))}: {error}"


def _qualified(kind: type) -> str:
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


@contextlib.contextmanager
def refusals(call: str) -> Iterator[None]:
    """Turn pyOpenSSL's rejection of ``call`` into ``Refused`` with pyOpenSSL's text."""
    try:
        yield
    except _REJECTED as error:
        raise Refused(call, library_text(error)) from error
    except AttributeError as error:
        raise LibraryFault(f"{call}: {_qualified(type(error))}: {error}") from error


@contextlib.contextmanager
def handshake_failures(step: str, explain: Callable[[], str | None] = lambda: None) -> Iterator[None]:
    """Turn a TLS failure during ``step`` into ``HandshakeFailed``; flow signals pass through.

    ``explain`` may add what OpenSSL knows beyond its error queue (why a
    certificate was not accepted, say).
    """
    try:
        yield
    except _FLOW_SIGNALS:
        raise
    except SSL.Error as error:
        detail = explain()
        suffix = f" ({detail})" if detail else ""
        raise HandshakeFailed(f"{step} failed: {library_text(error)}{suffix}") from error
