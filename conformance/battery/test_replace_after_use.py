"""replace-after-use: a set on a connection that did a handshake releases that handshake's session.

The connection is shut down first, so that ``bad-if-open`` does not apply.
"""

import pytest

from conformance import Capability

pytestmark = pytest.mark.clause("replace-after-use")


def _used_connection(lab, config):
    server, other_server, client = lab.server(config), lab.server(config), lab.client(config)
    handshake = lab.connect(client, server)
    lab.shutdown(handshake.client)
    newer = lab.resumable_session(client, other_server)
    return other_server, client, handshake.client, newer


def test_used_connection_takes_the_new_session(lab, config):
    """Black box: after the set, the used connection reports the new session, which resumes (wire)."""
    other_server, client, used, newer = _used_connection(lab, config)
    lab.set_session(used, newer)
    reported = lab.get_session(used)
    lab.check("a session is reported after the set", True, reported is not None)
    handshake = lab.connect(client, other_server, session=reported)
    lab.expect_resumed(handshake, "the reported session offered to the server that issued the new one")


@pytest.mark.needs(Capability.SESSION_LIFETIME, why="when the earlier session object is freed")
def test_earlier_session_is_released(lab, config):
    """The session of the earlier handshake is freed at the set (the caller holds no handle).

    The documented call comes first, on a used connection of its own: a library
    that refuses it ends ``refused``, whatever the adapter can observe.
    """
    _, _, first_used, first_newer = _used_connection(lab, config)
    lab.set_session(first_used, first_newer)
    _, _, used, newer = _used_connection(lab, config)
    earlier = lab.held_session(used, "the connection after its handshake")
    freed = lab.track(earlier)
    lab.release(earlier)
    del earlier
    lab.collect_garbage()
    lab.check("earlier session freed while it is the connection's", False, freed())
    lab.set_session(used, newer)
    lab.check("earlier session freed after the set", True, freed())
