"""New sessions as a client's new-session callback receives them (BoringSSL, TLS 1.3).

Design: BoringSSL documents that ``SSL_get_session`` returns an unresumable
session once a TLS 1.3 handshake is done, and that a client which wants to
resume must take its sessions from ``SSL_CTX_sess_set_new_cb`` ("using the
callback is required as of TLS 1.3", include/openssl/ssl.h). So that the
battery tests ``SSL_set_session`` and not this documented difference of
``SSL_get_session``, the boringssl adapter keeps the newest session the
callback delivered for each client connection, and ``get_session`` returns it
when, and only when, the connection's own session (``SSL_get1_session``) is
not resumable. The callback's reference is held on the connection's behalf
and dropped when the connection is released, as the connection's own
reference would be.
"""

from __future__ import annotations

import ctypes

from ._api import Api
from ._dialects import P
from ._observers import _kept

__all__ = ["NewSessions"]

# int new_session_cb(SSL *ssl, SSL_SESSION *session): returning 1 takes the reference.
NEW_SESSION = ctypes.CFUNCTYPE(ctypes.c_int, P, P)


class NewSessions:
    """The newest session delivered to each connection's new-session callback."""

    def __init__(self, api: Api) -> None:
        self._api = api
        self._newest: dict[int, int] = {}
        self._on_new = _kept(NEW_SESSION(self._new_callback))

    def watch(self, context: int) -> bool:
        """Install the callback on ``context``; True, as SSL_CTX_sess_set_new_cb returns no status."""
        self._api.ctx_set_new_cb(context, ctypes.cast(self._on_new, P))
        return True

    def resumable_for(self, ssl: int, own_session: int) -> int | None:
        """The delivered session to hand out instead of ``own_session``, if there is reason to."""
        newest = self._newest.get(ssl)
        if newest is None or self._api.session_is_resumable(own_session):
            return None
        return newest

    def forget(self, ssl: int) -> None:
        newest = self._newest.pop(ssl, None)
        if newest is not None:
            self._api.session_free(newest)

    def _new_callback(self, ssl: int | None, session: int | None) -> int:
        if not ssl or not session:
            return 0
        self.forget(ssl)
        self._newest[ssl] = session
        return 1
