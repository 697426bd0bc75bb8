"""What ``conformance check`` holds an adapter's facts and capabilities to.

Design: ``check_facts`` checks what ``facts()`` returned; ``PROBES`` give each
capability a probe that checks the observation against what the wire showed,
on the handshakes of a ``Scene`` (``_scene``). A probe returns what it saw (for
the "ok" line) or raises ``Unmet`` with what it expected and what it saw.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from ._capabilities import CAPABILITIES, Capability
from ._catalogue import CATALOGUE
from ._contract import CallMapping, Facts
from ._errors import NotObservable, Refused
from ._recorder import WrongReturn, show
from ._scene import Scene, Unmet, expect

__all__ = ["PROBES", "check_facts"]


def check_facts(facts: Facts) -> str:
    for field in ("library", "library_version", "tls_library", "tls_library_version"):
        value = getattr(facts, field)
        if not isinstance(value, str) or not value:
            raise Unmet(f"Facts.{field} to be a non-empty str", show(value))
    if not isinstance(facts.notes, tuple) or not all(isinstance(note, str) for note in facts.notes):
        raise Unmet("Facts.notes to be a tuple of str", show(facts.notes))
    _check_mapping(facts.mapping)
    return f"{facts.library} {facts.library_version} over {facts.tls_library} {facts.tls_library_version}"


def _check_mapping(mapping: Any) -> None:
    if not isinstance(mapping, tuple) or not all(isinstance(entry, CallMapping) for entry in mapping):
        raise Unmet("Facts.mapping to be a tuple of conformance.CallMapping", show(mapping))
    known = {clause.id for clause in CATALOGUE}
    for entry in mapping:
        if entry.clause not in known:
            raise Unmet(
                f"Facts.mapping to name clauses of the catalogue ({', '.join(sorted(known))})", entry.clause
            )
        if not all(isinstance(text, str) and text for text in (entry.call, entry.meaning)):
            raise Unmet(f"the mapping of {entry.clause!r} to name a call and its meaning", show(entry))


def probe_reuse_flag(scene: Scene) -> str:
    adapter, full = scene.adapter, scene.need_full()
    expect(
        "session_reused() of a new client connection",
        False,
        adapter.session_reused(scene.lab.connection(scene.client)),
    )
    expect(
        "session_reused() of the client after a full handshake", False, adapter.session_reused(full.client)
    )
    adapter.session_reused(full.server)  # a bool; whether it is right is the battery's to judge
    resumed = scene.need_resumed()
    expect(
        f"session_reused() of the client after a resumed handshake ({resumed.describe()})",
        True,
        adapter.session_reused(resumed.client),
    )
    adapter.session_reused(resumed.server)
    return "a bool; False on a new connection and after a full handshake, True after the resumed one"


def probe_session_id(scene: Scene) -> str:
    first, second = scene.adapter.session_id(scene.session), scene.adapter.session_id(scene.session)
    expect(f"session_id() of the same session a second time (first {first.hex() or 'empty'})", first, second)
    if scene.config.resumes_by_server_cache and not first:
        raise Unmet(f"a non-empty id in {scene.config.id}, where the server resumes by id", "b'' (empty)")
    return f"bytes ({len(first)} of them)"


def probe_session_identity(scene: Scene) -> str:
    same = scene.adapter.same_session
    expect("same_session(S, S) for one session handle twice", True, same(scene.session, scene.session))
    expect(
        "same_session(S1, S2) for the sessions of two full handshakes",
        False,
        same(scene.session, scene.other_session),
    )
    return "True for one session, False for two"


def probe_session_lifetime(scene: Scene) -> str:
    freed = scene.adapter.track_session(scene.session)
    expect("the probe of track_session() while the session is held", False, _answer(freed))
    session = scene.lab.fresh_session(scene.client, scene.server)
    freed = scene.adapter.track_session(session)
    scene.lab.release(session)
    del session
    gc.collect()
    expect(
        "the probe of track_session() once the session's connections and every handle "
        "are released and garbage is collected",
        True,
        _answer(freed),
    )
    return "a probe: False while the session is held, True once it is freed"


def _answer(probe: Callable[[], Any]) -> bool:
    answer = probe()
    if not isinstance(answer, bool):
        raise Unmet("the probe of track_session() to answer a bool", show(answer))
    return answer


def probe_cache_size(scene: Scene) -> str:
    server, client = scene.adapter.cache_size(scene.server), scene.adapter.cache_size(scene.client)
    if server < 0 or client < 0:
        raise Unmet("cache_size() to count sessions (0 or more)", f"server {server}, client {client}")
    if scene.config.resumes_by_server_cache and server < 1:
        raise Unmet(
            f"cache_size() of the server in {scene.config.id} to count the sessions of its full handshakes",
            str(server),
        )
    return f"an int (server {server}, client {client})"


def probe_cache_events(scene: Scene) -> str:
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
        expect("cache_size() of the server after flush_cache()", 0, adapter.cache_size(scene.server))
    return f"removals {before} before the flush, {after} after"


def probe_sent_shutdown(scene: Scene) -> str:
    scene.adapter.set_sent_shutdown(scene.need_full().client)
    return "set_sent_shutdown() returned normally on an open connection"


def probe_raw_return(scene: Scene) -> str:
    raw = scene.adapter.set_session_raw(scene.lab.connection(scene.client), scene.session)
    expect(
        "the return value of set_session_raw() with a good session on a new client connection",
        1,
        raw.return_value,
    )
    expect("the error queue after it", (), raw.errors)
    return "1 and an empty error queue for a good session"


def probe_empty_session(scene: Scene) -> str:
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


#: One probe per capability, named by its entry in ``CAPABILITIES`` and run in that table's order.
PROBES: dict[Capability, Callable[[Scene], str]] = {
    capability: globals()[spec.probe] for capability, spec in CAPABILITIES.items()
}
