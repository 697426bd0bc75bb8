"""use: a session set before the handshake is offered, and resumed if the server accepts it."""

import pytest

from conformance import Capability

pytestmark = pytest.mark.clause("use")


def test_set_session_is_resumed(lab, config):
    """A session set before the handshake is resumed by the server that issued it (wire)."""
    server, client = lab.server(config), lab.client(config)
    session = lab.fresh_session(client, server)
    handshake = lab.connect(client, server, session=session)
    lab.expect_resumed(handshake, "the handshake of a connection with a session set")


def test_without_a_session_the_handshake_is_full(lab, config):
    """Control: the same client and server, no session set: a full handshake (wire)."""
    server, client = lab.server(config), lab.client(config)
    lab.close(lab.connect(client, server))  # the client has had a session of this server
    handshake = lab.connect(client, server)
    lab.expect_full(handshake, "the handshake of a connection with no session set")


@pytest.mark.needs(Capability.REUSE_FLAG, why="whether each side reports the resumption")
def test_both_sides_report_reuse(lab, config):
    """Both ends of the resumed handshake report reuse (reuse flag)."""
    server, client = lab.server(config), lab.client(config)
    session = lab.fresh_session(client, server)
    handshake = lab.connect(client, server, session=session)
    lab.require_resumed(handshake, "the set session resumes (the use clause's own test judges that)")
    lab.check("client reuse flag after resuming", True, lab.reused(handshake.client))
    lab.check("server reuse flag after resuming", True, lab.reused(handshake.server))


@pytest.mark.needs(Capability.SESSION_ID, why="which session the resumed connection holds")
def test_resumed_connection_holds_the_set_session(lab, config):
    """Right after the resumed handshake, before any data, the client holds the set session.

    (Later, TLS 1.3 tickets that arrive may replace the connection's session.)
    """
    server, client = lab.server(config), lab.client(config)
    session = lab.fresh_session(client, server)
    connection = lab.connection(client)
    lab.set_session(connection, session)
    handshake = lab.handshake(connection, lab.connection(server), exchange=False)
    lab.expect_resumed(handshake, "the handshake of a connection with a session set")
    held = lab.get_session(connection)
    lab.check("a session is held after resuming", True, held is not None)
    lab.check("id of the session the resumed connection holds", lab.session_id(session), lab.session_id(held))
