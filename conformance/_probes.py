"""What ``conformance check`` holds an adapter to: return types, core steps, capability probes.

Design: three tables. ``RETURNS`` says what each contract method returns; the
``Recorder`` holds every call against it and stops at the first wrong value,
naming the method. ``CORE_STEPS`` are the handshakes every adapter must get
through (a full one, a session from it, a resumption with ``set_session``).
``PROBES`` give each capability a probe that checks the observation against
what the wire showed. A probe returns what it saw (for the "ok" line) or
raises ``Unmet`` with what it expected and what it saw.
"""

from __future__ import annotations

import collections
import dataclasses
import gc
from collections.abc import Callable
from typing import Any

from ._capabilities import Capability
from ._catalogue import CATALOGUE
from ._configs import ProtocolConfig
from ._contract import Adapter, CallMapping, Facts, RawCall
from ._errors import ContractError, NotObservable, Refused
from ._lab import Handshake, Lab

__all__ = [
    "CORE_STEPS",
    "PROBES",
    "RETURNS",
    "Recorder",
    "Scene",
    "Unmet",
    "WrongReturn",
    "check_facts",
]


# -- what each contract method must return ---------------------------------------------


@dataclasses.dataclass(frozen=True)
class Returns:
    accepts: Callable[[Any], bool]
    expected: str


def _is(kind: type) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, kind)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_raw_call(value: Any) -> bool:
    return (
        isinstance(value, RawCall)
        and _is_int(value.return_value)
        and isinstance(value.errors, tuple)
        and all(isinstance(error, str) for error in value.errors)
    )


_NOTHING = Returns(lambda value: value is None, "None")
_HANDLE = Returns(lambda value: value is not None, "a handle (anything but None)")

RETURNS: dict[str, Returns] = {
    "facts": Returns(_is(Facts), "a conformance.Facts"),
    "make_context": _HANDLE,
    "make_connection": _HANDLE,
    "do_handshake": Returns(
        _is(bool), "a bool: True once the handshake is complete, False while it waits for the peer"
    ),
    "put_incoming": _NOTHING,
    "take_outgoing": Returns(_is(bytes), 'bytes (b"" when there is nothing to send)'),
    "write": _NOTHING,
    "read": Returns(_is(bytes), 'bytes (b"" when nothing has arrived)'),
    "shutdown": _NOTHING,
    "set_session": Returns(
        lambda value: value is None,
        "None: return normally on success, raise conformance.Refused when the library rejects the call",
    ),
    "get_session": Returns(lambda value: True, "a session handle, or None"),
    "release": _NOTHING,
    "session_reused": Returns(_is(bool), "a bool"),
    "session_id": Returns(_is(bytes), "bytes"),
    "same_session": Returns(_is(bool), "a bool"),
    "track_session": Returns(callable, "a callable probe that answers whether the session was freed"),
    "cache_size": Returns(_is_int, "an int"),
    "cache_removals": Returns(_is_int, "an int"),
    "flush_cache": _NOTHING,
    "set_sent_shutdown": _NOTHING,
    "set_session_raw": Returns(
        _is_raw_call, "a conformance.RawCall (return_value an int, errors a tuple of str)"
    ),
    "make_empty_session": _HANDLE,
}


class WrongReturn(ContractError):
    def __init__(self, method: str, value: Any) -> None:
        self.method, self.seen = method, _show(value)
        self.expected = RETURNS[method].expected
        super().__init__(f"{method}() returned {self.seen}; expected {self.expected}")


class Recorder:
    """The adapter as the lab sees it, with every return value held against ``RETURNS``."""

    def __init__(self, adapter: Adapter) -> None:
        self._adapter = adapter
        self.calls: collections.Counter[str] = collections.Counter()
        #: The first wrong return value of each method, as shown to the user.
        self.wrong: dict[str, str] = {}
        self.last_call = ""

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._adapter, name)
        if name not in RETURNS:
            return attribute

        def call(*args: Any) -> Any:
            self.last_call = name
            value = attribute(*args)
            self.calls[name] += 1
            if not RETURNS[name].accepts(value):
                error = WrongReturn(name, value)
                self.wrong.setdefault(name, error.seen)
                raise error
            return value

        return call


