"""Recipes the battery's tests share: set-ups of several lab steps, and refusals a clause allows.

Design: battery tests speak only to the lab and to this module. A recipe is a
sequence of lab steps with a name (each step still logs itself in the
evidence); it holds no rule of its own beyond the one its docstring states.

Where a clause allows a refusal (``client-only``, ``one-context``), a refusal
alone proves nothing: a library that refuses every set would pass. So
``set_allowing_refusal`` proves the refusal is the one the clause allows with a
control in the same test: a session of the same kind, set where the man page
requires the call to work (a client connection of the session's own context,
before its handshake), is accepted. If the control is refused too, the test
ends ``refused``: the library rejects a documented call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from conformance import Refused
from conformance._lab import Lab

__all__ = ["connection_holding_a_fresh_session", "hand_over", "server_session", "set_allowing_refusal"]


def hand_over(lab: Lab, connection: Any, session: Any) -> Callable[[], bool]:
    """Track ``session``, set it on ``connection`` and release the caller's handle.

    Returns the probe that tells whether the session was freed. The caller
    must drop its own reference too (``del``) before it asks the probe.
    """
    freed = lab.track(session)
    lab.set_session(connection, session)
    lab.release(session)
    return freed


def connection_holding_a_fresh_session(
    lab: Lab, client: Any, server: Any, ref_taken: bool = False
) -> tuple[Any, Callable[[], bool]]:
    """A new connection of ``client`` holding a fresh session that no one else holds.

    The session is handed over at once (the caller never has a handle) and is
    seen to be alive; returns the connection and the probe of the session.
    That it is alive is the ``ref-taken`` clause: a check in its own tests
    (``ref_taken``), a precondition in any other clause's, which cannot judge
    a library whose set takes no reference.
    """
    connection = lab.connection(client)
    freed = hand_over(lab, connection, lab.fresh_session(client, server))
    what = "session freed after the caller released its handle"
    if ref_taken:
        lab.check(what, False, freed())
    else:
        lab.require(
            not freed(), "the connection keeps the set session alive (ref-taken judges that)", "freed"
        )
    return connection, freed


def server_session(lab: Lab, client: Any, server: Any) -> Any:
    """A session of ``server``'s own context: the one its connection holds after a full handshake."""
    handshake = lab.connect(client, server)
    session = lab.held_session(handshake.server, "the server connection after a full handshake")
    lab.close(handshake)
    return session


def set_allowing_refusal(
    lab: Lab, connection: Any, session: Any, control: tuple[Any, Any], named: str = ""
) -> bool:
    """Set ``session`` where the clause allows a refusal: True if accepted, False if refused.

    ``control`` is (a client context, a session of it): on a refusal it is set on a
    new connection of that context, where the man page requires the call to work.
    The control accepted, the refusal is recorded as a check (with the library's
    reason, so the report says which check refused); the control refused too, the
    ``Refused`` ends the test as ``refused``.
    """
    try:
        lab.set_session(connection, session, named=named)
    except Refused as refusal:
        reason = refusal.library_error.strip()
        lab.evidence.note(f"refused: {reason or '(no reason given)'}")
        client, control_session = control
        lab.evidence.note("control: the same kind of session on a client connection before its handshake")
        lab.set_session(lab.connection(client), control_session)  # a refusal here is the outcome
        lab.evidence.check_that(
            "the refusal is the one the clause allows: a clear error, while the control was accepted",
            bool(reason),
            "a refusal with a reason (and the control accepted)",
            f"refused with: {reason}" if reason else "refused with an empty message",
        )
        return False
    lab.evidence.note("accepted")
    return True
