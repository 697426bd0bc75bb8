"""one-context: a session used with another context is refused, or accepted without harm.

The borrowed session is first shown to resume on its own, so a failure after
the borrowing is the borrowing's. A refusal is allowed, with a control showing
the session is accepted by a connection of its own context.
"""

import pytest

from conformance import Capability
from conformance.battery import _recipes

pytestmark = pytest.mark.clause("one-context")


def _borrow(lab, config):
    """A session of client context A set on a connection of client context B."""
    server, mine, theirs = lab.server(config), lab.client(config), lab.client(config)
    session = lab.resumable_session(mine, server)
    connection = lab.connection(theirs)
    accepted = _recipes.set_allowing_refusal(lab, connection, session, control=(mine, session))
    if accepted:
        handshake = lab.handshake(connection, lab.connection(server))
        kind = "resumed" if handshake.resumed_on_wire else "full"
        lab.evidence.note(f"the other context's handshake was {kind}")
    return server, mine, theirs, accepted, session, connection


def test_both_contexts_keep_working(lab, config):
    """After the borrowing, each context still makes sessions that resume with its own connections."""
    server, mine, theirs, *_ = _borrow(lab, config)
    for label, context in (("the session's own context", mine), ("the other context", theirs)):
        session = lab.fresh_session(context, server)
        handshake = lab.connect(context, server, session=session)
        lab.expect_resumed(handshake, f"a new session of {label}, resumed by it")


@pytest.mark.needs(Capability.CACHE_EVENTS, why="flushing a context's session cache")
def test_flushing_and_freeing_both_contexts_is_safe(lab, config):
    """After the borrowing, flushing both client caches harms neither context nor the session,
    and flushing the server and freeing both contexts leaves the server working."""
    server, mine, theirs, accepted, session, connection = _borrow(lab, config)
    if accepted:
        lab.shutdown(connection)
    for context in (mine, theirs):
        lab.flush_cache(context)
    again = lab.connect(mine, server, session=session)
    lab.expect_resumed(again, "the borrowed session offered again with its own context")
    for label, context in (("the session's own context", mine), ("the other context", theirs)):
        fresh = lab.fresh_session(context, server)
        lab.expect_resumed(lab.connect(context, server, session=fresh), f"a new session of {label}")
    lab.flush_cache(server)
    for context in (mine, theirs):
        lab.release(context)
    lab.collect_garbage()
    handshake = lab.connect(lab.client(config), server)
    lab.expect_full(handshake, "a new client's handshake with the server afterwards")


@pytest.mark.needs(
    Capability.CACHE_EVENTS,
    Capability.SESSION_LIFETIME,
    why="whether the other context's cache freed the borrowed session",
)
def test_borrowed_session_outlives_the_other_context(lab, config):
    """Flushing and freeing the other context (and its connection) leave the caller's session
    alive and resumable by its own context."""
    server, mine, theirs, accepted, session, connection = _borrow(lab, config)
    freed = lab.track(session)
    lab.flush_cache(theirs)
    if accepted:  # freeing an open connection would make its session bad (bad-if-open)
        lab.shutdown(connection)
    lab.release(connection)
    lab.release(theirs)
    del connection, theirs
    lab.collect_garbage()
    lab.check("the borrowed session freed while the caller still holds it", False, freed())
    again = lab.connect(mine, server, session=session)
    lab.expect_resumed(again, "the caller's session offered again with its own context")
