"""ref-dropped-on-miss: a declined session is let go during the handshake; the caller's stays good.

A miss is made by offering the session to a second server context of the same
configuration: it has another ticket key and an empty cache, so it cannot resume.
"""

import pytest

from conformance import Capability

pytestmark = pytest.mark.clause("ref-dropped-on-miss")


def _declined(lab, config, exchange=True):
    issuer, stranger, client = lab.server(config), lab.server(config), lab.client(config)
    session = lab.resumable_session(client, issuer)
    connection = lab.connection(client)
    lab.set_session(connection, session)
    handshake = lab.handshake(connection, lab.connection(stranger), exchange=exchange)
    lab.require_full(handshake, "a server that never saw the session declines it")
    return issuer, stranger, client, session, handshake


def test_caller_handle_stays_good_after_a_miss(lab, config):
    """Black box: after the miss, the caller's handle still resumes with the server that issued it."""
    issuer, _, client, session, _ = _declined(lab, config)
    again = lab.connect(client, issuer, session=session)
    lab.expect_resumed(again, "the caller's session offered again to its own server")


def test_connection_holds_a_new_session_after_a_miss(lab, config):
    """Black box: the connection's session after the miss is a new one, which resumes with the new server."""
    _, stranger, client, _, handshake = _declined(lab, config)
    new = lab.get_session(handshake.client)
    lab.check("a session is held after the miss", True, new is not None)
    again = lab.connect(client, stranger, session=new)
    lab.expect_resumed(again, "the connection's new session offered to the server that made it")


@pytest.mark.needs(Capability.SESSION_ID, why="which session the connection holds after the miss")
def test_new_session_has_another_id(lab, config):
    """After the miss the connection's session has another id than the declined one."""
    _, _, _, session, handshake = _declined(lab, config)
    new = lab.get_session(handshake.client)
    lab.check("a session is held after the miss", True, new is not None)
    old_id, new_id = lab.session_id(session), lab.session_id(new)
    lab.evidence.check_that(
        "id of the connection's session after the miss",
        new_id != old_id,
        f"an id other than {old_id.hex()}",
        new_id.hex(),
    )


@pytest.mark.needs(Capability.SESSION_LIFETIME, why="when the session object is freed")
def test_reference_is_dropped_during_the_handshake(lab, config):
    """The connection lets go of the declined session during the handshake, not when it goes."""
    _, _, _, session, _handshake = _declined(lab, config)
    freed = lab.track(session)
    lab.check("session freed while the caller still holds it", False, freed())
    lab.release(session)
    del session
    lab.collect_garbage()
    lab.check("session freed once the caller lets go, the connection still open", True, freed())
