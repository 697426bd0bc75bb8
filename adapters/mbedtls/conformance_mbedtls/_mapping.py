"""The mbedtls adapter's mapping: per clause, the mbedTLS call that stands for SSL_set_session().

Design: data only, shown in the results' facts and in every report cell of
the clause (and in the README's table, which says the same).
"""

from __future__ import annotations

from conformance import CallMapping

__all__ = ["MAPPING", "NOTES", "TLS13_REASON"]

_SET = "mbedtls_ssl_set_session"
_GET = "mbedtls_ssl_get_session"

TLS13_REASON = (
    "mbedTLS 2.28 has no TLS 1.3 handshake, so nothing to resume: its only TLS 1.3 code is the key "
    "schedule (library/ssl_tls13_keys.c) behind MBEDTLS_SSL_PROTO_TLS1_3_EXPERIMENTAL, 'not part of the "
    "public API', which Debian's build leaves off (tls_version)"
)

MAPPING = (
    CallMapping(
        "use",
        f"{_SET}(ssl, session) before mbedtls_ssl_handshake",
        "mbedTLS copies the session into the one being negotiated (mbedtls_ssl_session_copy) and marks "
        "the handshake as a resumption attempt; the wire tells whether it resumed. TLS 1.2 only: tls13 is "
        "not-observable (mbedTLS 2.28 has no TLS 1.3 handshake).",
    ),
    CallMapping(
        "get",
        f"{_GET}(ssl, dst)",
        "Copies the connection's current session into an mbedtls_ssl_session of the caller's own. Before "
        "a handshake there is none (MBEDTLS_ERR_SSL_BAD_INPUT_DATA), which the adapter reports as no "
        "session; on a server it always fails so (clients only).",
    ),
    CallMapping(
        "client-only",
        f"{_SET} on an mbedtls_ssl_context of a server config",
        "mbedTLS accepts the call on clients only; on a server it returns MBEDTLS_ERR_SSL_BAD_INPUT_DATA, "
        "a refusal the clause allows.",
    ),
    CallMapping(
        "ref-taken",
        _SET,
        "A copy, not a reference: the caller keeps and frees its own mbedtls_ssl_session "
        "(mbedtls_ssl_session_free), and nothing is reference-counted, so only the black-box test "
        "(free the caller's, then resume) can run; the lifetime tests are not-observable.",
    ),
    CallMapping(
        "ref-dropped-on-miss",
        f"{_SET}, then {_GET} after the declined handshake",
        "No reference is held, so none is dropped: the black-box tests run, the lifetime test is "
        "not-observable.",
    ),
    CallMapping(
        "reused-flag",
        "none (mbedTLS 2.28 has no public reuse query)",
        "Whether the handshake resumed is private state (ssl->handshake->resume), freed with the "
        "handshake: the reuse flag is not-observable; the wire still shows resumption in every clause.",
    ),
    CallMapping(
        "replace",
        f"{_SET} twice",
        "The second copy replaces the first in the session being negotiated (mbedtls_ssl_session_copy "
        "frees the earlier contents); which one is offered is read from the wire.",
    ),
    CallMapping(
        "replace-after-use",
        f"{_SET} on an mbedtls_ssl_context that finished a handshake (after close_notify)",
        "Once a handshake is over the context has no session being negotiated (ssl->session_negotiate is "
        "NULL) until mbedtls_ssl_session_reset, which resets the whole connection and which the adapter "
        "does not call on its own: the set is refused with MBEDTLS_ERR_SSL_BAD_INPUT_DATA.",
    ),
    CallMapping(
        "bad-if-open",
        f"{_SET} on an open (or a shut-down) connection; {_GET} on a server",
        "A set after the handshake is refused as in replace-after-use, and both calls are for clients only, "
        "so no session can be replaced on an open connection; the server's cache is the library's own "
        "mbedtls_ssl_cache, with no public count or removal call in 2.28, so the cache tests are "
        "not-observable.",
    ),
    CallMapping(
        "one-context",
        f"{_SET} with a session of another mbedtls_ssl_config's connection",
        "Sessions are plain structures, not tied to a config; clients keep no cache and 2.28 has no call "
        "to flush the server's, so the flush tests are not-observable.",
    ),
    CallMapping(
        "return-value",
        f"{_SET} returns 0 or a negative MBEDTLS_ERR_* code",
        "There is no error queue: success is a normal return, a negative code is refused with "
        "mbedtls_strerror's text. raw-return is not declared (its 1/0 and error-queue convention is "
        "OpenSSL's). empty-session: an mbedtls_ssl_session after mbedtls_ssl_session_init. Values that "
        "are not sessions never reach the library (a C compiler rejects them): the adapter refuses them.",
    ),
    CallMapping(
        "clear-with-null",
        f"{_SET}(ssl, NULL)",
        "mbedTLS rejects NULL with MBEDTLS_ERR_SSL_BAD_INPUT_DATA; its only other way to drop the session "
        "is mbedtls_ssl_session_reset, which resets the whole connection, so the adapter does not use it.",
    ),
)

NOTES = (
    "A session is an mbedtls_ssl_session of the caller's own: mbedtls_ssl_get_session copies the "
    "connection's into it, mbedtls_ssl_set_session copies it into the connection",
    "A context is an mbedtls_ssl_config with what it points to (certificate and key or CA chain; on a "
    "server the library's own mbedtls_ssl_cache when server_cache is on and an mbedtls_ssl_ticket key when "
    "tickets are on); it is freed with the last connection of a released context, since an "
    "mbedtls_ssl_context keeps a pointer to its config, not a reference",
    "tickets off: the client config gets MBEDTLS_SSL_SESSION_TICKETS_DISABLED and the server no ticket "
    "callbacks; tls_version 1.2: mbedtls_ssl_conf_min_version and max_version 3.3",
    "Structures are caller-allocated: 4096 zeroed bytes each, above every 2.28 sizeof on 64-bit machines "
    "(measured with libmbedtls-dev's headers; the largest, mbedtls_ssl_context, is 736), so the headers "
    "are not needed at run time",
    "Random numbers from os.urandom through mbedtls_ssl_conf_rng (and mbedtls_ssl_ticket_setup), not "
    "mbedTLS's entropy and CTR-DRBG modules",
    "Transport in memory: send and receive callbacks over byte buffers (mbedtls_ssl_set_bio), "
    "MBEDTLS_ERR_SSL_WANT_READ when empty",
)
