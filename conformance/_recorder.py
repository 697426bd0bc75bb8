"""What each contract method must return, and the adapter as ``conformance check`` calls it.

Design: a table. ``RETURNS`` says what each contract method returns; the
``Recorder`` stands for the adapter, holds every return value against the
table and stops at the first wrong one with ``WrongReturn``, naming the
method, what it returned (``show``) and what was expected.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Callable
from typing import Any

from ._contract import Adapter, Facts, RawCall
from ._errors import ContractError

__all__ = ["RETURNS", "Recorder", "Returns", "WrongReturn", "show"]


@dataclasses.dataclass(frozen=True)
class Returns:
    accepts: Callable[[Any], bool]
    expected: str


def _is(kind: type) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, kind)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_raw_call(value: Any) -> bool:
    return (
        isinstance(value, RawCall)
        and _is_int(value.return_value)
        and isinstance(value.errors, tuple)
        and all(isinstance(error, str) for error in value.errors)
    )


_NOTHING = Returns(lambda value: value is None, "None")
_HANDLE = Returns(lambda value: value is not None, "a handle (anything but None)")

RETURNS: dict[str, Returns] = {
    "facts": Returns(_is(Facts), "a conformance.Facts"),
    "make_context": _HANDLE,
    "make_connection": _HANDLE,
    "do_handshake": Returns(
        _is(bool), "a bool: True once the handshake is complete, False while it waits for the peer"
    ),
    "put_incoming": _NOTHING,
    "take_outgoing": Returns(_is(bytes), 'bytes (b"" when there is nothing to send)'),
    "write": _NOTHING,
    "read": Returns(_is(bytes), 'bytes (b"" when nothing has arrived)'),
    "shutdown": _NOTHING,
    "set_session": Returns(
        lambda value: value is None,
        "None: return normally on success, raise conformance.Refused when the library rejects the call",
    ),
    "get_session": Returns(lambda value: True, "a session handle, or None"),
    "release": _NOTHING,
    "session_reused": Returns(_is(bool), "a bool"),
    "session_id": Returns(_is(bytes), "bytes"),
    "same_session": Returns(_is(bool), "a bool"),
    "track_session": Returns(callable, "a callable probe that answers whether the session was freed"),
    "cache_size": Returns(_is_int, "an int"),
    "cache_removals": Returns(_is_int, "an int"),
    "flush_cache": _NOTHING,
    "set_sent_shutdown": _NOTHING,
    "set_session_raw": Returns(
        _is_raw_call, "a conformance.RawCall (return_value an int, errors a tuple of str)"
    ),
    "make_empty_session": _HANDLE,
}


class WrongReturn(ContractError):
    def __init__(self, method: str, value: Any) -> None:
        self.method, self.seen = method, show(value)
        self.expected = RETURNS[method].expected
        super().__init__(f"{method}() returned {self.seen}; expected {self.expected}")


class Recorder:
    """The adapter as the lab sees it, with every return value held against ``RETURNS``."""

    def __init__(self, adapter: Adapter) -> None:
        self._adapter = adapter
        self.calls: collections.Counter[str] = collections.Counter()
        #: The first wrong return value of each method, as shown to the user.
        self.wrong: dict[str, str] = {}
        self.last_call = ""

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._adapter, name)
        if name not in RETURNS:
            return attribute

        def call(*args: Any) -> Any:
            self.last_call = name
            value = attribute(*args)
            self.calls[name] += 1
            if not RETURNS[name].accepts(value):
                error = WrongReturn(name, value)
                self.wrong.setdefault(name, error.seen)
                raise error
            return value

        return call


def show(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return repr(value)
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"
