"""Dialects: how each library spells the calls the adapter makes.

Design: the adapter speaks in operations ("ctx_set_min_version"); a dialect
maps each operation to the library's own symbol with its exact C types, as
data. OpenSSL implements several documented calls as macros over
``SSL_CTX_ctrl``/``SSL_ctrl`` (min/max version, cache mode, cache size, SNI)
and ``SSL_SESSION_get_ex_new_index`` as a macro over
``CRYPTO_get_ex_new_index``; those are ``Ctrl`` and ``ExIndex`` entries here,
with the command numbers from OpenSSL's headers. BoringSSL exports real
functions for the same calls; wolfSSL exports its OpenSSL compatibility layer
with a ``wolfSSL_`` prefix (its table renames OpenSSL's functions, so it names no
symbol it never calls). Constants that differ between libraries (the
no-ticket option bit) live in ``Constants``.

Every pointer is ``c_void_p`` (never an int that could be truncated); every
function gets its restype and argtypes, callbacks included.
"""

from __future__ import annotations

import dataclasses
from ctypes import (
    POINTER,
    c_char_p,
    c_int,
    c_long,
    c_size_t,
    c_uint,
    c_uint16,
    c_uint32,
    c_uint64,
    c_ulong,
    c_void_p,
)
from typing import Any

__all__ = ["BORINGSSL", "OPENSSL", "WOLFSSL", "Constants", "Ctrl", "Dialect", "ExIndex", "Fn", "P"]

#: Every pointer, of any C type: never an int that could be truncated.
P = c_void_p


@dataclasses.dataclass(frozen=True)
class Fn:
    """An exported function: ``symbol(*args)``."""

    symbol: str
    restype: Any
    argtypes: tuple[Any, ...] = ()


@dataclasses.dataclass(frozen=True)
class Ctrl:
    """An OpenSSL macro over ``symbol(handle, command, larg, parg)``.

    ``takes`` says where the operation's one argument goes: ``"larg"``,
    ``"parg"`` or ``""`` (no argument; larg 0, parg NULL).
    """

    symbol: str
    command: int
    takes: str


@dataclasses.dataclass(frozen=True)
class ExIndex:
    """OpenSSL's ``SSL_SESSION_get_ex_new_index`` macro: ``CRYPTO_get_ex_new_index(class, ...)``."""

    symbol: str
    class_index: int


Source = Fn | Ctrl | ExIndex

# OpenSSL's ctrl commands (include/openssl/ssl.h; the same since 1.1.0).
SSL_CTRL_SESS_NUMBER = 20
SSL_CTRL_SET_SESS_CACHE_MODE = 44
SSL_CTRL_SET_TLSEXT_HOSTNAME = 55
SSL_CTRL_SET_MIN_PROTO_VERSION = 123
SSL_CTRL_SET_MAX_PROTO_VERSION = 124
TLSEXT_NAMETYPE_host_name = 0
CRYPTO_EX_INDEX_SSL_SESSION = 2


@dataclasses.dataclass(frozen=True)
class Constants:
    """The numbers an adapter passes; equal in the three libraries unless a dialect says not."""

    op_no_ticket: int = 0x00004000
    tls_versions: tuple[tuple[str, int], ...] = (("1.2", 0x0303), ("1.3", 0x0304))
    sess_cache_off: int = 0x0000
    sess_cache_client: int = 0x0001
    sess_cache_server: int = 0x0002
    filetype_pem: int = 1
    verify_peer: int = 1
    sent_shutdown: int = 1
    error_want_read: int = 2
    error_want_write: int = 3
    error_zero_return: int = 6
    #: The time passed to the flush call so that every session counts as expired.
    flush_all_time: int = 0


@dataclasses.dataclass(frozen=True)
class Dialect:
    name: str
    operations: dict[str, Source]
    constants: Constants = Constants()
    #: A symbol only a libssl of this dialect exports: a file without it is not one.
    entry_point: str = "SSL_new"
    #: What the ``version_text`` operation says for a library of this dialect (a regex
    #: matched at the start; its group, if any, is the version).
    version_pattern: str = r"OpenSSL (\d+\.\d+\.\d+[a-z]*)"
    #: libssl and libcrypto are one file (wolfSSL).
    one_file: bool = False


_CTX_CTRL = "SSL_CTX_ctrl"

