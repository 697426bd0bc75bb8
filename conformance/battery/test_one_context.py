"""one-context: a session used with another context is refused, or accepted without harm."""

import pytest

from conformance import Capability

pytestmark = pytest.mark.clause("one-context")


def _borrow(lab, config):
    """A session of client context A set on a connection of client context B."""
    server, mine, theirs = lab.server(config), lab.client(config), lab.client(config)
    session = lab.fresh_session(mine, server)
    connection = lab.connection(theirs)
    accepted = lab.set_session_allowing_refusal(connection, session)
    if accepted:
        handshake = lab.handshake(connection, lab.connection(server))
        lab.evidence.note(f"the other context's handshake was {'resumed' if handshake.resumed_on_wire else 'full'}")
    return server, mine, theirs, accepted


def test_both_contexts_keep_working(lab, config):
    """After the borrowing, each context still makes sessions that resume with its own connections."""
    server, mine, theirs, _ = _borrow(lab, config)
    for label, context in (("the session's own context", mine), ("the other context", theirs)):
        session = lab.fresh_session(context, server)
        handshake = lab.connect(context, server, session=session)
        lab.expect_resumed(handshake, f"a new session of {label}, resumed by it")


def test_flushing_and_freeing_both_contexts_is_safe(lab, config):
    """After the borrowing, flushing both caches and freeing both contexts does no harm."""
    lab.need(Capability.CACHE_EVENTS, why="flushing a context's session cache")
    server, mine, theirs, _ = _borrow(lab, config)
    for context in (mine, theirs, server):
        lab.evidence.did(f"flushed the cache of {lab.label(context)}")
        lab.adapter.flush_cache(context)
    for context in (mine, theirs):
        lab.release(context)
    lab.collect_garbage()
    handshake = lab.connect(lab.client(config), server)
    lab.expect_full(handshake, "a new client's handshake with the server afterwards")
