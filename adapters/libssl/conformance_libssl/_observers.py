"""Observers: C callbacks that watch sessions die and caches shrink.

Design: both observations use hooks the libraries document, nothing private.

- ``SessionLifetime``: one ``SSL_SESSION`` ex_data index, registered once per
  adapter, whose free callback runs when any session object is destroyed.
  Tracking a session stores a unique token in its slot; the callback records
  the token when that object dies. A dup callback clears the token in copies
  (OpenSSL copies ex_data into ``SSL_SESSION_dup``), so a copy's death is never
  taken for the original's.
- ``FreedMemory``: for a library whose ex_data free callbacks never run
  (wolfSSL built without ``HAVE_EX_DATA_CLEANUP_HOOKS``), the library's own
  allocator hook (``wolfSSL_SetAllocators``): only the free function is
  replaced, by one that notes when a tracked session's memory is returned and
  then hands it to the C library's ``free``, which is what the library would
  have called. A session object is freed exactly when its memory is.
- ``CacheEvents``: a remove callback (``SSL_CTX_sess_set_remove_cb``) on every
  context, counting removals per ``SSL_CTX``.

The ctypes callback objects are kept for the life of the process (``_FOREVER``),
not of the observer: the library keeps the function pointers as long as the
process runs (an ex_data index is never unregistered), and a collected callback
would leave it a dangling one.
"""

from __future__ import annotations

import atexit
import ctypes
import itertools
from collections.abc import Callable
from typing import Any, ClassVar

from conformance import LibraryUnavailable

from ._api import Api
from ._dialects import P

__all__ = ["CacheEvents", "FreedMemory", "SessionLifetime"]

# void free_func(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
EX_FREE = ctypes.CFUNCTYPE(None, P, P, P, ctypes.c_int, ctypes.c_long, P)
# int dup_func(CRYPTO_EX_DATA *to, const CRYPTO_EX_DATA *from, void **from_d, int idx, long argl, void *argp)
EX_DUP = ctypes.CFUNCTYPE(ctypes.c_int, P, P, ctypes.POINTER(P), ctypes.c_int, ctypes.c_long, P)
# void remove_session_cb(SSL_CTX *ctx, SSL_SESSION *session)
REMOVE = ctypes.CFUNCTYPE(None, P, P)

_FOREVER: list[Any] = []


def _kept(callback: Any) -> Any:
    _FOREVER.append(callback)
    return callback


class SessionLifetime:
    """When tracked session objects are freed, seen through an ex_data free callback."""

    def __init__(self, api: Api) -> None:
        self._api = api
        self._tokens = itertools.count(1)
        self._live: set[int] = set()
        self._freed: set[int] = set()
        self._on_free = _kept(EX_FREE(self._freed_callback))
        self._on_dup = _kept(EX_DUP(_dup_callback))
        self._index = api.session_ex_new_index(
            0, None, None, ctypes.cast(self._on_dup, P), ctypes.cast(self._on_free, P)
        )
        if self._index < 0:
            raise LibraryUnavailable(
                f"{api.dialect.name}: the SSL_SESSION ex_data index could not be made "
                f"({api.describe_errors()})"
            )

    def track(self, session: int) -> Callable[[], bool]:
        """A probe answering whether ``session`` (a live SSL_SESSION*) has been freed since."""
        token = self._api.session_get_ex_data(session, self._index) or 0
        if token not in self._live:
            token = next(self._tokens)
            if self._api.session_set_ex_data(session, self._index, token) != 1:
                raise LibraryUnavailable(
                    f"{self._api.dialect.name}: SSL_SESSION_set_ex_data failed "
                    f"({self._api.describe_errors()})"
                )
            self._live.add(token)
        return lambda: token in self._freed

    def _freed_callback(self, parent: int, pointer: int | None, *_: object) -> None:
        token = pointer or 0
        if token in self._live:
            self._live.discard(token)
            self._freed.add(token)


def _dup_callback(to: int, source: int, data: Any, *_: object) -> int:
    data[0] = None  # the copy is another object: it carries no token
    return 1


# void free_function(void *ptr) (wolfssl/wolfcrypt/memory.h, without WOLFSSL_DEBUG_MEMORY)
FREE = ctypes.CFUNCTYPE(None, P)


class FreedMemory:
    """When tracked session objects are freed, seen through the library's free hook.

    The hook is process-wide, so there is one observer per process (``for_library``).
    """

    _instance: ClassVar[FreedMemory | None] = None

    @classmethod
    def for_library(cls, api: Api) -> FreedMemory:
        if cls._instance is None:
            cls._instance = cls(api)
        return cls._instance

    def __init__(self, api: Api) -> None:
        self._tokens = itertools.count(1)
        self._watched: dict[int, int] = {}  # address -> token
        self._freed: set[int] = set()
        self._free = ctypes.CFUNCTYPE(None, P)(("free", ctypes.CDLL(None)))
        self._on_free = _kept(FREE(self._freed_callback))
        self._set_allocators = api.set_allocators
        # NULL malloc and realloc keep the library's defaults (the C library's).
        if self._set_allocators(None, ctypes.cast(self._on_free, P), None) != 0:
            raise LibraryUnavailable(f"{api.dialect.name}: the allocator hook could not be set")
        # No Python callback may run once the interpreter is going away.
        atexit.register(self._set_allocators, None, None, None)

    def track(self, session: int) -> Callable[[], bool]:
        token = self._watched.setdefault(session, next(self._tokens))
        return lambda: token in self._freed

    def _freed_callback(self, address: int | None) -> None:
        if address:
            token = self._watched.pop(address, None)
            if token is not None:
                self._freed.add(token)
        self._free(address)


class CacheEvents:
    """Sessions removed from each context's cache, counted by a remove callback."""

    def __init__(self, api: Api) -> None:
        self._api = api
        self._removed: dict[int, int] = {}
        self._on_remove = _kept(REMOVE(self._removed_callback))

    def watch(self, context: int) -> None:
        self._removed[context] = 0
        self._api.ctx_set_remove_cb(context, ctypes.cast(self._on_remove, P))

    def removals(self, context: int) -> int:
        return self._removed.get(context, 0)

    def _removed_callback(self, context: int | None, session: int | None) -> None:
        key = context or 0
        self._removed[key] = self._removed.get(key, 0) + 1
