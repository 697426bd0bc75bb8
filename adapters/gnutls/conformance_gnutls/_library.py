"""GnuTLS 3.x (Debian's libgnutls30): where it is, its calls with their C types, its numbers.

Design: the calls are a ``Dialect`` of the libssl adapters' machinery (a table
of ``Fn`` entries resolved once by ``Api``, so a missing symbol is a clear
``LibraryUnavailable`` at load time). The numbers are GnuTLS's public
constants (``gnutls/gnutls.h``), the same since 3.6.
"""

from __future__ import annotations

import ctypes
from ctypes import POINTER, c_char_p, c_int, c_size_t, c_ssize_t, c_uint

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

__all__ = ["BUILD_VARIABLE", "DIALECT", "Datum", "open_gnutls"]

PACKAGE = "libgnutls30"
SONAME = "libgnutls.so.30"
#: Names a build of GnuTLS to load instead of Debian's (``conformance run gnutls --library PATH``).
BUILD_VARIABLE = "CONFORMANCE_GNUTLS"

# gnutls_init flags, credential and name types, formats, shutdown (gnutls/gnutls.h).
GNUTLS_SERVER = 1
GNUTLS_CLIENT = 1 << 1
GNUTLS_NONBLOCK = 1 << 3
GNUTLS_NO_TICKETS = 1 << 10
GNUTLS_CRD_CERTIFICATE = 1
GNUTLS_NAME_DNS = 1
GNUTLS_X509_FMT_PEM = 1
GNUTLS_SHUT_WR = 1
# Error codes.
GNUTLS_E_SUCCESS = 0
GNUTLS_E_AGAIN = -28
GNUTLS_E_INTERRUPTED = -52
GNUTLS_E_INVALID_REQUEST = -50
EAGAIN = 11


class Datum(ctypes.Structure):
    """gnutls_datum_t: {unsigned char *data; unsigned int size}."""

    _fields_ = [("data", P), ("size", c_uint)]


# ssize_t push(gnutls_transport_ptr_t, const void *, size_t); pull(ptr, void *, size_t);
# int pull_timeout(ptr, unsigned int ms)
PUSH = ctypes.CFUNCTYPE(c_ssize_t, P, P, c_size_t)
PULL = ctypes.CFUNCTYPE(c_ssize_t, P, P, c_size_t)
PULL_TIMEOUT = ctypes.CFUNCTYPE(c_int, P, c_uint)
# int store(void *ptr, gnutls_datum_t key, gnutls_datum_t data); int remove(void *ptr, gnutls_datum_t key)
DB_STORE = ctypes.CFUNCTYPE(c_int, P, Datum, Datum)
DB_REMOVE = ctypes.CFUNCTYPE(c_int, P, Datum)

DIALECT = Dialect(
    "GnuTLS",
    {
        "check_version": Fn("gnutls_check_version", c_char_p, (c_char_p,)),
        "strerror": Fn("gnutls_strerror", c_char_p, (c_int,)),
        "cred_allocate": Fn("gnutls_certificate_allocate_credentials", c_int, (POINTER(P),)),
        "cred_free": Fn("gnutls_certificate_free_credentials", None, (P,)),
        "cred_key_file": Fn("gnutls_certificate_set_x509_key_file", c_int, (P, c_char_p, c_char_p, c_int)),
        "cred_trust_file": Fn("gnutls_certificate_set_x509_trust_file", c_int, (P, c_char_p, c_int)),
        "init": Fn("gnutls_init", c_int, (POINTER(P), c_uint)),
        "deinit": Fn("gnutls_deinit", None, (P,)),
        "priority_set_direct": Fn("gnutls_priority_set_direct", c_int, (P, c_char_p, POINTER(c_char_p))),
        "credentials_set": Fn("gnutls_credentials_set", c_int, (P, c_int, P)),
        "server_name_set": Fn("gnutls_server_name_set", c_int, (P, c_int, c_char_p, c_size_t)),
        "set_verify_cert": Fn("gnutls_session_set_verify_cert", None, (P, c_char_p, c_uint)),
        "transport_set_ptr": Fn("gnutls_transport_set_ptr", None, (P, P)),
        "transport_set_push": Fn("gnutls_transport_set_push_function", None, (P, PUSH)),
        "transport_set_pull": Fn("gnutls_transport_set_pull_function", None, (P, PULL)),
        "transport_set_pull_timeout": Fn(
            "gnutls_transport_set_pull_timeout_function", None, (P, PULL_TIMEOUT)
        ),
        "transport_set_errno": Fn("gnutls_transport_set_errno", None, (P, c_int)),
        "handshake": Fn("gnutls_handshake", c_int, (P,)),
        "write": Fn("gnutls_record_send", c_ssize_t, (P, c_char_p, c_size_t)),
        "read": Fn("gnutls_record_recv", c_ssize_t, (P, P, c_size_t)),
        "bye": Fn("gnutls_bye", c_int, (P, c_int)),
        "session_set_data": Fn("gnutls_session_set_data", c_int, (P, P, c_size_t)),
        "session_get_data2": Fn("gnutls_session_get_data2", c_int, (P, POINTER(Datum))),
        "session_is_resumed": Fn("gnutls_session_is_resumed", c_int, (P,)),
        "ticket_key_generate": Fn("gnutls_session_ticket_key_generate", c_int, (POINTER(Datum),)),
        "ticket_enable_server": Fn("gnutls_session_ticket_enable_server", c_int, (P, POINTER(Datum))),
        "db_set_retrieve": Fn("gnutls_db_set_retrieve_function", None, (P, P)),
        "db_set_store": Fn("gnutls_db_set_store_function", None, (P, DB_STORE)),
        "db_set_remove": Fn("gnutls_db_set_remove_function", None, (P, DB_REMOVE)),
        "db_set_ptr": Fn("gnutls_db_set_ptr", None, (P, P)),
    },
)


def open_gnutls() -> tuple[Library, Api]:
    """The build ``BUILD_VARIABLE`` names (checked to be a GnuTLS), else Debian's libgnutls."""
    build = build_from_environment(BUILD_VARIABLE)
    if build is not None:
        library = open_single_build(build, "gnutls_check_version")
    else:
        symbols = open_packaged(debian_multiarch_dir() / SONAME, PACKAGE)
        library = Library(symbols, symbols)
    return library, Api(DIALECT, library)
