"""Named capabilities: what an adapter can observe beyond the black-box core.

Design: every observation a test may need that not every library offers is a
``Capability``. An adapter declares the set it supports; a battery test
declares what it observes with ``@pytest.mark.needs(Capability.X, why=...)``
(read at collection, see ``_needs``); the lab enforces the need right before
the observation, and a missing one ends the test as ``not-observable`` with a
reason naming both the adapter and the capability (the way SQLAlchemy's
dialect requirements and Django's ``DatabaseFeatures`` name what a backend can
do).

One table, ``CAPABILITIES``, holds everything about a capability, one entry
each: its meaning (the glossary the author's guide is generated from), the
contract methods an adapter implements to declare it, and the name of the
probe ``conformance check`` runs on it (the functions are in ``_probes``). The
table's order is the glossary's and the probes' order: a probe may flush a
cache, so none after ``cache-events`` counts one.
"""

from __future__ import annotations

import dataclasses
import enum

__all__ = ["CAPABILITIES", "Capability", "CapabilitySpec"]


class Capability(enum.Enum):
    """An observation an adapter may or may not be able to make."""

    REUSE_FLAG = "reuse-flag"
    SESSION_ID = "session-id"
    SESSION_IDENTITY = "session-identity"
    SESSION_LIFETIME = "session-lifetime"
    CACHE_SIZE = "cache-size"
    CACHE_EVENTS = "cache-events"
    SENT_SHUTDOWN_FLAG = "sent-shutdown-flag"
    RAW_RETURN = "raw-return"
    EMPTY_SESSION = "empty-session"

    @property
    def meaning(self) -> str:
        return CAPABILITIES[self].meaning

    @property
    def adapter_methods(self) -> tuple[str, ...]:
        """The contract methods an adapter implements to declare this capability."""
        return CAPABILITIES[self].methods


@dataclasses.dataclass(frozen=True)
class CapabilitySpec:
    """Everything about one capability."""

    #: The one-line meaning (the glossary).
    meaning: str
    #: The contract methods an adapter implements to declare it.
    methods: tuple[str, ...]
    #: The probe ``conformance check`` runs on it: a function of ``_probes``, by name.
    probe: str


CAPABILITIES: dict[Capability, CapabilitySpec] = {
    Capability.REUSE_FLAG: CapabilitySpec(
        "The library's own report of whether a handshake resumed a session (C: SSL_session_reused).",
        ("session_reused",),
        "probe_reuse_flag",
    ),
    Capability.SESSION_ID: CapabilitySpec(
        "The id of a session, as bytes (C: SSL_SESSION_get_id).", ("session_id",), "probe_session_id"
    ),
    Capability.SESSION_IDENTITY: CapabilitySpec(
        "Whether two session handles are the same session object (C: pointer equality of SSL_SESSION).",
        ("same_session",),
        "probe_session_identity",
    ),
    Capability.SESSION_LIFETIME: CapabilitySpec(
        "When a session object is actually freed (C: an SSL_SESSION ex_data "
        "index whose free callback fires when the object dies).",
        ("track_session",),
        "probe_session_lifetime",
    ),
    Capability.CACHE_SIZE: CapabilitySpec(
        "The number of sessions in a context's session cache (C: SSL_CTX_sess_number).",
        ("cache_size",),
        "probe_cache_size",
    ),
    Capability.CACHE_EVENTS: CapabilitySpec(
        "Sessions removed from a context's cache, as events, and flushing the cache "
        "(C: SSL_CTX_sess_set_remove_cb, SSL_CTX_flush_sessions).",
        ("cache_removals", "flush_cache"),
        "probe_cache_events",
    ),
    Capability.SENT_SHUTDOWN_FLAG: CapabilitySpec(
        "Setting the sent-shutdown state without sending anything "
        "(C: SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN)).",
        ("set_sent_shutdown",),
        "probe_sent_shutdown",
    ),
    Capability.RAW_RETURN: CapabilitySpec(
        "The raw return value of the set call and the error queue it leaves "
        "(C: the int returned by SSL_set_session, ERR_get_error).",
        ("set_session_raw",),
        "probe_raw_return",
    ),
    Capability.EMPTY_SESSION: CapabilitySpec(
        "Making an empty session object that no handshake filled in (C: SSL_SESSION_new).",
        ("make_empty_session",),
        "probe_empty_session",
    ),
}
