"""The base of the reference adapter's mutants: what each needs to break one behaviour.

Design: a mutant is the ``reference`` adapter with one documented behaviour
of ``SSL_set_session()`` broken by what it does around the real C calls,
never by faking an observation (see ``mutants``). Defining a subclass with
a ``name`` of its own registers it (``Mutant.registered``). ``Mutant`` adds what they
share: the few C calls the adapter itself does not make (``_EXTRA``, resolved
from the same libssl with their exact types, on first use), a hook when a
connection's handshake completes, and small questions about a connection
(is it a client's, did it do a handshake, which session does it hold).
Per-connection state lives in weak maps keyed by the adapter's handles, so a
mutant never keeps a connection alive.
"""

from __future__ import annotations

import ctypes
import dataclasses
import weakref
from collections.abc import Callable
from typing import Any, ClassVar, TypeGuard

from conformance import Facts, RawCall, Side

from ._dialects import P
from ._handles import Connection, Session
from ._libraries import ReferenceAdapter

__all__ = ["MAX_SID_CTX", "Mutant", "unchanged"]


#: C calls the adapter itself does not make: operation -> (symbol, restype, argtypes).
_EXTRA: dict[str, tuple[str, Any, tuple[Any, ...]]] = {
    "ctx_remove_session": ("SSL_CTX_remove_session", ctypes.c_int, (P, P)),
    "ctx_add_session": ("SSL_CTX_add_session", ctypes.c_int, (P, P)),
    "session_dup": ("SSL_SESSION_dup", P, (P,)),
    "session_cipher": ("SSL_SESSION_get0_cipher", P, (P,)),
    "session_master_key": ("SSL_SESSION_get_master_key", ctypes.c_size_t, (P, P, ctypes.c_size_t)),
    "session_set_master_key": (
        "SSL_SESSION_set1_master_key",
        ctypes.c_int,
        (P, ctypes.c_char_p, ctypes.c_size_t),
    ),
    "session_sid_context": ("SSL_SESSION_get0_id_context", P, (P, ctypes.POINTER(ctypes.c_uint))),
    "session_set_sid_context": (
        "SSL_SESSION_set1_id_context",
        ctypes.c_int,
        (P, ctypes.c_char_p, ctypes.c_uint),
    ),
    "ssl_set_sid_context": ("SSL_set_session_id_context", ctypes.c_int, (P, ctypes.c_char_p, ctypes.c_uint)),
}
#: SSL_MAX_SID_CTX_LENGTH: one byte more is an error SSL_SESSION_set1_id_context reports.
MAX_SID_CTX = 32


class Mutant(ReferenceAdapter):
    """The reference adapter, plus what every mutant needs to break one behaviour."""

    name = "mutant"
    #: The clause id the mutant breaks, and how, in one line.
    breaks: ClassVar[str] = ""
    how: ClassVar[str] = ""
    #: Protocol configurations where the bug can show, if fewer than the clause's.
    configs: ClassVar[tuple[str, ...] | None] = None
    # Not this library's deviations: a mutant is run with none.
    expectations_file = None
    #: Every class that names a mutant of its own, in the order defined: ``mutants.MUTANTS``.
    registered: ClassVar[list[type[Mutant]]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Defining a mutant registers it: a class with a ``name`` of its own is one."""
        super().__init_subclass__(**kwargs)
        if "name" in vars(cls):
            Mutant.registered.append(cls)

    def __init__(self) -> None:
        super().__init__()
        self._extra: dict[str, Callable[..., Any]] = {}
        self._handshaken: weakref.WeakSet[Connection] = weakref.WeakSet()

    def facts(self) -> Facts:
        facts = super().facts()
        note = f"MUTANT of the reference adapter, breaking {self.breaks}: {self.how}"
        return dataclasses.replace(facts, notes=(note, *facts.notes))

    def c(self, operation: str) -> Callable[..., Any]:
        """A C call of ``_EXTRA``, resolved from the same libssl on first use."""
        if operation not in self._extra:
            symbol, restype, argtypes = _EXTRA[operation]
            self._extra[operation] = self.api.library.ssl.function(symbol, restype, argtypes)
        return self._extra[operation]

    # -- what happened to a connection ----------------------------------------------------
    def do_handshake(self, connection: Connection) -> bool:
        done = super().do_handshake(connection)
        if done and connection not in self._handshaken:
            self._handshaken.add(connection)
            self._completed(connection)
        return done

    def _completed(self, connection: Connection) -> None:
        """Called once, when a connection's handshake completes."""

    def used(self, connection: Connection) -> bool:
        return connection in self._handshaken

    @staticmethod
    def client(connection: Connection) -> bool:
        return connection.context.side is Side.CLIENT

    def held(self, connection: Connection) -> int | None:
        """The connection's session pointer (borrowed: valid while the connection holds it)."""
        pointer = self.api.ssl_get1_session(connection.address)
        if pointer:
            self.api.session_free(pointer)
        return pointer or None

    def live_session(self, value: Any) -> TypeGuard[Session]:
        return isinstance(value, Session) and value.belongs_to(self) and not value.released

    def master_key_length(self, session: int) -> int:
        return int(self.c("session_master_key")(session, None, 0))


def unchanged() -> RawCall:
    """What a mutant that skips the C call answers: success, no error."""
    return RawCall(1, ())
