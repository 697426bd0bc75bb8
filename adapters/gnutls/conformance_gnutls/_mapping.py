"""The gnutls adapter's mapping: per clause, the GnuTLS call that stands for SSL_set_session().

Design: data only, shown in the results' facts and in every report cell of
the clause (and in the README's table, which says the same). Each entry names
the call and what the substitution means for what can be judged.
"""

from __future__ import annotations

from conformance import CallMapping

__all__ = ["MAPPING", "NOTES"]

_SET = "gnutls_session_set_data"
_GET = "gnutls_session_get_data2"

MAPPING = (
    CallMapping(
        "use",
        f"{_SET}(session, data, size) before gnutls_handshake",
        "The client's gnutls_session_t offers the session the data describe; whether it resumed is "
        "read from the wire (and from gnutls_session_is_resumed).",
    ),
    CallMapping(
        "get",
        f"{_GET}(session, &datum)",
        "GnuTLS hands out a fresh serialization of the connection's session on every call; before a "
        "handshake it returns an error (no protocol version yet), which the adapter reports as no session.",
    ),
    CallMapping(
        "client-only",
        f"{_SET} on a gnutls_session_t made with GNUTLS_SERVER",
        "The same call on a server-side session; the battery judges what it does to the handshake.",
    ),
    CallMapping(
        "ref-taken",
        _SET,
        "GnuTLS copies the serialized data (it unpacks them and keeps its own copy): there is no session "
        "object and no reference to count, so only the black-box test (release the caller's copy, then "
        "resume) can run; the lifetime tests are not-observable.",
    ),
    CallMapping(
        "ref-dropped-on-miss",
        f"{_SET}, then {_GET} after the declined handshake",
        "No reference is held (the data are copied), so there is none to drop: the black-box tests (the "
        "caller's data still resume; the connection holds a new session) run, the lifetime test is "
        "not-observable.",
    ),
    CallMapping(
        "reused-flag",
        "gnutls_session_is_resumed(session)",
        "GnuTLS's own reuse query, on the client and on the server.",
    ),
    CallMapping(
        "replace",
        f"{_SET} twice",
        "The second call unpacks the newer data over the first and frees GnuTLS's copy of the older; "
        "which one is offered is read from the wire. Lifetime not-observable (a copy, no object).",
    ),
    CallMapping(
        "replace-after-use",
        f"{_SET} on a gnutls_session_t that already made a handshake (after gnutls_bye)",
        f"The connection's session is then read back with {_GET}.",
    ),
    CallMapping(
        "bad-if-open",
        f"{_SET} on an open client or server gnutls_session_t",
        "GnuTLS has no notion of a session made bad by replacement; the server's session cache is the "
        "application's database (gnutls_db_set_*_function), which GnuTLS fills and reads and empties "
        "only on gnutls_db_remove_session: the wire shows whether the old session resumes. Cache counts "
        "are not-observable (the storage is the adapter's).",
    ),
    CallMapping(
        "one-context",
        f"{_SET} with data from a session of another context",
        "GnuTLS has no context object that owns sessions: a context here is a credentials structure plus "
        "settings applied to each gnutls_session_t. Clients keep no cache and GnuTLS has no flush call, so "
        "the flush tests are not-observable.",
    ),
    CallMapping(
        "return-value",
        f"{_SET} returns 0 (GNUTLS_E_SUCCESS) or a negative error code",
        "There is no error queue: success is a normal return, a negative code is refused with "
        "gnutls_strerror's text. raw-return is not declared (its 1/0 and error-queue convention is "
        "OpenSSL's), nor empty-session (GnuTLS has no session object). Values that are not session data "
        "never reach the library (a C compiler rejects them): the adapter refuses them.",
    ),
    CallMapping(
        "clear-with-null",
        f"{_SET}(session, NULL, 0)",
        "GnuTLS offers no other call to clear the data set for resumption; it rejects NULL with "
        "GNUTLS_E_INVALID_REQUEST (lib/session.c).",
    ),
)

NOTES = (
    "A session is serialized session data (gnutls_session_get_data2), copied into a handle of the "
    "caller's own; gnutls_session_set_data copies them again into the connection",
    "A context is the adapter's: a gnutls_certificate_credentials_t plus what each gnutls_session_t of it "
    "gets (priority string pinning the version, the server's ticket key and session database, the client's "
    "CA and name to verify); credentials are freed with the last connection of a released context, since "
    "GnuTLS keeps a pointer to them, not a reference",
    "tickets off: the client is made with GNUTLS_NO_TICKETS and the server gets no ticket key; "
    "server_cache on: the server's session database is a dict per context that GnuTLS fills, reads and "
    "empties through gnutls_db_set_store/retrieve/remove_function (the retrieve callback returns a "
    "gnutls_datum_t by value, which ctypes callbacks cannot: it is a libffi closure)",
    "Transport in memory: push and pull callbacks over byte buffers, GNUTLS_NONBLOCK, EAGAIN through "
    "gnutls_transport_set_errno; certificate compression is off (GnuTLS's default)",
)
