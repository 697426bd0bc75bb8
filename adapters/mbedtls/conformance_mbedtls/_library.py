"""mbedTLS 2.28 (Debian's libmbedtls14): where it is, its calls with their C types, its numbers.

Design: the calls are a ``Dialect`` of the libssl adapters' machinery, resolved
once by ``Api``. libmbedtls is opened by its Debian soname; the X.509 calls
resolve through its own dependency scope (libmbedx509), the version and
error-text calls in libmbedcrypto. The numbers are mbedTLS 2.28's public
constants (``mbedtls/ssl.h``, ``mbedtls/cipher.h``).

Struct sizes: mbedTLS makes the caller allocate its structures, whose sizes
are in the headers only (``libmbedtls-dev``), which a user's machine need
not have. The adapter allocates ``STRUCT_BYTES`` zeroed bytes for each, far
more than any of them takes in 2.28 on a 64-bit machine (measured with the
headers: mbedtls_ssl_context 736, mbedtls_ssl_config 416,
mbedtls_ssl_session 160, mbedtls_x509_crt 616, mbedtls_pk_context 16,
mbedtls_ssl_cache_context 64, mbedtls_ssl_ticket_context 280); the library
writes only within its own ``sizeof``. The adapter's tests check the bound
against the headers where they and a C compiler are present.
"""

from __future__ import annotations

import ctypes
from ctypes import c_char_p, c_int, c_size_t, c_uint32, c_void_p
from typing import Any

from conformance_libssl.native import (
    Api,
    Dialect,
    Fn,
    Library,
    P,
    build_from_environment,
    debian_multiarch_dir,
    open_packaged,
    open_single_build,
)

__all__ = ["BUILD_VARIABLE", "DIALECT", "STRUCT_BYTES", "open_mbedtls"]

PACKAGE = "libmbedtls14"
#: Names a build of mbedTLS (its libmbedtls) to load instead of Debian's.
BUILD_VARIABLE = "CONFORMANCE_MBEDTLS"
FILES = (("libmbedtls.so.14", PACKAGE), ("libmbedcrypto.so.7", "libmbedcrypto7"))
#: Bytes allocated per mbedTLS structure (see the module docstring).
STRUCT_BYTES = 4096

# mbedtls/ssl.h
MBEDTLS_SSL_IS_CLIENT = 0
MBEDTLS_SSL_IS_SERVER = 1
MBEDTLS_SSL_TRANSPORT_STREAM = 0
MBEDTLS_SSL_PRESET_DEFAULT = 0
MBEDTLS_SSL_VERIFY_REQUIRED = 2
MBEDTLS_SSL_MAJOR_VERSION_3 = 3
MBEDTLS_SSL_MINOR_VERSION_3 = 3  # TLS 1.2
MBEDTLS_SSL_SESSION_TICKETS_DISABLED = 0
MBEDTLS_SSL_SESSION_TICKETS_ENABLED = 1
MBEDTLS_ERR_SSL_WANT_READ = -0x6900
MBEDTLS_ERR_SSL_WANT_WRITE = -0x6880
MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY = -0x7880
# mbedtls/cipher.h
MBEDTLS_CIPHER_AES_256_GCM = 16
TICKET_LIFETIME_SECONDS = 86400

# int f_rng(void *, unsigned char *, size_t); int send(void *, const unsigned char *, size_t);
# int recv(void *, unsigned char *, size_t)
RNG = ctypes.CFUNCTYPE(c_int, P, P, c_size_t)
SEND = ctypes.CFUNCTYPE(c_int, P, P, c_size_t)
RECV = ctypes.CFUNCTYPE(c_int, P, P, c_size_t)

