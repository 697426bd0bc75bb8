"""ref-taken: the set takes a reference of its own, which goes when the connection goes."""

import pytest

from conformance import Capability
from conformance.battery import _recipes

pytestmark = pytest.mark.clause("ref-taken")


def test_caller_may_release_its_handle_at_once(lab, config):
    """Black box: the caller drops its handle right after the set; the session still resumes."""
    server, client = lab.server(config), lab.client(config)
    session = lab.resumable_session(client, server)
    connection = lab.connection(client)
    lab.set_session(connection, session)
    lab.release(session)
    del session
    lab.collect_garbage()
    handshake = lab.handshake(connection, lab.connection(server))
    lab.expect_resumed(handshake, "the handshake after the caller released its handle")


@pytest.mark.needs(Capability.SESSION_LIFETIME, why="when the session object is freed")
def test_reference_is_held_until_the_connection_goes(lab, config):
    """The session outlives the caller's handle while the connection holds it, and dies with it."""
    server, client = lab.server(config), lab.client(config)
    connection, freed = _recipes.connection_holding_a_fresh_session(lab, client, server, ref_taken=True)
    handshake = lab.handshake(connection, lab.connection(server), exchange=False)
    lab.expect_resumed(handshake, "the handshake after the caller released its handle")
    lab.check("session freed while the connection still holds it", False, freed())
    lab.release(handshake.server)
    lab.release(connection)
    del connection, handshake
    lab.collect_garbage()
    lab.check("session freed once the connection is released", True, freed())


@pytest.mark.needs(Capability.SESSION_LIFETIME, why="when the session object is freed")
def test_unused_connection_releases_its_reference(lab, config):
    """A connection that never connects still releases its reference when it goes."""
    server, client = lab.server(config), lab.client(config)
    connection, freed = _recipes.connection_holding_a_fresh_session(lab, client, server, ref_taken=True)
    lab.release(connection)
    del connection
    lab.collect_garbage()
    lab.check("session freed once the connection is released", True, freed())
