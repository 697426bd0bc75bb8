"""The lab: the battery's one way to drive an adapter, writing evidence as it goes.

Design: tests never call the adapter directly. The lab names every handle
(contexts X1.., connections C1.., sessions S1..), logs each call as a step,
moves bytes between the two ends of a handshake in memory, and observes the
wire itself: a full handshake carries the server's leaf certificate, a resumed
one does not, so "did it resume" is known for every adapter, whether or not
the library reports it (the certificate is made large on purpose; see
``_credentials``). The library's own reuse flag is a capability, and the
``reused-flag`` clause checks it against the wire.

Each call is also one entry of the evidence's structured trace
(``evidence.op``; see ``_evidence``), from which reproducers are written.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Mapping
from typing import Any

from ._capabilities import Capability
from ._configs import ProtocolConfig, Side
from ._contract import Adapter, Credentials, RawCall
from ._errors import NotObservable
from ._evidence import Evidence
from ._handshake import MAX_ROUNDS, Handshake, pump

__all__ = ["MAX_ROUNDS", "Handshake", "Lab", "UndeclaredNeed"]

#: ``connect`` sets no session unless given one (``None`` included: that sets "no session").
_NO_SET: Any = object()


class UndeclaredNeed(Exception):
    """A battery test observed a capability it did not declare: a bug of the battery."""


class Lab:
    """Drives one adapter for one test and keeps the evidence."""

    def __init__(
        self,
        adapter: Adapter,
        credentials: Credentials,
        evidence: Evidence,
        prepared: dict[tuple[Side, str], list[Any]] | None = None,
        needs: Mapping[Capability, str] | None = None,
    ) -> None:
        self.adapter = adapter
        self.credentials = credentials
        self.evidence = evidence
        #: Pristine contexts made ahead by a warm parent (``_warmup``), taken in order.
        self._prepared = prepared or {}
        #: The capabilities the test declared (``@pytest.mark.needs``), each with why;
        #: None (the checker, the suite's own tests) lets every capability through.
        self.needs = dict(needs) if needs is not None else None
        self._labels: dict[int, str] = {}
        self._keep: list[Any] = []  # labelled handles stay alive so ids are not reused
        self._counters: dict[str, int] = {}

    # -- capabilities ------------------------------------------------------------
    def _gate(self, capability: Capability) -> None:
        """Right before an observation: the test declared the need, and the adapter has it.

        An undeclared need is a bug of the battery (``UndeclaredNeed``, an error);
        a declared one the adapter lacks ends the test as not-observable.
        """
        if self.needs is not None and capability not in self.needs:
            raise UndeclaredNeed(
                f"the test observes {capability.value!r} without declaring it: add "
                f"@pytest.mark.needs(Capability.{capability.name}, why=...) to the test"
            )
        if capability not in self.adapter.capabilities:
            why = (self.needs or {}).get(capability) or "this test"
            raise NotObservable(
                f"adapter {self.adapter.name!r} lacks capability {capability.value!r} "
                f"({capability.meaning}), needed to observe {why}"
            )

    # -- naming ------------------------------------------------------------------
    def label(self, handle: Any) -> str:
        return self._labels.get(id(handle), "?") if handle is not None else "no session"

    def _name(self, handle: Any, prefix: str) -> str:
        number = self._counters.get(prefix, 0) + 1
        self._counters[prefix] = number
        label = f"{prefix}{number}"
        self._labels[id(handle)] = label
        return label

    # -- contexts and connections ------------------------------------------------
    def context(self, side: Side, config: ProtocolConfig) -> Any:
        entry = self.evidence.op("context", side=side.value, config=config.id)
        ahead = self._prepared.get((side, config.id))
        context = ahead.pop(0) if ahead else self.adapter.make_context(side, config, self.credentials)
        label = entry.made = self._name(context, "X")
        self.evidence.did(f"made {side.value} context {label} ({config.id})")
        return context

    def server(self, config: ProtocolConfig) -> Any:
        return self.context(Side.SERVER, config)

    def client(self, config: ProtocolConfig) -> Any:
        return self.context(Side.CLIENT, config)

    def connection(self, context: Any) -> Any:
        entry = self.evidence.op("connection", context=self.label(context))
        connection = self.adapter.make_connection(context)
        label = entry.made = self._name(connection, "C")
        self.evidence.did(f"made connection {label} of {self.label(context)}")
        return connection

    # -- the API under test ------------------------------------------------------
    def set_session(self, connection: Any, session: Any, named: str = "") -> None:
        """Set ``session`` (or whatever ``named`` describes) on ``connection``."""
        what = f"set {named or self._session_words(session)} on {self.label(connection)}"
        self.evidence.did(what)
        entry = self.evidence.op("set_session", connection=self.label(connection), **self._arg(session))
        self.adapter.set_session(connection, session)
        entry.result = "accepted"

    def _arg(self, session: Any) -> dict[str, Any]:
        """The session argument for the trace: a label, None, or what else it was."""
        if session is None or id(session) in self._labels:
            return {"session": None if session is None else self.label(session)}
        return {"session": "?", "not_a_handle": type(session).__name__}

    def _session_words(self, session: Any) -> str:
        return "no session" if session is None else f"session {self.label(session)}"

    def set_session_raw(self, connection: Any, session: Any, named: str = "") -> RawCall:
        self._gate(Capability.RAW_RETURN)
        entry = self.evidence.op("set_session_raw", connection=self.label(connection), **self._arg(session))
        raw = self.adapter.set_session_raw(connection, session)
        queue = "; ".join(raw.errors) or "empty"
        entry.returned(
            [raw.return_value, list(raw.errors)],
            f"{raw.return_value} with error queue: {queue}",
            return_value=raw.return_value,
            errors=list(raw.errors),
        )
        self.evidence.did(
            f"set {named or self._session_words(session)} on {self.label(connection)} (raw): "
            f"returned {raw.return_value}, error queue {queue}"
        )
        return raw

    def empty_session(self) -> Any:
        self._gate(Capability.EMPTY_SESSION)
        entry = self.evidence.op("empty_session")
        session = self.adapter.make_empty_session()
        entry.made = self._name(session, "S")
        self.evidence.did(f"made an empty session {entry.made}")
        self._keep.append(session)
        return session

    def get_session(self, connection: Any) -> Any:
        entry = self.evidence.op("get_session", connection=self.label(connection))
        session = self.adapter.get_session(connection)
        if session is None:
            entry.returned(None, "no session", present=False)
            self.evidence.did(f"got no session from {self.label(connection)}")
            return None
        label = entry.made = self._name(session, "S")
        entry.returned(label, present=True)
        self._keep.append(session)
        self.evidence.did(f"got session {label} from {self.label(connection)}")
        return session

    def release(self, handle: Any) -> None:
        """Release the caller's handle; the caller must drop its own reference too."""
        self.evidence.did(f"released the caller's handle of {self.label(handle)}")
        self.evidence.op("release", handle=self.label(handle))
        self._keep = [kept for kept in self._keep if kept is not handle]
        self.adapter.release(handle)

    def collect_garbage(self) -> None:
        self.evidence.op("collect_garbage")
        gc.collect()
        self.evidence.did("collected garbage")

    def shutdown(self, connection: Any) -> None:
        self.evidence.did(f"sent shutdown on {self.label(connection)}")
        self.evidence.op("shutdown", connection=self.label(connection))
        self.adapter.shutdown(connection)

    def set_sent_shutdown(self, connection: Any) -> None:
        self._gate(Capability.SENT_SHUTDOWN_FLAG)
        self.evidence.did(f"set the sent-shutdown flag on {self.label(connection)}")
        self.evidence.op("set_sent_shutdown", connection=self.label(connection))
        self.adapter.set_sent_shutdown(connection)

    # -- handshakes --------------------------------------------------------------
    def handshake(self, client: Any, server: Any, exchange: bool = True) -> Handshake:
        """Run a handshake in memory, then (``exchange``) data, so that tickets are read."""
        entry = self.evidence.op(
            "handshake", client=self.label(client), server=self.label(server), exchange=exchange
        )
        result = pump(
            self.adapter,
            client,
            server,
            exchange=exchange,
            leaf_der_length=self.credentials.leaf_der_length,
            label=self.label,
        )
        entry.returned(result.describe(), resumed=result.resumed_on_wire, server_bytes=result.server_bytes)
        self.evidence.did(f"handshake {self.label(client)} with {self.label(server)}: {result.describe()}")
        return result

    def connect(self, client_context: Any, server_context: Any, session: Any = _NO_SET) -> Handshake:
        """New connections of both contexts; set ``session`` on the client if given; handshake.

        A session given is always set, ``None`` included ("no session"), and the
        set is a step of the evidence: nothing is skipped silently.
        """
        client = self.connection(client_context)
        server = self.connection(server_context)
        if session is not _NO_SET:
            self.set_session(client, session)
        return self.handshake(client, server)

    def fresh_session(self, client_context: Any, server_context: Any) -> Any:
        """A session from a full handshake; its connections are shut down and released.

        Only the caller's handle holds the session afterwards (and, in libraries that
        cache on the client, the client context's cache). A library that gives no
        session after a full handshake ends the test as not-observable (a precondition).
        """
        handshake = self.connect(client_context, server_context)
        session = self.held_session(handshake.client, "the client after a full handshake")
        self.close(handshake)
        return session

    def held_session(self, connection: Any, whose: str) -> Any:
        """The session ``connection`` holds; if none, the test cannot go on (not-observable)."""
        session = self.get_session(connection)
        self.require(session is not None, f"{whose} holds a session", "no session")
        return session

    def resumable_session(self, client_context: Any, server_context: Any) -> Any:
        """A fresh session shown to resume on its own (set on a new connection, same server).

        For tests whose clause is not ``use`` but that need a resumption to work:
        a library whose sessions do not resume at all ends them not-observable,
        and only ``use`` says it fails.
        """
        session = self.fresh_session(client_context, server_context)
        handshake = self.connect(client_context, server_context, session=session)
        self.require_resumed(handshake, "the session resumes on its own, before the test's own steps")
        self.close(handshake)
        return session

    def close(self, handshake: Handshake) -> None:
        """Shut both ends of a handshake down and release them."""
        for connection in (handshake.client, handshake.server):
            self.shutdown(connection)
            self.release(connection)

    # -- observations with a capability ------------------------------------------
    def reused(self, connection: Any) -> bool:
        self._gate(Capability.REUSE_FLAG)
        entry = self.evidence.op("reused", connection=self.label(connection))
        value = entry.returned(self.adapter.session_reused(connection))
        self.evidence.did(f"reuse flag of {self.label(connection)}: {value}")
        return value

    def session_id(self, session: Any) -> bytes:
        self._gate(Capability.SESSION_ID)
        entry = self.evidence.op("session_id", session=self.label(session))
        value = entry.returned(self.adapter.session_id(session))
        self.evidence.did(f"id of {self.label(session)}: {value.hex() or '(empty)'}")
        return value

    def same_session(self, a: Any, b: Any) -> bool:
        self._gate(Capability.SESSION_IDENTITY)
        entry = self.evidence.op("same_session", a=self.label(a), b=self.label(b))
        value = entry.returned(self.adapter.same_session(a, b))
        self.evidence.did(f"{self.label(a)} and {self.label(b)} are the same object: {value}")
        return value

    def cache(self, context: Any) -> tuple[int, int]:
        """The context's cache: (sessions in it, removals so far)."""
        self._gate(Capability.CACHE_SIZE)
        self._gate(Capability.CACHE_EVENTS)
        entry = self.evidence.op("cache", context=self.label(context))
        size, removals = self.adapter.cache_size(context), self.adapter.cache_removals(context)
        entry.returned((size, removals))
        self.evidence.did(f"cache of {self.label(context)}: {size} sessions, {removals} removals")
        return size, removals

    def flush_cache(self, context: Any) -> None:
        self._gate(Capability.CACHE_EVENTS)
        self.evidence.did(f"flushed the cache of {self.label(context)}")
        self.evidence.op("flush_cache", context=self.label(context))
        self.adapter.flush_cache(context)

    def track(self, session: Any) -> Callable[[], bool]:
        """A probe that answers whether ``session`` was freed.

        The gate is the probe's first answer, not this call: tracking must start
        before the documented calls, and a refused call must end ``refused``
        even where the adapter cannot tell when a session is freed.
        """
        capability = Capability.SESSION_LIFETIME
        if self.needs is not None and capability not in self.needs:
            self._gate(capability)  # an undeclared need: fail now, whatever the adapter has
        if capability not in self.adapter.capabilities:
            self.evidence.did(f"cannot track when {self.label(session)} is freed (asked later)")

            def unobservable() -> bool:
                self._gate(capability)
                return False  # not reached: the gate raises

            return unobservable
        entry = self.evidence.op("track", session=self.label(session))
        probe = self.adapter.track_session(session)
        self.evidence.did(f"tracking when {self.label(session)} is freed")
        entry.made = label = f"freed({self.label(session)})"

        def freed() -> bool:
            return self.evidence.op("freed", probe=label).returned(probe())

        return freed

    # -- checks --------------------------------------------------------------------
    def expect_resumed(self, handshake: Handshake, what: str) -> None:
        self.evidence.check_that(what, handshake.resumed_on_wire, "a resumed handshake", handshake.describe())

    def expect_full(self, handshake: Handshake, what: str) -> None:
        self.evidence.check_that(
            what, not handshake.resumed_on_wire, "a full handshake", handshake.describe()
        )

    def require(self, holds: bool, what: str, observed: str) -> None:
        """A precondition of the test, not the clause: if it fails, the clause cannot be judged.

        That ends the test as not-observable, with what was seen; it is no verdict.
        """
        if not holds:
            raise NotObservable(
                f"precondition not met, so the clause cannot be judged this way with adapter "
                f"{self.adapter.name!r}: {what}; observed {observed} "
                f"(evidence step {len(self.evidence.steps)}: {self._last_step()})"
            )
        self.evidence.did(f"precondition holds: {what}")

    def require_resumed(self, handshake: Handshake, what: str) -> None:
        self.require(
            handshake.resumed_on_wire, f"{what} (expected a resumed handshake)", handshake.describe()
        )

    def require_full(self, handshake: Handshake, what: str) -> None:
        self.require(
            not handshake.resumed_on_wire, f"{what} (expected a full handshake)", handshake.describe()
        )

    def _last_step(self) -> str:
        return self.evidence.steps[-1] if self.evidence.steps else "before the first step"

    def check(self, what: str, expected: Any, observed: Any) -> None:
        self.evidence.check(what, expected, observed)
