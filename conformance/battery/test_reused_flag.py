"""reused-flag: the library's reuse query, checked against what crossed the wire."""

import pytest

from conformance import Capability

pytestmark = pytest.mark.clause("reused-flag")

WHY = "the library's own reuse flag"


@pytest.mark.needs(Capability.REUSE_FLAG, why=WHY)
def test_false_before_any_handshake(lab, config):
    """A new client connection reports no reuse."""
    connection = lab.connection(lab.client(config))
    lab.check("reuse flag of a new connection", False, lab.reused(connection))


@pytest.mark.needs(Capability.REUSE_FLAG, why=WHY)
def test_false_right_after_a_set(lab, config):
    """Setting a session does not make the connection report reuse before the handshake."""
    server, client = lab.server(config), lab.client(config)
    session = lab.fresh_session(client, server)
    connection = lab.connection(client)
    lab.set_session(connection, session)
    lab.check("reuse flag right after the set", False, lab.reused(connection))


@pytest.mark.needs(Capability.REUSE_FLAG, why=WHY)
def test_false_after_a_full_handshake(lab, config):
    """Both ends of a full handshake report no reuse."""
    handshake = lab.connect(lab.client(config), lab.server(config))
    lab.require_full(handshake, "a handshake with no session set")
    lab.check("client reuse flag after a full handshake", False, lab.reused(handshake.client))
    lab.check("server reuse flag after a full handshake", False, lab.reused(handshake.server))


@pytest.mark.needs(Capability.REUSE_FLAG, why=WHY)
def test_false_when_the_set_session_is_declined(lab, config):
    """A set session that the server declines: the client reports no reuse."""
    issuer, stranger, client = lab.server(config), lab.server(config), lab.client(config)
    session = lab.fresh_session(client, issuer)
    handshake = lab.connect(client, stranger, session=session)
    lab.require_full(handshake, "a server that never saw the session declines it")
    lab.check("client reuse flag after a declined session", False, lab.reused(handshake.client))


@pytest.mark.needs(Capability.REUSE_FLAG, why=WHY)
def test_true_after_a_resumed_handshake(lab, config):
    """Both ends of a resumed handshake report reuse, as the wire shows."""
    server, client = lab.server(config), lab.client(config)
    session = lab.fresh_session(client, server)
    handshake = lab.connect(client, server, session=session)
    lab.require_resumed(handshake, "the set session resumes")
    lab.check("client reuse flag after resuming", True, lab.reused(handshake.client))
    lab.check("server reuse flag after resuming", True, lab.reused(handshake.server))
