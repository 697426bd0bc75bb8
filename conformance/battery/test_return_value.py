"""return-value: success is success with no error left; wrong input gets a clear error."""

import pytest

from conformance import Capability, Refused
from conformance.battery import _recipes

pytestmark = pytest.mark.clause("return-value")


def _fresh(lab, config):
    server, client = lab.server(config), lab.client(config)
    return client, lab.fresh_session(client, server)


def test_success_returns_normally(lab, config):
    """Setting a good session succeeds (no error raised) and the session is then the connection's."""
    client, session = _fresh(lab, config)
    connection = lab.connection(client)
    lab.set_session(connection, session)
    reported = lab.get_session(connection)
    lab.check("the connection has a session after a successful set", True, reported is not None)


@pytest.mark.needs(Capability.RAW_RETURN, why="the raw return value and the error queue")
def test_success_returns_one_and_leaves_no_error(lab, config):
    """C: the set returns 1 and leaves the error queue empty."""
    client, session = _fresh(lab, config)
    connection = lab.connection(client)
    raw = lab.set_session_raw(connection, session)
    if raw.return_value == 0 and raw.errors:  # a failure with its reason: the library refuses the call
        raise Refused("set_session", "returned 0: " + "; ".join(raw.errors))
    lab.check("return value of a successful set", 1, raw.return_value)
    lab.check("error queue after a successful set", (), tuple(raw.errors))


@pytest.mark.parametrize(
    "value",
    [
        "no session",
        pytest.param(
            "an empty session",
            marks=pytest.mark.needs(Capability.EMPTY_SESSION, why="an empty session object"),
        ),
    ],
)
@pytest.mark.needs(Capability.RAW_RETURN, why="the raw return value and the error queue")
def test_raw_result_is_success_or_failure_with_a_reason(lab, config, value):
    """C: whatever the set returns, 1 leaves the error queue empty and 0 leaves a reason in it."""
    session = lab.empty_session() if value == "an empty session" else None
    connection = lab.connection(lab.client(config))
    raw = lab.set_session_raw(connection, session, named=value)
    queue = "; ".join(raw.errors) or "empty"
    consistent = (raw.return_value == 1 and not raw.errors) or (raw.return_value == 0 and bool(raw.errors))
    lab.evidence.check_that(
        f"the raw result of setting {value}",
        consistent,
        "1 with an empty error queue, or 0 with a reason in the queue",
        f"{raw.return_value} with error queue: {queue}",
    )


@pytest.mark.parametrize("wrong", ["a string", "a connection"])
def test_wrong_type_gets_a_clear_error(lab, config, wrong):
    """Something that is not a session (a string, a connection handle) is rejected with a reason,
    while a good session is accepted (the control: a library that refuses every set is refused)."""
    server, client = lab.server(config), lab.client(config)
    connection = lab.connection(client)
    value = "not a session" if wrong == "a string" else lab.connection(client)
    control = (client, lab.fresh_session(client, server))
    accepted = _recipes.set_allowing_refusal(lab, connection, value, control=control, named=wrong)
    lab.evidence.check_that(f"setting {wrong} as a session", not accepted, "a clear error", "it was accepted")


@pytest.mark.needs(Capability.EMPTY_SESSION, why="an empty session object")
def test_empty_session_is_refused_or_harmless(lab, config):
    """An empty session object is refused clearly (while a good session is accepted), or the
    handshake is simply full."""
    server, client = lab.server(config), lab.client(config)
    empty = lab.empty_session()
    connection = lab.connection(client)
    control = (client, lab.fresh_session(client, server))
    if not _recipes.set_allowing_refusal(lab, connection, empty, control=control):
        return
    handshake = lab.handshake(connection, lab.connection(server))
    lab.expect_full(handshake, "a handshake offering an empty session")
