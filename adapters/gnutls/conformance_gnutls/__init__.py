"""The gnutls adapter of the SSL_set_session() conformance suite: GnuTLS's own calls through ctypes.

GnuTLS has no SSL_set_session(): ``gnutls_session_set_data()`` stands for it,
``gnutls_session_get_data2()`` for SSL_get1_session() and
``gnutls_session_is_resumed()`` for SSL_session_reused(). The mapping per
clause is in ``_mapping`` (and in the results' facts). Loading and handles
are the libssl adapters' (``conformance_libssl.native``).
"""

from ._adapter import GnutlsAdapter

__all__ = ["GnutlsAdapter"]
