"""Named capabilities: what an adapter can observe beyond the black-box core.

Design: every observation a test may need that not every library offers is a
``Capability``. An adapter declares the set it supports; a battery test
declares what it observes with ``@pytest.mark.needs(Capability.X, why=...)``
(read at collection, see ``_needs``); the lab enforces the need right before
the observation, and a missing one ends the test as ``not-observable`` with a
reason naming both the adapter and the capability (the way SQLAlchemy's
dialect requirements and Django's ``DatabaseFeatures`` name what a backend can
do). ``_MEANINGS`` is the glossary the author's guide is generated from.
"""

from __future__ import annotations

import enum

__all__ = ["Capability"]


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
        return _MEANINGS[self]

    @property
    def adapter_methods(self) -> tuple[str, ...]:
        """The contract methods an adapter implements to declare this capability."""
        return _METHODS[self]


# The one-line meaning of each capability (the glossary).
_MEANINGS: dict[Capability, str] = {
    Capability.REUSE_FLAG: (
        "The library's own report of whether a handshake resumed a session (C: SSL_session_reused)."
    ),
    Capability.SESSION_ID: "The id of a session, as bytes (C: SSL_SESSION_get_id).",
    Capability.SESSION_IDENTITY: (
        "Whether two session handles are the same session object (C: pointer equality of SSL_SESSION)."
    ),
    Capability.SESSION_LIFETIME: (
        "When a session object is actually freed (C: an SSL_SESSION ex_data "
        "index whose free callback fires when the object dies)."
    ),
    Capability.CACHE_SIZE: ("The number of sessions in a context's session cache (C: SSL_CTX_sess_number)."),
    Capability.CACHE_EVENTS: (
        "Sessions removed from a context's cache, as events, and flushing the cache "
        "(C: SSL_CTX_sess_set_remove_cb, SSL_CTX_flush_sessions)."
    ),
    Capability.SENT_SHUTDOWN_FLAG: (
        "Setting the sent-shutdown state without sending anything "
        "(C: SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN))."
    ),
    Capability.RAW_RETURN: (
        "The raw return value of the set call and the error queue it leaves "
        "(C: the int returned by SSL_set_session, ERR_get_error)."
    ),
    Capability.EMPTY_SESSION: (
        "Making an empty session object that no handshake filled in (C: SSL_SESSION_new)."
    ),
}

_METHODS: dict[Capability, tuple[str, ...]] = {
    Capability.REUSE_FLAG: ("session_reused",),
    Capability.SESSION_ID: ("session_id",),
    Capability.SESSION_IDENTITY: ("same_session",),
    Capability.SESSION_LIFETIME: ("track_session",),
    Capability.CACHE_SIZE: ("cache_size",),
    Capability.CACHE_EVENTS: ("cache_removals", "flush_cache"),
    Capability.SENT_SHUTDOWN_FLAG: ("set_sent_shutdown",),
    Capability.RAW_RETURN: ("set_session_raw",),
    Capability.EMPTY_SESSION: ("make_empty_session",),
}
