"""The battery's recipes: a refusal a clause allows counts only beside an accepted control."""

from __future__ import annotations

import pytest

from conformance import Refused, Side, config_by_id
from conformance._lab import Lab
from conformance.battery import _recipes


def _server_connection_and_control(lab: Lab):
    config = config_by_id("tls13")
    server, client = lab.server(config), lab.client(config)
    session = lab.fresh_session(client, server)
    return lab.connection(server), session, (client, session)


def test_a_refusal_beside_an_accepted_control_is_a_check_naming_the_refusal(lab: Lab) -> None:
    original = lab.adapter.set_session

    def refuse_on_servers(connection, session):
        if connection.side is Side.SERVER:
            raise Refused("set_session", "fake library: not on a server")
        original(connection, session)

    lab.adapter.set_session = refuse_on_servers  # type: ignore[method-assign]
    connection, session, control = _server_connection_and_control(lab)
    assert _recipes.set_allowing_refusal(lab, connection, session, control=control) is False
    [check] = lab.evidence.checks
    assert check.ok and check.observed == "refused with: fake library: not on a server"
    assert lab.evidence.notes[0] == "refused: fake library: not on a server"


def test_a_refused_control_ends_the_test_refused(lab: Lab) -> None:
    connection, session, control = _server_connection_and_control(lab)
    lab.adapter.misbehave("set_session", "refuse")
    with pytest.raises(Refused):
        _recipes.set_allowing_refusal(lab, connection, session, control=control)
    assert lab.evidence.checks == []


def test_an_accepted_set_is_a_note(lab: Lab) -> None:
    connection, session, control = _server_connection_and_control(lab)
    assert _recipes.set_allowing_refusal(lab, connection, session, control=control) is True
    assert lab.evidence.notes == ["accepted"]
