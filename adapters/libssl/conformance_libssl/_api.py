"""The C API of one opened library, as Python callables named by operation.

Design: ``Api`` resolves every operation of a ``Dialect`` against the opened
``Library`` once, up front, so that a missing symbol is a clear
``LibraryUnavailable`` at load time rather than an error in the middle of a
test. ``Ctrl`` and ``ExIndex`` operations become small closures that fill in
the command or class number, as OpenSSL's macros do. The error queue helpers
live here too: every adapter reads it the same way.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Callable
from typing import Any

from conformance import LibraryUnavailable

from ._dialects import Constants, Ctrl, Dialect, ExIndex, Fn, P
from ._loading import Library, Symbols

__all__ = ["Api", "check_version"]

_ERROR_TEXT_SIZE = 256
# A ctrl call: (handle, command, larg, parg) -> long.
_CTRL_TYPES = (ctypes.c_long, (P, ctypes.c_int, ctypes.c_long, P))
# CRYPTO_get_ex_new_index(class_index, argl, argp, new_func, dup_func, free_func).
_EX_INDEX_TYPES = (ctypes.c_int, (ctypes.c_int, ctypes.c_long, P, P, P, P))


class Api:
    """One library's calls; ``api.op(...)`` calls operation ``op`` of the dialect."""

    def __init__(self, dialect: Dialect, library: Library) -> None:
        self.dialect = dialect
        self.constants: Constants = dialect.constants
        self.library = library
        missing: list[str] = []
        self._calls: dict[str, Callable[..., Any]] = {}
        for operation, source in dialect.operations.items():
            call = self._resolve(source)
            if call is None:
                missing.append(source.symbol)
            else:
                self._calls[operation] = call
        if missing:
            files = ", ".join(str(path) for path in library.files)
            names = sorted(set(missing))
            more = f" and {len(names) - 3} more" if len(names) > 3 else ""
            raise LibraryUnavailable(
                f"{files} lacks {', '.join(names[:3])}{more}, which the {dialect.name} dialect calls; "
                "use a build with the full API"
            )

    def __getattr__(self, operation: str) -> Callable[..., Any]:
        try:
            return self._calls[operation]
        except KeyError:
            raise AttributeError(f"the {self.dialect.name} dialect has no operation {operation!r}") from None

    # -- resolving -------------------------------------------------------------------
    def _resolve(self, source: Fn | Ctrl | ExIndex) -> Callable[..., Any] | None:
        symbols = self._symbols_for(source.symbol)
        if symbols is None:
            return None
        if isinstance(source, Fn):
            return symbols.function(source.symbol, source.restype, source.argtypes)
        if isinstance(source, Ctrl):
            return _ctrl(symbols.function(source.symbol, *_CTRL_TYPES), source)
        return _ex_index(symbols.function(source.symbol, *_EX_INDEX_TYPES), source.class_index)

    def _symbols_for(self, symbol: str) -> Symbols | None:
        for symbols in (self.library.ssl, self.library.crypto):
            if symbols.has(symbol):
                return symbols
        return None

    # -- the error queue -------------------------------------------------------------
    def clear_errors(self) -> None:
        self.err_clear()

    def take_errors(self) -> tuple[str, ...]:
        """Every entry of the thread's error queue, oldest first, as text; the queue is left empty."""
        texts = []
        buffer = ctypes.create_string_buffer(_ERROR_TEXT_SIZE)
        while code := self.err_get():
            self.err_string(code, buffer, _ERROR_TEXT_SIZE)
            texts.append(buffer.value.decode("utf-8", "replace") or f"error code {code:#x}")
        return tuple(texts)

    def describe_errors(self) -> str:
        errors = self.take_errors()
        return "; ".join(errors) if errors else "the error queue is empty"


def check_version(dialect: Dialect, library: Library) -> tuple[str, str]:
    """The library's own version text and the version in it; refuse a library of another dialect."""
    source = dialect.operations["version_text"]
    assert isinstance(source, Fn)
    files = " and ".join(str(path) for path in library.files)
    holder: Symbols | None = next((s for s in (library.ssl, library.crypto) if s.has(source.symbol)), None)
    if holder is None:
        raise LibraryUnavailable(f"{files} exports no {source.symbol}, so it is not a {dialect.name} library")
    call = holder.function(source.symbol, source.restype, source.argtypes)
    text = (call(*(0 for _ in source.argtypes)) or b"").decode("utf-8", "replace")
    found = re.match(dialect.version_pattern, text)
    if found is None:
        raise LibraryUnavailable(
            f"{holder.path} reports version {text!r}, not one of {dialect.name}: a library of another "
            "dialect (see 'conformance adapters' for the adapter that drives it)"
        )
    return text, found.group(1) if found.groups() else ""


def _ctrl(function: Callable[..., int], source: Ctrl) -> Callable[..., int]:
    if source.takes == "larg":
        return lambda handle, value: function(handle, source.command, value, None)
    if source.takes == "parg":
        return lambda handle, value: function(handle, source.command, 0, value)
    return lambda handle: function(handle, source.command, 0, None)


def _ex_index(function: Callable[..., int], class_index: int) -> Callable[..., int]:
    return lambda argl, argp, new, dup, free: function(class_index, argl, argp, new, dup, free)
