"""get: between the set and the handshake, the connection reports the set session."""

import pytest

from conformance import Capability

pytestmark = pytest.mark.clause("get")


def _set_on_new_connection(lab, config, resumable=False):
    """A new client connection with a fresh session set (``resumable``: one shown to resume)."""
    server, client = lab.server(config), lab.client(config)
    session = lab.resumable_session(client, server) if resumable else lab.fresh_session(client, server)
    connection = lab.connection(client)
    lab.set_session(connection, session)
    return server, client, session, connection


def test_reported_session_resumes_like_the_set_one(lab, config):
    """The session the connection reports after a set resumes with the set session's server (wire)."""
    server, client, _session, connection = _set_on_new_connection(lab, config, resumable=True)
    reported = lab.get_session(connection)
    lab.check("a session is reported after the set", True, reported is not None)
    handshake = lab.connect(client, server, session=reported)
    lab.expect_resumed(handshake, "a handshake offering the reported session")


@pytest.mark.needs(Capability.SESSION_ID, why="the id of the reported session")
def test_reported_session_has_the_set_id(lab, config):
    """The reported session has the set session's id."""
    _, _, session, connection = _set_on_new_connection(lab, config)
    reported = lab.get_session(connection)
    lab.check("a session is reported after the set", True, reported is not None)
    lab.check("id of the reported session", lab.session_id(session), lab.session_id(reported))


@pytest.mark.needs(Capability.SESSION_IDENTITY, why="whether the reported session is the set object")
def test_reported_session_is_the_set_object(lab, config):
    """The reported session is the very object that was set."""
    _, _, session, connection = _set_on_new_connection(lab, config)
    reported = lab.get_session(connection)
    lab.check("a session is reported after the set", True, reported is not None)
    lab.check("the reported session is the set object", True, lab.same_session(session, reported))