OPENSSL = Dialect(
    "OpenSSL",
    {
        "tls_method": Fn("TLS_method", P),
        "ctx_new": Fn("SSL_CTX_new", P, (P,)),
        "ctx_free": Fn("SSL_CTX_free", None, (P,)),
        "ctx_set_min_version": Ctrl(_CTX_CTRL, SSL_CTRL_SET_MIN_PROTO_VERSION, "larg"),
        "ctx_set_max_version": Ctrl(_CTX_CTRL, SSL_CTRL_SET_MAX_PROTO_VERSION, "larg"),
        "ctx_set_options": Fn("SSL_CTX_set_options", c_uint64, (P, c_uint64)),
        "ctx_set_cache_mode": Ctrl(_CTX_CTRL, SSL_CTRL_SET_SESS_CACHE_MODE, "larg"),
        "ctx_sess_number": Ctrl(_CTX_CTRL, SSL_CTRL_SESS_NUMBER, ""),
        "ctx_set_sid_context": Fn("SSL_CTX_set_session_id_context", c_int, (P, c_char_p, c_uint)),
        "ctx_use_chain_file": Fn("SSL_CTX_use_certificate_chain_file", c_int, (P, c_char_p)),
        "ctx_use_key_file": Fn("SSL_CTX_use_PrivateKey_file", c_int, (P, c_char_p, c_int)),
        "ctx_check_key": Fn("SSL_CTX_check_private_key", c_int, (P,)),
        "ctx_load_verify": Fn("SSL_CTX_load_verify_locations", c_int, (P, c_char_p, c_char_p)),
        "ctx_set_verify": Fn("SSL_CTX_set_verify", None, (P, c_int, P)),
        "ctx_set_remove_cb": Fn("SSL_CTX_sess_set_remove_cb", None, (P, P)),
        "ctx_flush": Fn("SSL_CTX_flush_sessions", None, (P, c_long)),
        "ssl_new": Fn("SSL_new", P, (P,)),
        "ssl_free": Fn("SSL_free", None, (P,)),
        "ssl_set_bio": Fn("SSL_set_bio", None, (P, P, P)),
        "ssl_set_connect_state": Fn("SSL_set_connect_state", None, (P,)),
        "ssl_set_accept_state": Fn("SSL_set_accept_state", None, (P,)),
        "ssl_do_handshake": Fn("SSL_do_handshake", c_int, (P,)),
        "ssl_get_error": Fn("SSL_get_error", c_int, (P, c_int)),
        "ssl_read": Fn("SSL_read", c_int, (P, P, c_int)),
        "ssl_write": Fn("SSL_write", c_int, (P, c_char_p, c_int)),
        "ssl_shutdown": Fn("SSL_shutdown", c_int, (P,)),
        "ssl_set_shutdown": Fn("SSL_set_shutdown", None, (P, c_int)),
        "ssl_get_shutdown": Fn("SSL_get_shutdown", c_int, (P,)),
        "ssl_set1_host": Fn("SSL_set1_host", c_int, (P, c_char_p)),
        "ssl_set_sni": Ctrl("SSL_ctrl", SSL_CTRL_SET_TLSEXT_HOSTNAME, "parg"),
        "ssl_session_reused": Fn("SSL_session_reused", c_int, (P,)),
        "ssl_set_session": Fn("SSL_set_session", c_int, (P, P)),
        "ssl_get1_session": Fn("SSL_get1_session", P, (P,)),
        "ssl_get_verify_result": Fn("SSL_get_verify_result", c_long, (P,)),
        "session_new": Fn("SSL_SESSION_new", P),
        "session_free": Fn("SSL_SESSION_free", None, (P,)),
        "session_up_ref": Fn("SSL_SESSION_up_ref", c_int, (P,)),
        "session_get_id": Fn("SSL_SESSION_get_id", P, (P, POINTER(c_uint))),
        "session_ex_new_index": ExIndex("CRYPTO_get_ex_new_index", CRYPTO_EX_INDEX_SSL_SESSION),
        "session_set_ex_data": Fn("SSL_SESSION_set_ex_data", c_int, (P, c_int, P)),
        "session_get_ex_data": Fn("SSL_SESSION_get_ex_data", P, (P, c_int)),
        "bio_s_mem": Fn("BIO_s_mem", P),
        "bio_new": Fn("BIO_new", P, (P,)),
        "bio_read": Fn("BIO_read", c_int, (P, P, c_int)),
        "bio_write": Fn("BIO_write", c_int, (P, c_char_p, c_int)),
        "err_get": Fn("ERR_get_error", c_ulong),
        "err_string": Fn("ERR_error_string_n", None, (c_ulong, P, c_size_t)),
        "err_clear": Fn("ERR_clear_error", None),
        "version_text": Fn("OpenSSL_version", c_char_p, (c_int,)),
    },
)

