"""Mutants of the reference adapter: the battery's proof that it can fail.

Design: each mutant is the ``reference`` adapter (OpenSSL's libssl) with one
documented behaviour of ``SSL_set_session()`` broken, the way a plausible
library bug would break it. A mutant never fakes an observation: it changes
what the adapter does around the real C calls (skips a call, takes or drops a
reference too many, calls ``SSL_CTX_remove_session`` at the wrong time,
answers a query wrongly), so that a real handshake shows the bug. Each names
the clause it breaks (``breaks``), says how in one line (``how``) and, where
the bug can only show in some protocol configurations, which ones
(``configs``, with the reason beside it). ``conformance selftest`` runs the
battery against every mutant registered in the entry-point group
``ssl_set_session_conformance.mutants`` and expects each to be killed by a
test of its own clause in every configuration where it applies.

A few C calls the adapter does not need are resolved here (``_EXTRA``), from
the same libssl, with their exact types. Per-connection state is kept in weak
maps keyed by the adapter's handles, so a mutant never outlives a connection.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import weakref
from typing import Any, Callable, ClassVar

from conformance import Facts, RawCall, Side

from ._handles import Connection, Context, Session
from ._libraries import ReferenceAdapter

__all__ = [
    "MUTANTS",
    "AbortsOnEmptySession",
    "AcceptsWrongType",
    "AdoptsSessionContextOnServer",
    "AlwaysBad",
    "AutoOffersLastSession",
    "ClearIgnored",
    "ClearLeaksOld",
    "DropsSessionAtHandshake",
    "FailsOnSuccess",
    "FlagDoesNotProtect",
    "GetReportsACopy",
    "GetReportsAnEmptySession",
    "KeepsDeclinedReference",
    "LeavesStaleError",
    "LeaksOnConnectionFree",
    "LinksIntoReceiverCache",
    "NeverBad",
    "PoisonsReceivingContext",
    "ReplaceAfterUseIgnored",
    "ReplaceAfterUseLeaksEarlier",
    "ReplaceKeepsFirst",
    "ReplaceLeaksOlder",
    "ReportsDeclinedSession",
    "ReusedFlagNeverOnClient",
    "ReusedFlagOnceSet",
    "ScrubsDeclinedSession",
    "ServerNeverBad",
    "ServerSetFlipsToClient",
    "SetTakesNoReference",
    "SetTakesTwoReferences",
    "TurnsReceiverTicketsOff",
]

P = ctypes.c_void_p

#: C calls the adapter itself does not make: operation -> (symbol, restype, argtypes).
_EXTRA: dict[str, tuple[str, Any, tuple[Any, ...]]] = {
    "ctx_remove_session": ("SSL_CTX_remove_session", ctypes.c_int, (P, P)),
    "ctx_add_session": ("SSL_CTX_add_session", ctypes.c_int, (P, P)),
    "session_dup": ("SSL_SESSION_dup", P, (P,)),
    "session_cipher": ("SSL_SESSION_get0_cipher", P, (P,)),
    "session_master_key": ("SSL_SESSION_get_master_key", ctypes.c_size_t, (P, P, ctypes.c_size_t)),
    "session_set_master_key": ("SSL_SESSION_set1_master_key", ctypes.c_int, (P, ctypes.c_char_p, ctypes.c_size_t)),
    "session_sid_context": ("SSL_SESSION_get0_id_context", P, (P, ctypes.POINTER(ctypes.c_uint))),
    "session_set_sid_context": ("SSL_SESSION_set1_id_context", ctypes.c_int, (P, ctypes.c_char_p, ctypes.c_uint)),
    "ssl_set_sid_context": ("SSL_set_session_id_context", ctypes.c_int, (P, ctypes.c_char_p, ctypes.c_uint)),
}
#: SSL_MAX_SID_CTX_LENGTH: one byte more is an error SSL_SESSION_set1_id_context reports.
_MAX_SID_CTX = 32
_MASTER_KEY_MAX = 256


class _Mutant(ReferenceAdapter):
    """The reference adapter, plus what every mutant needs to break one behaviour."""

    name = "mutant"
    #: The clause id the mutant breaks, and how, in one line.
    breaks: ClassVar[str] = ""
    how: ClassVar[str] = ""
    #: Protocol configurations where the bug can show, if fewer than the clause's.
    configs: ClassVar[tuple[str, ...] | None] = None
    # Not this library's deviations: a mutant is run with none.
    expectations_file = None

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

    def live_session(self, value: Any) -> bool:
        return isinstance(value, Session) and value.belongs_to(self) and not value.released

    def master_key_length(self, session: int) -> int:
        return int(self.c("session_master_key")(session, None, 0))


def _unchanged(_: Any = None) -> RawCall:
    """What a mutant that skips the C call answers: success, no error."""
    return RawCall(1, ())


# -- use ---------------------------------------------------------------------------------


class DropsSessionAtHandshake(_Mutant):
    name = "mutant-use-dropped-at-handshake"
    breaks = "use"
    how = "the client forgets the set session when its handshake starts (SSL_set_session(ssl, NULL) first)"

    def do_handshake(self, connection: Connection) -> bool:
        if self.client(connection) and connection not in self._started:
            self._started.add(connection)
            self.api.ssl_set_session(connection.address, None)
        return super().do_handshake(connection)

    def __init__(self) -> None:
        super().__init__()
        self._started: weakref.WeakSet[Connection] = weakref.WeakSet()


class AutoOffersLastSession(_Mutant):
    name = "mutant-use-offers-unset-session"
    breaks = "use"
    how = "a new client connection offers its context's last session though none was set"

    def __init__(self) -> None:
        super().__init__()
        self._last: weakref.WeakKeyDictionary[Context, int] = weakref.WeakKeyDictionary()

    def make_connection(self, context: Context) -> Connection:
        connection = super().make_connection(context)
        if context in self._last:
            self.api.ssl_set_session(connection.address, self._last[context])
        return connection

    def release(self, handle: Any) -> None:
        if isinstance(handle, Connection) and self.client(handle) and self.used(handle):
            session = self.api.ssl_get1_session(handle.address)  # the context keeps this reference
            if session:
                old = self._last.pop(handle.context, None)
                if old:
                    self.api.session_free(old)
                self._last[handle.context] = session
        super().release(handle)


# -- get ---------------------------------------------------------------------------------


class GetReportsACopy(_Mutant):
    name = "mutant-get-copy"
    breaks = "get"
    how = "before the handshake, get_session hands out a copy (SSL_SESSION_dup) of the set session"

    def get_session(self, connection: Connection) -> Session | None:
        pointer = None if self.used(connection) else self.held(connection)
        if pointer is None:
            return super().get_session(connection)
        return Session(self, self.c("session_dup")(pointer))


class GetReportsAnEmptySession(_Mutant):
    name = "mutant-get-empty"
    breaks = "get"
    how = "before the handshake, get_session reports a new empty session instead of the set one"

    def get_session(self, connection: Connection) -> Session | None:
        if self.used(connection) or self.held(connection) is None:
            return super().get_session(connection)
        return Session(self, self.api.session_new())


# -- client-only -------------------------------------------------------------------------


class ServerSetFlipsToClient(_Mutant):
    name = "mutant-client-only-flips-server"
    breaks = "client-only"
    how = "a set on a server connection also puts it in connect state (SSL_set_connect_state)"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        raw = super().set_session_raw(connection, session)
        if not self.client(connection):
            self.api.ssl_set_connect_state(connection.address)
        return raw


class AdoptsSessionContextOnServer(_Mutant):
    name = "mutant-client-only-adopts-sid-context"
    breaks = "client-only"
    how = "a set on a server connection adopts the session's session-id context, so the server resumes nothing"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        raw = super().set_session_raw(connection, session)
        if not self.client(connection) and raw.return_value == 1 and self.live_session(session):
            length = ctypes.c_uint()
            data = self.c("session_sid_context")(session.address, ctypes.byref(length))
            context = ctypes.string_at(data, length.value) if data else b""
            self.c("ssl_set_sid_context")(connection.address, context, len(context))
        return raw


# -- ref-taken ---------------------------------------------------------------------------


class SetTakesNoReference(_Mutant):
    name = "mutant-ref-taken-borrows"
    breaks = "ref-taken"
    how = "the set borrows the caller's reference instead of taking one (SSL_SESSION_free after the set)"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        raw = super().set_session_raw(connection, session)
        if raw.return_value == 1 and self.live_session(session):
            self.api.session_free(session.address)
        return raw


class SetTakesTwoReferences(_Mutant):
    name = "mutant-ref-taken-twice"
    breaks = "ref-taken"
    how = "the set takes two references (an extra SSL_SESSION_up_ref), so the session never dies"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        raw = super().set_session_raw(connection, session)
        if raw.return_value == 1 and self.live_session(session):
            self.api.session_up_ref(session.address)
        return raw


class LeaksOnConnectionFree(_Mutant):
    name = "mutant-ref-taken-kept-after-free"
    breaks = "ref-taken"
    how = "freeing a connection does not release its session's reference"

    def release(self, handle: Any) -> None:
        if isinstance(handle, Connection) and not handle.released:
            pointer = self.held(handle)
            if pointer:
                self.api.session_up_ref(pointer)
        super().release(handle)


# -- ref-dropped-on-miss -----------------------------------------------------------------


class _WatchesMisses(_Mutant):
    """Holds the session offered by each client connection until its handshake says hit or miss."""

    def __init__(self) -> None:
        super().__init__()
        self._offered: weakref.WeakKeyDictionary[Connection, int] = weakref.WeakKeyDictionary()

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        raw = super().set_session_raw(connection, session)
        if raw.return_value == 1 and self.client(connection) and not self.used(connection):
            self._drop_offer(connection)
            if self.live_session(session):
                self.api.session_up_ref(session.address)
                self._offered[connection] = session.address
        return raw

    def _completed(self, connection: Connection) -> None:
        offered = self._offered.pop(connection, None)
        if offered is None:
            return
        if self.api.ssl_session_reused(connection.address):
            self.api.session_free(offered)
        else:
            self._missed(connection, offered)

    def _missed(self, connection: Connection, offered: int) -> None:
        """The server declined ``offered``; the mutant owns one reference to it."""
        self.api.session_free(offered)

    def release(self, handle: Any) -> None:
        if isinstance(handle, Connection):
            self._drop_offer(handle)
        super().release(handle)

    def _drop_offer(self, connection: Connection) -> None:
        offered = self._offered.pop(connection, None)
        if offered:
            self.api.session_free(offered)


class KeepsDeclinedReference(_WatchesMisses):
    name = "mutant-miss-keeps-declined"
    breaks = "ref-dropped-on-miss"
    how = "the connection keeps its reference to a declined session until it is freed"

    def _missed(self, connection: Connection, offered: int) -> None:
        self._offered[connection] = offered  # released with the connection, not now


class ScrubsDeclinedSession(_WatchesMisses):
    name = "mutant-miss-scrubs-declined"
    breaks = "ref-dropped-on-miss"
    how = "on a miss the library scrubs the declined session's master key, which is the caller's"

    def _missed(self, connection: Connection, offered: int) -> None:
        length = self.master_key_length(offered)
        self.c("session_set_master_key")(offered, bytes(length), length)
        self.api.session_free(offered)


class ReportsDeclinedSession(_WatchesMisses):
    name = "mutant-miss-reports-declined"
    breaks = "ref-dropped-on-miss"
    how = "after a miss the connection goes on reporting the declined session as its own"

    def _missed(self, connection: Connection, offered: int) -> None:
        self._offered[connection] = offered
        self._declined.add(connection)

    def __init__(self) -> None:
        super().__init__()
        self._declined: weakref.WeakSet[Connection] = weakref.WeakSet()

    def get_session(self, connection: Connection) -> Session | None:
        if connection in self._declined and connection in self._offered:
            self.api.session_up_ref(self._offered[connection])
            return Session(self, self._offered[connection])
        return super().get_session(connection)


# -- reused-flag -------------------------------------------------------------------------


class ReusedFlagOnceSet(_Mutant):
    name = "mutant-reused-once-set"
    breaks = "reused-flag"
    how = "the reuse query says true as soon as a session is set on the connection"

    def __init__(self) -> None:
        super().__init__()
        self._set: weakref.WeakSet[Connection] = weakref.WeakSet()

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        raw = super().set_session_raw(connection, session)
        if raw.return_value == 1 and self.live_session(session):
            self._set.add(connection)
        return raw

    def session_reused(self, connection: Connection) -> bool:
        return connection in self._set or super().session_reused(connection)


class ReusedFlagNeverOnClient(_Mutant):
    name = "mutant-reused-never-on-client"
    breaks = "reused-flag"
    how = "the reuse query of a client connection is always false, even after a resumption"

    def session_reused(self, connection: Connection) -> bool:
        return False if self.client(connection) else super().session_reused(connection)


# -- replace -----------------------------------------------------------------------------


class ReplaceKeepsFirst(_Mutant):
    name = "mutant-replace-keeps-first"
    breaks = "replace"
    how = "a second set before the handshake is ignored: the first session stays"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        if not self.used(connection) and self.live_session(session) and self.held(connection):
            return _unchanged()
        return super().set_session_raw(connection, session)


class ReplaceLeaksOlder(_Mutant):
    name = "mutant-replace-leaks-older"
    breaks = "replace"
    how = "a second set before the handshake takes an extra reference to the older session first"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        older = None if self.used(connection) or session is None else self.held(connection)
        if older:
            self.api.session_up_ref(older)
        return super().set_session_raw(connection, session)


# -- replace-after-use -------------------------------------------------------------------


class ReplaceAfterUseIgnored(_Mutant):
    name = "mutant-after-use-ignored"
    breaks = "replace-after-use"
    how = "a set on a connection that already did a handshake is ignored"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        if self.used(connection) and self.live_session(session):
            return _unchanged()
        return super().set_session_raw(connection, session)


class ReplaceAfterUseLeaksEarlier(_Mutant):
    name = "mutant-after-use-leaks-earlier"
    breaks = "replace-after-use"
    how = "a set on a used connection takes an extra reference to the earlier handshake's session"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        earlier = self.held(connection) if self.used(connection) else None
        if earlier:
            self.api.session_up_ref(earlier)
        return super().set_session_raw(connection, session)


# -- bad-if-open -------------------------------------------------------------------------


class _SetWithShutdownFlag(_Mutant):
    """Sets the sent-shutdown flag around the C call, so the old session never counts as open."""

    def _shields(self, connection: Connection) -> bool:
        return True

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        if not self._shields(connection):
            return super().set_session_raw(connection, session)
        ssl, sent = connection.address, self.api.constants.sent_shutdown
        state = self.api.ssl_get_shutdown(ssl)
        self.api.ssl_set_shutdown(ssl, state | sent)
        try:
            return super().set_session_raw(connection, session)
        finally:
            self.api.ssl_set_shutdown(ssl, state)


class NeverBad(_SetWithShutdownFlag):
    name = "mutant-bad-never"
    breaks = "bad-if-open"
    how = "the replaced session of an open connection is never marked bad (SSL_SENT_SHUTDOWN set around the call)"


class ServerNeverBad(_SetWithShutdownFlag):
    name = "mutant-bad-never-on-server"
    breaks = "bad-if-open"
    how = "on a server connection, the replaced session of an open connection is never marked bad"
    # Only the server's session-id cache keeps a server session that a later handshake looks up.
    configs = ("tls12-sessionid",)

    def _shields(self, connection: Connection) -> bool:
        return not self.client(connection)


class _RemovesOldSession(_Mutant):
    """Calls SSL_CTX_remove_session on the session being replaced when ``_bad`` says so."""

    def _bad(self, connection: Connection) -> bool:
        return True

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        old = self.held(connection) if self.used(connection) else None
        if old and self._bad(connection):
            self.c("ctx_remove_session")(connection.context.address, old)
        return super().set_session_raw(connection, session)


class AlwaysBad(_RemovesOldSession):
    name = "mutant-bad-always"
    breaks = "bad-if-open"
    how = "the replaced session of a used connection is marked bad even after a shutdown"


class FlagDoesNotProtect(_RemovesOldSession):
    name = "mutant-bad-flag-ignored"
    breaks = "bad-if-open"
    how = "only a sent close_notify protects the old session; the sent-shutdown flag alone does not"

    def __init__(self) -> None:
        super().__init__()
        self._closed: weakref.WeakSet[Connection] = weakref.WeakSet()

    def shutdown(self, connection: Connection) -> None:
        super().shutdown(connection)
        self._closed.add(connection)

    def _bad(self, connection: Connection) -> bool:
        flagged = self.api.ssl_get_shutdown(connection.address) & self.api.constants.sent_shutdown
        return bool(flagged) and connection not in self._closed


# -- one-context -------------------------------------------------------------------------


class _NoticesForeignSessions(_Mutant):
    """Knows which client context each session came from; calls ``_accepted_foreign``."""

    def __init__(self) -> None:
        super().__init__()
        self._origin: dict[int, int] = {}  # session pointer -> the client SSL_CTX it came from

    def get_session(self, connection: Connection) -> Session | None:
        session = super().get_session(connection)
        if session is not None and self.client(connection):
            self._origin[session.address] = connection.context.address
        return session

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        raw = super().set_session_raw(connection, session)
        if raw.return_value == 1 and self.client(connection) and self.live_session(session):
            origin = self._origin.get(session.address)
            if origin is not None and origin != connection.context.address:
                self._accepted_foreign(connection.context, session.address)
        return raw

    def _accepted_foreign(self, context: Context, session: int) -> None:
        raise NotImplementedError


class PoisonsReceivingContext(_NoticesForeignSessions):
    name = "mutant-one-context-poisons-receiver"
    breaks = "one-context"
    how = "after taking another context's session, the receiving context marks every session it hands out bad"

    def __init__(self) -> None:
        super().__init__()
        self._poisoned: weakref.WeakSet[Context] = weakref.WeakSet()

    def _accepted_foreign(self, context: Context, session: int) -> None:
        self._poisoned.add(context)

    def get_session(self, connection: Connection) -> Session | None:
        session = super().get_session(connection)
        if session is not None and connection.context in self._poisoned:
            self.c("ctx_remove_session")(connection.context.address, session.address)
        return session


class TurnsReceiverTicketsOff(_NoticesForeignSessions):
    name = "mutant-one-context-tickets-off"
    breaks = "one-context"
    how = "after taking another context's session, the receiving context turns tickets and its cache off"
    # A client's tickets option decides resumption only where TLS 1.2 tickets are the way to resume.
    configs = ("tls12-ticket",)

    def _accepted_foreign(self, context: Context, session: int) -> None:
        constants = self.api.constants
        self.api.ctx_set_options(context.address, constants.op_no_ticket)
        self.api.ctx_set_cache_mode(context.address, constants.sess_cache_off)


class LinksIntoReceiverCache(_NoticesForeignSessions):
    name = "mutant-one-context-links-unowned"
    breaks = "one-context"
    how = "taking another context's session links it into the receiving cache without a reference of its own"

    def _accepted_foreign(self, context: Context, session: int) -> None:
        if self.c("ctx_add_session")(context.address, session) == 1:
            self.api.session_free(session)  # the cache's reference, dropped: the bug


# -- return-value ------------------------------------------------------------------------


class FailsOnSuccess(_Mutant):
    name = "mutant-return-fails-on-success"
    breaks = "return-value"
    how = "the set does its work but returns 0"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        raw = super().set_session_raw(connection, session)
        return RawCall(0, raw.errors) if raw.return_value == 1 else raw


class LeavesStaleError(_Mutant):
    name = "mutant-return-stale-error"
    breaks = "return-value"
    how = "a successful set returns 1 but leaves an entry on the error queue"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        raw = super().set_session_raw(connection, session)
        if raw.return_value == 1 and self.live_session(session):
            # A real failing call, that changes nothing: an id context one byte too long.
            too_long = bytes(_MAX_SID_CTX + 1)
            self.c("session_set_sid_context")(session.address, too_long, len(too_long))
            return RawCall(1, raw.errors + self.api.take_errors())
        return raw


class AcceptsWrongType(_Mutant):
    name = "mutant-return-accepts-wrong-type"
    breaks = "return-value"
    how = "something that is not a session is accepted silently (success, nothing set)"

    def set_session_raw(self, connection: Connection, session: Any) -> RawCall:
        if session is not None and not isinstance(session, Session):
            return _unchanged()
        return super().set_session_raw(connection, session)


class AbortsOnEmptySession(_Mutant):
    name = "mutant-return-aborts-on-empty"
    breaks = "return-value"
    how = "an empty session (no cipher) crashes the set, as a NULL dereference would (abort)"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        if self.live_session(session) and not self.c("session_cipher")(session.address):
            os.abort()
        return super().set_session_raw(connection, session)


# -- clear-with-null ---------------------------------------------------------------------


class ClearIgnored(_Mutant):
    name = "mutant-clear-ignored"
    breaks = "clear-with-null"
    how = "a set of no session (NULL) returns success and changes nothing"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        return _unchanged() if session is None else super().set_session_raw(connection, session)


class ClearLeaksOld(_Mutant):
    name = "mutant-clear-leaks-old"
    breaks = "clear-with-null"
    how = "a set of no session clears the connection's session but keeps a reference to it"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        old = self.held(connection) if session is None else None
        if old:
            self.api.session_up_ref(old)
        return super().set_session_raw(connection, session)


MUTANTS: tuple[type[_Mutant], ...] = tuple(
    value for value in list(globals().values())
    if isinstance(value, type) and issubclass(value, _Mutant) and value.name.startswith("mutant-")
)