DIALECT = Dialect(
    "mbedTLS",
    {
        "version_get_string": Fn("mbedtls_version_get_string", None, (c_char_p,)),
        "strerror": Fn("mbedtls_strerror", None, (c_int, c_char_p, c_size_t)),
        "config_init": Fn("mbedtls_ssl_config_init", None, (P,)),
        "config_defaults": Fn("mbedtls_ssl_config_defaults", c_int, (P, c_int, c_int, c_int)),
        "config_free": Fn("mbedtls_ssl_config_free", None, (P,)),
        "conf_rng": Fn("mbedtls_ssl_conf_rng", None, (P, RNG, P)),
        "conf_min_version": Fn("mbedtls_ssl_conf_min_version", None, (P, c_int, c_int)),
        "conf_max_version": Fn("mbedtls_ssl_conf_max_version", None, (P, c_int, c_int)),
        "conf_authmode": Fn("mbedtls_ssl_conf_authmode", None, (P, c_int)),
        "conf_ca_chain": Fn("mbedtls_ssl_conf_ca_chain", None, (P, P, P)),
        "conf_own_cert": Fn("mbedtls_ssl_conf_own_cert", c_int, (P, P, P)),
        "conf_session_tickets": Fn("mbedtls_ssl_conf_session_tickets", None, (P, c_int)),
        "conf_session_tickets_cb": Fn("mbedtls_ssl_conf_session_tickets_cb", None, (P, P, P, P)),
        "conf_session_cache": Fn("mbedtls_ssl_conf_session_cache", None, (P, P, P, P)),
        "cache_init": Fn("mbedtls_ssl_cache_init", None, (P,)),
        "cache_free": Fn("mbedtls_ssl_cache_free", None, (P,)),
        "cache_get": Fn("mbedtls_ssl_cache_get", c_int, (P, P)),
        "cache_set": Fn("mbedtls_ssl_cache_set", c_int, (P, P)),
        "ticket_init": Fn("mbedtls_ssl_ticket_init", None, (P,)),
        "ticket_setup": Fn("mbedtls_ssl_ticket_setup", c_int, (P, RNG, P, c_int, c_uint32)),
        "ticket_free": Fn("mbedtls_ssl_ticket_free", None, (P,)),
        "ticket_write": Fn("mbedtls_ssl_ticket_write", c_int, (P, P, P, P, P, P)),
        "ticket_parse": Fn("mbedtls_ssl_ticket_parse", c_int, (P, P, P, c_size_t)),
        "crt_init": Fn("mbedtls_x509_crt_init", None, (P,)),
        "crt_parse_file": Fn("mbedtls_x509_crt_parse_file", c_int, (P, c_char_p)),
        "crt_free": Fn("mbedtls_x509_crt_free", None, (P,)),
        "pk_init": Fn("mbedtls_pk_init", None, (P,)),
        "pk_parse_keyfile": Fn("mbedtls_pk_parse_keyfile", c_int, (P, c_char_p, c_char_p)),
        "pk_free": Fn("mbedtls_pk_free", None, (P,)),
        "ssl_init": Fn("mbedtls_ssl_init", None, (P,)),
        "ssl_setup": Fn("mbedtls_ssl_setup", c_int, (P, P)),
        "ssl_free": Fn("mbedtls_ssl_free", None, (P,)),
        "set_hostname": Fn("mbedtls_ssl_set_hostname", c_int, (P, c_char_p)),
        "set_bio": Fn("mbedtls_ssl_set_bio", None, (P, P, SEND, RECV, P)),
        "handshake": Fn("mbedtls_ssl_handshake", c_int, (P,)),
        "write": Fn("mbedtls_ssl_write", c_int, (P, c_char_p, c_size_t)),
        "read": Fn("mbedtls_ssl_read", c_int, (P, P, c_size_t)),
        "shutdown": Fn("mbedtls_ssl_close_notify", c_int, (P,)),
        "set_session": Fn("mbedtls_ssl_set_session", c_int, (P, P)),
        "get_session": Fn("mbedtls_ssl_get_session", c_int, (P, P)),
        "session_init": Fn("mbedtls_ssl_session_init", None, (P,)),
        "session_free": Fn("mbedtls_ssl_session_free", None, (P,)),
    },
)


def open_mbedtls() -> tuple[Library, Api]:
    """The build ``BUILD_VARIABLE`` names (a libmbedtls), else Debian's libmbedtls and libmbedcrypto.

    A build's libmbedtls reaches its own libmbedcrypto and libmbedx509 through its
    dependencies, so its one handle serves the calls of all three.
    """
    build = build_from_environment(BUILD_VARIABLE)
    if build is not None:
        library = open_single_build(build, "mbedtls_ssl_set_session")
    else:
        tls, crypto = (open_packaged(debian_multiarch_dir() / name, package) for name, package in FILES)
        library = Library(tls, crypto)
    return library, Api(DIALECT, library)


def address_of(function: Any) -> int:
    """The C address of a resolved function (to hand to a call that takes a function pointer)."""
    return ctypes.cast(function, c_void_p).value or 0