# BoringSSL: the ctrl macros are functions with their own types (include/openssl/ssl.h).
BORINGSSL = Dialect(
    "BoringSSL",
    OPENSSL.operations
    | {
        "ctx_set_min_version": Fn("SSL_CTX_set_min_proto_version", c_int, (P, c_uint16)),
        "ctx_set_max_version": Fn("SSL_CTX_set_max_proto_version", c_int, (P, c_uint16)),
        "ctx_set_options": Fn("SSL_CTX_set_options", c_uint32, (P, c_uint32)),
        "ctx_set_cache_mode": Fn("SSL_CTX_set_session_cache_mode", c_int, (P, c_int)),
        "ctx_sess_number": Fn("SSL_CTX_sess_number", c_size_t, (P,)),
        "ctx_set_sid_context": Fn("SSL_CTX_set_session_id_context", c_int, (P, c_char_p, c_size_t)),
        "ctx_flush": Fn("SSL_CTX_flush_sessions", None, (P, c_uint64)),
        "ssl_set_sni": Fn("SSL_set_tlsext_host_name", c_int, (P, c_char_p)),
        "ssl_get_shutdown": Fn("SSL_get_shutdown", c_int, (P,)),
        # BoringSSL's SSL_SESSION_new takes the SSL_CTX whose X.509 method the session uses.
        "session_new": Fn("SSL_SESSION_new", P, (P,)),
        "session_ex_new_index": Fn("SSL_SESSION_get_ex_new_index", c_int, (c_long, P, P, P, P)),
        # For TLS 1.3 client sessions, which BoringSSL hands out only through the callback.
        "ctx_set_new_cb": Fn("SSL_CTX_sess_set_new_cb", None, (P, P)),
        "session_is_resumable": Fn("SSL_SESSION_is_resumable", c_int, (P,)),
    },
    # BoringSSL has no release numbers: OpenSSL_version says "BoringSSL" and nothing more.
    version_pattern=r"BoringSSL",
)


def _wolf(symbol: str) -> str:
    """wolfSSL's name for an OpenSSL symbol: SSL_CTX_new -> wolfSSL_CTX_new, BIO_new -> wolfSSL_BIO_new."""
    return "wolfSSL_" + symbol.removeprefix("SSL_")


def _wolf_operations() -> dict[str, Source]:
    """OpenSSL's exported functions under wolfSSL's names, and wolfSSL's own for OpenSSL's macros."""
    renamed: dict[str, Source] = {
        op: dataclasses.replace(source, symbol=_wolf(source.symbol))
        for op, source in OPENSSL.operations.items()
        if isinstance(source, Fn)
    }
    return renamed | {
        "tls_method": Fn("wolfSSLv23_method", P),
        "ssl_set_sni": Fn("wolfSSL_set_tlsext_host_name", c_int, (P, c_char_p)),
        "ctx_set_min_version": Fn("wolfSSL_CTX_set_min_proto_version", c_int, (P, c_int)),
        "ctx_set_max_version": Fn("wolfSSL_CTX_set_max_proto_version", c_int, (P, c_int)),
        "ctx_set_options": Fn("wolfSSL_CTX_set_options", c_long, (P, c_long)),
        "ctx_set_cache_mode": Fn("wolfSSL_CTX_set_session_cache_mode", c_long, (P, c_long)),
        "ctx_sess_number": Fn("wolfSSL_CTX_sess_number", c_long, (P,)),
        "ctx_set_sid_context": Fn("wolfSSL_CTX_set_session_id_context", c_int, (P, c_char_p, c_uint)),
        "ctx_flush": Fn("wolfSSL_flush_sessions", None, (P, c_long)),
        "ssl_do_handshake": Fn("wolfSSL_SSL_do_handshake", c_int, (P,)),
        "session_new": Fn("wolfSSL_SESSION_new", P),
        "session_ex_new_index": Fn("wolfSSL_SESSION_get_ex_new_index", c_int, (c_long, P, P, P, P)),
        "version_text": Fn("wolfSSL_lib_version", c_char_p),
        # A wolfSSL client sends the SessionTicket extension only when asked to.
        "ctx_use_session_ticket": Fn("wolfSSL_CTX_UseSessionTicket", c_int, (P,)),
        # int wolfSSL_SetAllocators(malloc_cb, free_cb, realloc_cb): for FreedMemory.
        "set_allocators": Fn("wolfSSL_SetAllocators", c_int, (P, P, P)),
    }


# wolfSSL 5.5 (wolfssl/ssl.h): the no-ticket bit is its own.
WOLFSSL = Dialect(
    "wolfSSL",
    _wolf_operations(),
    Constants(op_no_ticket=0x00080000),
    entry_point="wolfSSL_CTX_new",
    version_pattern=r"(\d+\.\d+\.\d+)",
    one_file=True,
)
