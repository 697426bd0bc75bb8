"""bad-if-open: replacing the session of a connection that is still open makes it bad.

Client side: the client's session of the open connection must not resume
again. Server side: the server's session leaves the server's session cache, so
a client offering it gets a full handshake. The server side is checked where
the server's cache is what resumes (``tls12-sessionid``): with tickets the
server keeps no session to remove. Controls: after a shutdown, or with the
sent-shutdown flag set, the session stays good.
"""

import pytest

from conformance import Capability

pytestmark = pytest.mark.clause("bad-if-open")


def _server_cache_resumes(config):
    return config.resumes_by_server_cache


#: The closing steps of the controls; the flag needs a capability (declared per variant).
CLOSINGS = [
    "shutdown",
    pytest.param(
        "sent-shutdown-flag",
        marks=pytest.mark.needs(
            Capability.SENT_SHUTDOWN_FLAG, why="a connection with only the sent-shutdown flag set"
        ),
    ),
]


def _open_connection(lab, config):
    """An open handshake, the client's session of it, and another client session to set.

    The replacement is shown to resume on its own: what the wire says of the
    replaced session then speaks of bad-if-open, not of a library that never resumes.
    """
    server, client = lab.server(config), lab.client(config)
    handshake = lab.connect(client, server)
    session = lab.held_session(handshake.client, "the open client connection")
    replacement = lab.resumable_session(client, server)
    return server, client, handshake, session, replacement


def _open_server_connection(lab, config, resuming=True):
    """The same, but the session to set is a server session of the same server context.

    (A client's session would bring the one-context clause in.) With ``resuming``,
    a client session is first shown to resume on its own, as above.
    """
    server, client = lab.server(config), lab.client(config)
    if resuming:
        lab.resumable_session(client, server)
    handshake = lab.connect(client, server)
    session = lab.held_session(handshake.client, "the client of the open connection")
    other = lab.connect(client, server)
    replacement = lab.held_session(other.server, "another server connection of the same context")
    lab.close(other)
    return server, client, handshake, session, replacement


def _close(lab, connection, how):
    if how == "shutdown":
        lab.shutdown(connection)
    elif how == "sent-shutdown-flag":
        lab.set_sent_shutdown(connection)


# -- client side ----------------------------------------------------------------------


def test_open_client_session_does_not_resume_again(lab, config):
    """Replacing the session of an open client connection: that session no longer resumes."""
    server, client, handshake, session, replacement = _open_connection(lab, config)
    lab.set_session(handshake.client, replacement)
    again = lab.connect(client, server, session=session)
    lab.expect_full(again, "a handshake offering the replaced session of the open connection")


@pytest.mark.parametrize("how", CLOSINGS)
def test_closed_client_session_stays_good(lab, config, how):
    """Control: after a shutdown (or with the sent-shutdown flag), the replaced session still resumes."""
    server, client, handshake, session, replacement = _open_connection(lab, config)
    _close(lab, handshake.client, how)
    lab.set_session(handshake.client, replacement)
    again = lab.connect(client, server, session=session)
    lab.expect_resumed(again, f"a handshake offering the replaced session after {how}")


# -- server side ----------------------------------------------------------------------


@pytest.mark.clause("bad-if-open", configs=_server_cache_resumes)
def test_open_server_session_leaves_the_cache(lab, config):
    """Replacing the session of an open server connection: the client's offer is declined."""
    server, client, handshake, session, replacement = _open_server_connection(lab, config)
    lab.set_session(handshake.server, replacement)
    again = lab.connect(client, server, session=session)
    lab.expect_full(again, "a handshake offering the session the open server connection had")


@pytest.mark.clause("bad-if-open", configs=_server_cache_resumes)
@pytest.mark.parametrize("how", CLOSINGS)
def test_closed_server_session_stays_cached(lab, config, how):
    """Control: after a shutdown (or with the flag) on the server, the session still resumes."""
    server, client, handshake, session, replacement = _open_server_connection(lab, config)
    _close(lab, handshake.server, how)
    lab.set_session(handshake.server, replacement)
    again = lab.connect(client, server, session=session)
    lab.expect_resumed(again, f"a handshake offering the session after the server's {how}")


@pytest.mark.clause("bad-if-open", configs=_server_cache_resumes)
@pytest.mark.needs(Capability.CACHE_SIZE, Capability.CACHE_EVENTS, why="the server's session cache")
def test_open_server_session_is_removed_from_the_cache(lab, config):
    """The server's cache shrinks by one and reports one removal at the replacing set."""
    server, _, handshake, _, replacement = _open_server_connection(lab, config, resuming=False)
    size, removals = lab.cache(server)
    lab.require(size >= 1, "the server cache holds the open connection's session", f"{size} sessions")
    lab.set_session(handshake.server, replacement)
    lab.check("server cache after the set (sessions, removals)", (size - 1, removals + 1), lab.cache(server))


@pytest.mark.clause("bad-if-open", configs=_server_cache_resumes)
@pytest.mark.needs(Capability.CACHE_SIZE, Capability.CACHE_EVENTS, why="the server's session cache")
def test_closed_server_session_is_not_removed(lab, config):
    """Control: after the server's shutdown, the set removes nothing from the cache."""
    server, _, handshake, _, replacement = _open_server_connection(lab, config, resuming=False)
    lab.shutdown(handshake.server)
    before = lab.cache(server)
    lab.set_session(handshake.server, replacement)
    lab.check("server cache after the set (sessions, removals)", before, lab.cache(server))
