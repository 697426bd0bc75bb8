"""The mbedtls adapter of the SSL_set_session() conformance suite: mbedTLS 2.28's own calls through ctypes.

mbedTLS's ``mbedtls_ssl_set_session()`` stands for SSL_set_session() and
``mbedtls_ssl_get_session()`` for SSL_get1_session(); 2.28 has no public
reuse query. The mapping per clause is in ``_mapping`` (and in the results'
facts). Loading and handles are the libssl adapters' (``conformance_libssl.native``).
"""

from ._adapter import MbedtlsAdapter

__all__ = ["MbedtlsAdapter"]