# -- checks ----------------------------------------------------------------------------


class Unmet(Exception):
    """A probe saw something other than what it expected."""

    def __init__(self, expected: str, seen: str) -> None:
        super().__init__(f"expected {expected}; saw {seen}")
        self.expected, self.seen = expected, seen


def _expect(what: str, expected: Any, seen: Any) -> None:
    if seen != expected:
        raise Unmet(f"{what} to be {expected!r}", _show(seen))


def _show(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return repr(value)
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"


def check_facts(facts: Facts) -> str:
    for field in ("library", "library_version", "tls_library", "tls_library_version"):
        value = getattr(facts, field)
        if not isinstance(value, str) or not value:
            raise Unmet(f"Facts.{field} to be a non-empty str", _show(value))
    if not isinstance(facts.notes, tuple) or not all(isinstance(note, str) for note in facts.notes):
        raise Unmet("Facts.notes to be a tuple of str", _show(facts.notes))
    _check_mapping(facts.mapping)
    return f"{facts.library} {facts.library_version} over {facts.tls_library} {facts.tls_library_version}"


def _check_mapping(mapping: Any) -> None:
    if not isinstance(mapping, tuple) or not all(isinstance(entry, CallMapping) for entry in mapping):
        raise Unmet("Facts.mapping to be a tuple of conformance.CallMapping", _show(mapping))
    known = {clause.id for clause in CATALOGUE}
    for entry in mapping:
        if entry.clause not in known:
            raise Unmet(
                f"Facts.mapping to name clauses of the catalogue ({', '.join(sorted(known))})", entry.clause
            )
        if not all(isinstance(text, str) and text for text in (entry.call, entry.meaning)):
            raise Unmet(f"the mapping of {entry.clause!r} to name a call and its meaning", _show(entry))


# -- handshakes and capabilities ---------------------------------------------------------


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


#: The core steps, in order; a step that fails ends its configuration.
CORE_STEPS: tuple[tuple[str, Callable[[Scene], str]], ...] = (
    ("full handshake", _full_handshake),
    ("get_session()", _session_after_handshake),
    ("resumption", _resumption),
)


def _probe_reuse_flag(scene: Scene) -> str:
    adapter, full = scene.adapter, scene.need_full()
    _expect(
        "session_reused() of a new client connection",
        False,
        adapter.session_reused(scene.lab.connection(scene.client)),
    )
    _expect(
        "session_reused() of the client after a full handshake", False, adapter.session_reused(full.client)
    )
    adapter.session_reused(full.server)  # a bool; whether it is right is the battery's to judge
    resumed = scene.need_resumed()
    _expect(
        f"session_reused() of the client after a resumed handshake ({resumed.describe()})",
        True,
        adapter.session_reused(resumed.client),
    )
    adapter.session_reused(resumed.server)
    return "a bool; False on a new connection and after a full handshake, True after the resumed one"


def _probe_session_id(scene: Scene) -> str:
    first, second = scene.adapter.session_id(scene.session), scene.adapter.session_id(scene.session)
    _expect(f"session_id() of the same session a second time (first {first.hex() or 'empty'})", first, second)
    if scene.config.resumes_by_server_cache and not first:
        raise Unmet(f"a non-empty id in {scene.config.id}, where the server resumes by id", "b'' (empty)")
    return f"bytes ({len(first)} of them)"


def _probe_session_identity(scene: Scene) -> str:
    same = scene.adapter.same_session
    _expect("same_session(S, S) for one session handle twice", True, same(scene.session, scene.session))
    _expect(
        "same_session(S1, S2) for the sessions of two full handshakes",
        False,
        same(scene.session, scene.other_session),
    )
    return "True for one session, False for two"


def _probe_session_lifetime(scene: Scene) -> str:
    freed = scene.adapter.track_session(scene.session)
    _expect("the probe of track_session() while the session is held", False, _answer(freed))
    session = scene.lab.fresh_session(scene.client, scene.server)
    freed = scene.adapter.track_session(session)
    scene.lab.release(session)
    del session
    gc.collect()
    _expect(
        "the probe of track_session() once the session's connections and every handle "
        "are released and garbage is collected",
        True,
        _answer(freed),
    )
    return "a probe: False while the session is held, True once it is freed"


def _answer(probe: Callable[[], Any]) -> bool:
    answer = probe()
    if not isinstance(answer, bool):
        raise Unmet("the probe of track_session() to answer a bool", _show(answer))
    return answer


def _probe_cache_size(scene: Scene) -> str:
    server, client = scene.adapter.cache_size(scene.server), scene.adapter.cache_size(scene.client)
    if server < 0 or client < 0:
        raise Unmet("cache_size() to count sessions (0 or more)", f"server {server}, client {client}")
    if scene.config.resumes_by_server_cache and server < 1:
        raise Unmet(
            f"cache_size() of the server in {scene.config.id} to count the sessions of its full handshakes",
            str(server),
        )
    return f"an int (server {server}, client {client})"


def _probe_cache_events(scene: Scene) -> str:
    adapter = scene.adapter
    before = adapter.cache_removals(scene.server)
    adapter.flush_cache(scene.server)
    after = adapter.cache_removals(scene.server)
    if scene.config.resumes_by_server_cache and after <= before:
        raise Unmet(
            "cache_removals() to grow when flush_cache() empties a server cache holding sessions",
            f"{before} before the flush, {after} after",
        )
    if Capability.CACHE_SIZE in adapter.capabilities:
        _expect("cache_size() of the server after flush_cache()", 0, adapter.cache_size(scene.server))
    return f"removals {before} before the flush, {after} after"


def _probe_sent_shutdown(scene: Scene) -> str:
    scene.adapter.set_sent_shutdown(scene.need_full().client)
    return "set_sent_shutdown() returned normally on an open connection"


def _probe_raw_return(scene: Scene) -> str:
    raw = scene.adapter.set_session_raw(scene.lab.connection(scene.client), scene.session)
    _expect(
        "the return value of set_session_raw() with a good session on a new client connection",
        1,
        raw.return_value,
    )
    _expect("the error queue after it", (), raw.errors)
    return "1 and an empty error queue for a good session"


def _probe_empty_session(scene: Scene) -> str:
    empty = scene.adapter.make_empty_session()
    connection = scene.lab.connection(scene.client)
    try:
        scene.adapter.set_session(connection, empty)
    except Refused as refusal:
        return f"an object; setting it is refused ({refusal.library_error})"
    except (WrongReturn, NotObservable):
        raise
    except Exception as error:  # what setting it does is the return-value clause's to judge
        return (
            f"an object; setting it raised {type(error).__name__}: {error} (the battery counts "
            "that as an error unless it is conformance.Refused)"
        )
    return "an object; setting it is accepted"


#: One probe per capability; flushing the cache comes last, as it empties what others count.
PROBES: dict[Capability, Callable[[Scene], str]] = {
    Capability.REUSE_FLAG: _probe_reuse_flag,
    Capability.SESSION_ID: _probe_session_id,
    Capability.SESSION_IDENTITY: _probe_session_identity,
    Capability.CACHE_SIZE: _probe_cache_size,
    Capability.SENT_SHUTDOWN_FLAG: _probe_sent_shutdown,
    Capability.RAW_RETURN: _probe_raw_return,
    Capability.EMPTY_SESSION: _probe_empty_session,
    Capability.SESSION_LIFETIME: _probe_session_lifetime,
    Capability.CACHE_EVENTS: _probe_cache_events,
}
