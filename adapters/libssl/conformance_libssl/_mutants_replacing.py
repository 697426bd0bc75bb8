"""Mutants of DESCRIPTION ¶2, NOTES and RETURN VALUES: replacing, clearing, contexts, answers.

Clauses replace, replace-after-use, bad-if-open, one-context, return-value
and clear-with-null; one class per bug, named for what it does wrong (see
``mutants``).
"""

from __future__ import annotations

import os
import weakref
from typing import Any

from conformance import RawCall

from ._handles import Connection, Context, Session
from ._mutant_base import MAX_SID_CTX, Mutant, unchanged

# -- replace -----------------------------------------------------------------------------


class ReplaceKeepsFirst(Mutant):
    name = "mutant-replace-keeps-first"
    breaks = "replace"
    how = "a second set before the handshake is ignored: the first session stays"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        if not self.used(connection) and self.live_session(session) and self.held(connection):
            return unchanged()
        return super().set_session_raw(connection, session)


class ReplaceLeaksOlder(Mutant):
    name = "mutant-replace-leaks-older"
    breaks = "replace"
    how = "a second set before the handshake takes an extra reference to the older session first"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        older = None if self.used(connection) or session is None else self.held(connection)
        if older:
            self.api.session_up_ref(older)
        return super().set_session_raw(connection, session)


# -- replace-after-use -------------------------------------------------------------------


class ReplaceAfterUseIgnored(Mutant):
    name = "mutant-after-use-ignored"
    breaks = "replace-after-use"
    how = "a set on a connection that already did a handshake is ignored"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        if self.used(connection) and self.live_session(session):
            return unchanged()
        return super().set_session_raw(connection, session)


class ReplaceAfterUseLeaksEarlier(Mutant):
    name = "mutant-after-use-leaks-earlier"
    breaks = "replace-after-use"
    how = "a set on a used connection takes an extra reference to the earlier handshake's session"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        earlier = self.held(connection) if self.used(connection) else None
        if earlier:
            self.api.session_up_ref(earlier)
        return super().set_session_raw(connection, session)


# -- bad-if-open -------------------------------------------------------------------------


class _SetWithShutdownFlag(Mutant):
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


class _RemovesOldSession(Mutant):
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


class _NoticesForeignSessions(Mutant):
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


class FailsOnSuccess(Mutant):
    name = "mutant-return-fails-on-success"
    breaks = "return-value"
    how = "the set does its work but returns 0"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        raw = super().set_session_raw(connection, session)
        return RawCall(0, raw.errors) if raw.return_value == 1 else raw


class LeavesStaleError(Mutant):
    name = "mutant-return-stale-error"
    breaks = "return-value"
    how = "a successful set returns 1 but leaves an entry on the error queue"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        raw = super().set_session_raw(connection, session)
        if raw.return_value == 1 and self.live_session(session):
            # A real failing call, that changes nothing: an id context one byte too long.
            too_long = bytes(MAX_SID_CTX + 1)
            self.c("session_set_sid_context")(session.address, too_long, len(too_long))
            return RawCall(1, raw.errors + self.api.take_errors())
        return raw


class AcceptsWrongType(Mutant):
    name = "mutant-return-accepts-wrong-type"
    breaks = "return-value"
    how = "something that is not a session is accepted silently (success, nothing set)"

    def set_session_raw(self, connection: Connection, session: Any) -> RawCall:
        if session is not None and not isinstance(session, Session):
            return unchanged()
        return super().set_session_raw(connection, session)


class AbortsOnEmptySession(Mutant):
    name = "mutant-return-aborts-on-empty"
    breaks = "return-value"
    how = "an empty session (no cipher) crashes the set, as a NULL dereference would (abort)"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        if self.live_session(session) and not self.c("session_cipher")(session.address):
            os.abort()
        return super().set_session_raw(connection, session)


# -- clear-with-null ---------------------------------------------------------------------


class ClearIgnored(Mutant):
    name = "mutant-clear-ignored"
    breaks = "clear-with-null"
    how = "a set of no session (NULL) returns success and changes nothing"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        return unchanged() if session is None else super().set_session_raw(connection, session)


class ClearLeaksOld(Mutant):
    name = "mutant-clear-leaks-old"
    breaks = "clear-with-null"
    how = "a set of no session clears the connection's session but keeps a reference to it"

    def set_session_raw(self, connection: Connection, session: Session | None) -> RawCall:
        old = self.held(connection) if session is None else None
        if old:
            self.api.session_up_ref(old)
        return super().set_session_raw(connection, session)
