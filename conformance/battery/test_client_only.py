"""client-only: on a server connection, setting a session changes nothing (or is refused).

Each test sets a session of the server's own context (taken from a server
connection), so that no context check can answer for the server rule, and
also a session of the client's context. A refusal is allowed, but only with a
control showing the same kind of session is accepted on a client connection
before its handshake (see ``_recipes.set_allowing_refusal``); the evidence
names the check that refused.
"""

import pytest

from conformance.battery import _recipes

pytestmark = [
    pytest.mark.clause("client-only"),
    pytest.mark.parametrize("origin", ["server-session", "client-session"]),
]


def _session(lab, origin, client, server):
    """A session of the server's own context, or one of the client's."""
    if origin == "server-session":
        return _recipes.server_session(lab, client, server)
    return lab.fresh_session(client, server)


def test_client_offering_nothing_gets_a_full_handshake(lab, config, origin):
    """A client offering no session to a server connection with a session set: a full handshake."""
    server, client = lab.server(config), lab.client(config)
    session = _session(lab, origin, client, server)
    control = session if origin == "client-session" else lab.fresh_session(client, server)
    server_connection = lab.connection(server)
    if not _recipes.set_allowing_refusal(lab, server_connection, session, control=(client, control)):
        return
    handshake = lab.handshake(lab.connection(client), server_connection)
    lab.expect_full(handshake, "the server's handshake with a client that offers nothing")


def test_client_offering_its_own_session_resumes_it(lab, config, origin):
    """A client offering its own resumable session to that server connection resumes it (wire)."""
    server, client = lab.server(config), lab.client(config)
    own = lab.resumable_session(client, server)
    other = _session(lab, origin, client, server)
    server_connection = lab.connection(server)
    control = other if origin == "client-session" else own
    if not _recipes.set_allowing_refusal(lab, server_connection, other, control=(client, control)):
        return
    client_connection = lab.connection(client)
    lab.set_session(client_connection, own)
    handshake = lab.handshake(client_connection, server_connection)
    lab.expect_resumed(handshake, "the server's handshake with a client offering its own session")
