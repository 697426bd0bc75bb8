"""clear-with-null: setting no session clears the set one (newer man pages only).

The clearing call comes first; then a control with the same session set and
not cleared shows what the clear must undo (the session is reported, the
session resumes), so a library that never reports or resumes a set session
cannot pass here: it ends not-observable.
"""

import pytest

from conformance import Capability
from conformance.battery import _recipes

pytestmark = pytest.mark.clause("clear-with-null")


def _cleared(lab, config):
    server, client = lab.server(config), lab.client(config)
    session = lab.fresh_session(client, server)
    connection = lab.connection(client)
    lab.set_session(connection, session)
    lab.set_session(connection, None)
    return server, client, session, connection


def test_cleared_connection_reports_no_session(lab, config):
    """After setting no session, the connection reports none (control: without the clear, it does)."""
    _, client, session, connection = _cleared(lab, config)
    reported = lab.get_session(connection) is not None
    control = lab.connection(client)
    lab.set_session(control, session)
    lab.require(
        lab.get_session(control) is not None,
        "the control (the same session set, not cleared) is reported (get judges that)",
        "no session",
    )
    lab.check("a session is reported after the clear", False, reported)


def test_cleared_connection_makes_a_full_handshake(lab, config):
    """After setting no session, the handshake is full (wire); control: without the clear, it resumes."""
    server, client, session, connection = _cleared(lab, config)
    handshake = lab.handshake(connection, lab.connection(server))
    control = lab.connect(client, server, session=session)
    lab.require_resumed(control, "the control (the same session set, not cleared) resumes")
    lab.expect_full(handshake, "the handshake after the clear")


@pytest.mark.needs(Capability.SESSION_LIFETIME, why="when the cleared session object is freed")
def test_cleared_session_is_released(lab, config):
    """The cleared session's reference goes at the clearing call.

    The documented call comes first, on a connection of its own: a library that
    refuses it ends ``refused``, whatever the adapter can observe.
    """
    _cleared(lab, config)
    server, client = lab.server(config), lab.client(config)
    connection, freed = _recipes.connection_holding_a_fresh_session(lab, client, server)
    lab.set_session(connection, None)
    lab.check("session freed after setting no session", True, freed())
