"""replace: a second set replaces the first; the older session's reference is released.

The two sessions come from two server contexts, so the wire tells which one
was offered: only the session of the server in the handshake can resume.
"""

import pytest

from conformance import Capability
from conformance.battery import _recipes

pytestmark = pytest.mark.clause("replace")


def _two_sessions(lab, config):
    server, other_server, client = lab.server(config), lab.server(config), lab.client(config)
    mine = lab.resumable_session(client, server)
    foreign = lab.fresh_session(client, other_server)
    probe = lab.connect(client, server, session=foreign)
    lab.require_full(probe, "the other server's session does not resume with this server")
    lab.close(probe)
    return server, client, mine, foreign


def test_newer_session_is_offered(lab, config):
    """Set another server's session, then this server's: the handshake resumes (wire)."""
    server, client, mine, foreign = _two_sessions(lab, config)
    connection = lab.connection(client)
    lab.set_session(connection, foreign)
    lab.set_session(connection, mine)
    handshake = lab.handshake(connection, lab.connection(server))
    lab.expect_resumed(handshake, "the handshake after replacing with this server's session")


def test_older_session_is_not_offered(lab, config):
    """Control: set this server's session, then another server's: a full handshake (wire)."""
    server, client, mine, foreign = _two_sessions(lab, config)
    connection = lab.connection(client)
    lab.set_session(connection, mine)
    lab.set_session(connection, foreign)
    handshake = lab.handshake(connection, lab.connection(server))
    lab.expect_full(handshake, "the handshake after replacing with another server's session")


@pytest.mark.needs(Capability.SESSION_ID, why="which session the connection holds")
def test_connection_reports_the_newer_session(lab, config):
    """After the replacing set, the connection reports the newer session's id."""
    _, client, mine, foreign = _two_sessions(lab, config)
    connection = lab.connection(client)
    lab.set_session(connection, foreign)
    lab.set_session(connection, mine)
    reported = lab.get_session(connection)
    lab.check("a session is reported after the sets", True, reported is not None)
    lab.check("id of the connection's session", lab.session_id(mine), lab.session_id(reported))


@pytest.mark.needs(Capability.SESSION_LIFETIME, why="when the older session object is freed")
def test_older_session_is_released_at_the_replacing_call(lab, config):
    """The older session's reference goes at the replacing set, before any handshake."""
    _, client, mine, foreign = _two_sessions(lab, config)
    connection = lab.connection(client)
    freed = _recipes.hand_over(lab, connection, foreign)
    del foreign
    lab.require(not freed(), "the connection keeps the older session alive (ref-taken judges that)", "freed")
    lab.set_session(connection, mine)
    lab.check("older session freed after the replacing set", True, freed())
