"""The handshakes ``conformance check`` makes in each configuration, which the probes share.

Design: a ``Scene`` holds one configuration's contexts, sessions and
handshakes. ``CORE_STEPS`` are the handshakes every adapter must get through,
in order (a full one, a session from it, a resumption with ``set_session``);
a step returns what it saw (for the "ok" line) or raises ``Unmet`` with what it
expected and what it saw.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ._capabilities import Capability
from ._configs import ProtocolConfig
from ._handshake import Handshake
from ._lab import Lab
from ._recorder import show
from ._wire import read_server_wire

__all__ = ["CORE_STEPS", "GOES_ON", "Scene", "Unmet", "expect"]


class Unmet(Exception):
    """A probe saw something other than what it expected."""

    def __init__(self, expected: str, seen: str) -> None:
        super().__init__(f"expected {expected}; saw {seen}")
        self.expected, self.seen = expected, seen


def expect(what: str, expected: Any, seen: Any) -> None:
    if seen != expected:
        raise Unmet(f"{what} to be {expected!r}", show(seen))


@dataclasses.dataclass
class Scene:
    """One configuration's contexts and handshakes, shared by the probes."""

    lab: Lab
    adapter: Any  # the Recorder
    config: ProtocolConfig
    server: Any = None
    client: Any = None
    full: Handshake | None = None
    session: Any = None
    other_session: Any = None
    resumed: Handshake | None = None
    #: Capabilities whose probe raised NotObservable here (shared by every configuration).
    unobserved: list[Capability] = dataclasses.field(default_factory=list)

    def need_full(self) -> Handshake:
        """The full handshake: the first core step, so every later step has one."""
        assert self.full is not None, "the full handshake is the first core step"
        return self.full

    def need_resumed(self) -> Handshake:
        if self.resumed is None:
            raise Unmet("a resumed handshake to compare with", "none (see the resumption check above)")
        return self.resumed


def _full_handshake(scene: Scene) -> str:
    scene.full = handshake = scene.lab.connect(scene.client, scene.server)
    if handshake.resumed_on_wire:
        raise Unmet(
            "a full handshake, in which the server sends its certificate",
            f"{handshake.describe()}. Does the library compress certificates? Turn that off: "
            "the lab tells full from resumed handshakes by the certificate's size",
        )
    return f"done, application data crossed both ways; {handshake.describe()}"


def _configuration_on_the_wire(scene: Scene) -> str:
    """The full handshake honours the configuration: its TLS version, and a TLS 1.2 ticket or none."""
    config, facts = scene.config, read_server_wire(scene.need_full().server_wire)
    if facts is None:
        return "not read: the server's bytes are no TLS records"
    expect(f"the TLS version negotiated in {config.id}", config.tls_version, facts.tls_version)
    if facts.tls12_ticket is not None:
        expect(f"a session ticket sent by the server in {config.id}", config.tickets, facts.tls12_ticket)
        return f"TLS {facts.tls_version}, {'a' if facts.tls12_ticket else 'no'} session ticket"
    return f"TLS {facts.tls_version}"


def _session_after_handshake(scene: Scene) -> str:
    scene.session = scene.lab.get_session(scene.need_full().client)
    if scene.session is None:
        raise Unmet("get_session() of the client after a handshake to give its session", "None")
    scene.other_session = scene.lab.fresh_session(scene.client, scene.server)
    if scene.other_session is None:
        raise Unmet("get_session() of the client after a second handshake to give its session", "None")
    return "a session, after each of two full handshakes"


def _resumption(scene: Scene) -> str:
    handshake = scene.lab.connect(scene.client, scene.server, session=scene.session)
    if not handshake.resumed_on_wire:
        raise Unmet(
            "the handshake after set_session() to resume (the same server issued the session)",
            f"a full handshake: {handshake.describe()}. Check that set_session() hands the "
            "session to the library and that read() processes TLS 1.3 tickets; if the library "
            "really does not resume, 'conformance run' will show it",
        )
    scene.resumed = handshake
    return f"set_session() then a handshake: {handshake.describe()}"


#: The core steps, in order; a step that fails ends its configuration (but for the
#: configuration's wire facts and the resumption, see ``GOES_ON``).
CORE_STEPS: tuple[tuple[str, Callable[[Scene], str]], ...] = (
    ("full handshake", _full_handshake),
    ("configuration on the wire", _configuration_on_the_wire),
    ("get_session()", _session_after_handshake),
    ("resumption", _resumption),
)

#: Core steps after whose failure the configuration's other checks still run.
GOES_ON = frozenset({"configuration on the wire", "resumption"})
