"""client-only: on a server connection, setting a session changes nothing (or is refused)."""

import pytest

pytestmark = pytest.mark.clause("client-only")


def _server_connection_with_a_session_set(lab, config):
    server, client = lab.server(config), lab.client(config)
    session = lab.fresh_session(client, server)
    server_connection = lab.connection(server)
    accepted = lab.set_session_allowing_refusal(server_connection, session)
    return server, client, server_connection, accepted


def test_client_offering_nothing_gets_a_full_handshake(lab, config):
    """A client offering no session to a server connection with a session set: a full handshake."""
    _server, client, server_connection, accepted = _server_connection_with_a_session_set(lab, config)
    if not accepted:
        return  # a clear refusal is what the clause allows
    handshake = lab.handshake(lab.connection(client), server_connection)
    lab.expect_full(handshake, "the server's handshake with a client that offers nothing")


def test_client_offering_its_own_session_resumes_it(lab, config):
    """A client offering its own resumable session to that server connection resumes it (wire)."""
    server, client = lab.server(config), lab.client(config)
    own = lab.fresh_session(client, server)
    other = lab.fresh_session(client, server)
    server_connection = lab.connection(server)
    if not lab.set_session_allowing_refusal(server_connection, other):
        return  # a clear refusal is what the clause allows
    client_connection = lab.connection(client)
    lab.set_session(client_connection, own)
    handshake = lab.handshake(client_connection, server_connection)
    lab.expect_resumed(handshake, "the server's handshake with a client offering its own session")
