"""Mutants of DESCRIPTION ¶1: using the set session, and its reference.

Clauses use, get, client-only, ref-taken, ref-dropped-on-miss and
reused-flag; one class per bug, named for what it does wrong (see ``mutants``).
"""

from __future__ import annotations

import ctypes
import weakref
from typing import Any

from conformance import RawCall

from ._handles import Connection, Context, Session
from ._mutant_base import Mutant

# -- use ---------------------------------------------------------------------------------


class DropsSessionAtHandshake(Mutant):
    name = "mutant-use-dropped-at-handshake"
    breaks = "use"
    how = "the client forgets the set session when its handshake starts (SSL_set_session(ssl, NULL) first)"

    def __init__(self) -> None:
        super().__init__()
        self._started: weakref.WeakSet[Connection] = weakref.WeakSet()

    def do_handshake(self, connection: Connection) -> bool:
        if self.client(connection) and connection not in self._started:
            self._started.add(connection)
            self.api.ssl_set_session(connection.address, None)
        return super().do_handshake(connection)


class AutoOffersLastSession(Mutant):
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
                self._forget(handle.context)
                self._last[handle.context] = session
        elif isinstance(handle, Context):
            self._forget(handle)
        super().release(handle)

    def _forget(self, context: Context) -> None:
        old = self._last.pop(context, None)
        if old:
            self.api.session_free(old)


# -- get ---------------------------------------------------------------------------------


class GetReportsACopy(Mutant):
    name = "mutant-get-copy"
    breaks = "get"
    how = "before the handshake, get_session hands out a copy (SSL_SESSION_dup) of the set session"

    def get_session(self, connection: Connection) -> Session | None:
        pointer = None if self.used(connection) else self.held(connection)
        if pointer is None:
            return super().get_session(connection)
        return Session(self, self.c("session_dup")(pointer))


class GetReportsAnEmptySession(Mutant):
    name = "mutant-get-empty"
    breaks = "get"
    how = "before the handshake, get_session reports a new empty session instead of the set one"

    def get_session(self, connection: Connection) -> Session | None:
        if self.used(connection) or self.held(connection) is None:
            return super().get_session(connection)
        return Session(self, self.api.session_new())


# -- client-only -------------------------------------------------------------------------


class ServerSetFlipsToClient(Mutant):
    name = "mutant-client-only-flips-server"
    breaks = "client-only"
    how = "a set on a server connection also puts it in connect state (SSL_set_connect_state)"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        raw = super().set_session_raw(connection, session)
        if not self.client(connection):
            self.api.ssl_set_connect_state(connection.address)
        return raw


class AdoptsSessionContextOnServer(Mutant):
    name = "mutant-client-only-adopts-sid-context"
    breaks = "client-only"
    how = (
        "a set on a server connection adopts the session's session-id context, so the server resumes nothing"
    )

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        raw = super().set_session_raw(connection, session)
        if not self.client(connection) and raw.return_value == 1 and self.live_session(session):
            length = ctypes.c_uint()
            data = self.c("session_sid_context")(session.address, ctypes.byref(length))
            context = ctypes.string_at(data, length.value) if data else b""
            self.c("ssl_set_sid_context")(connection.address, context, len(context))
        return raw


# -- ref-taken ---------------------------------------------------------------------------


class SetTakesNoReference(Mutant):
    name = "mutant-ref-taken-borrows"
    breaks = "ref-taken"
    how = "the set borrows the caller's reference instead of taking one (SSL_SESSION_free after the set)"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        raw = super().set_session_raw(connection, session)
        if raw.return_value == 1 and self.live_session(session):
            self.api.session_free(session.address)
        return raw


class SetTakesTwoReferences(Mutant):
    name = "mutant-ref-taken-twice"
    breaks = "ref-taken"
    how = "the set takes two references (an extra SSL_SESSION_up_ref), so the session never dies"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        raw = super().set_session_raw(connection, session)
        if raw.return_value == 1 and self.live_session(session):
            self.api.session_up_ref(session.address)
        return raw


class LeaksOnConnectionFree(Mutant):
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


class _WatchesMisses(Mutant):
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

    def __init__(self) -> None:
        super().__init__()
        self._declined: weakref.WeakSet[Connection] = weakref.WeakSet()

    def _missed(self, connection: Connection, offered: int) -> None:
        self._offered[connection] = offered
        self._declined.add(connection)

    def get_session(self, connection: Connection) -> Session | None:
        if connection in self._declined and connection in self._offered:
            self.api.session_up_ref(self._offered[connection])
            return Session(self, self._offered[connection])
        return super().get_session(connection)


# -- reused-flag -------------------------------------------------------------------------


class ReusedFlagOnceSet(Mutant):
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


class ReusedFlagAlways(Mutant):
    name = "mutant-reused-always"
    breaks = "reused-flag"
    how = "the reuse query always says true, before any handshake and after a full one too"

    def session_reused(self, connection: Connection) -> bool:
        super().session_reused(connection)  # the real call, whose answer is dropped
        return True


class ReusedFlagNeverOnClient(Mutant):
    name = "mutant-reused-never-on-client"
    breaks = "reused-flag"
    how = "the reuse query of a client connection is always false, even after a resumption"

    def session_reused(self, connection: Connection) -> bool:
        return False if self.client(connection) else super().session_reused(connection)
