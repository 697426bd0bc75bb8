"""The three adapters: which library each opens, and what it says about itself.

Design: each adapter is the shared ``LibsslAdapter`` plus a dialect, a way to
open its library, its facts and its capabilities. Where a library's hooks do
not behave as OpenSSL's, the capability is left out here with the reason, so
the battery reports not-observable instead of a verdict built on a broken
observation.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path
from typing import ClassVar

from conformance import Capability, Facts, ProtocolConfig, Side

from ._adapter import ALL_CAPABILITIES, LibsslAdapter, Step, no_status
from ._builds import describe_file
from ._dialects import BORINGSSL, OPENSSL, WOLFSSL
from ._handles import Connection, Context, Session
from ._loading import (
    LIBCRYPTO_VARIABLE,
    LIBSSL_VARIABLE,
    Library,
    open_boringssl,
    open_python_libssl,
    open_wolfssl,
)
from ._new_sessions import NewSessions
from ._observers import FreedMemory

__all__ = ["BoringsslAdapter", "ReferenceAdapter", "WolfsslAdapter"]

_EXPECTATIONS = Path(__file__).with_name("expectations")
#: The newest OpenSSL man page the catalogue knows: what the adapters of other libraries aim at.
NEWEST_OPENSSL_DOCUMENTATION = "3.5"


class ReferenceAdapter(LibsslAdapter):
    """OpenSSL's libssl itself: by default the one Python's ``ssl`` module is linked with."""

    name = "reference"
    dialect = OPENSSL
    expectations_file: ClassVar[Path | None] = _EXPECTATIONS / "reference.toml"
    build_variable = LIBSSL_VARIABLE
    libcrypto_variable = LIBCRYPTO_VARIABLE

    def _open(self) -> Library:
        return open_python_libssl()

    def facts(self) -> Facts:
        return Facts(
            library="OpenSSL libssl (C API through ctypes)",
            library_version=self.version,
            tls_library="OpenSSL",
            tls_library_version=self.version,
            notes=(
                f"OpenSSL_version(OPENSSL_VERSION): {self.version_text}",
                *_loaded(self._library),
                *self._library.notes,
            ),
            openssl_documentation=_documentation_level(self.version),
        )


class BoringsslAdapter(LibsslAdapter):
    """BoringSSL as Debian packages it for the Android SDK (android-libboringssl)."""

    name = "boringssl"
    dialect = BORINGSSL
    expectations_file = _EXPECTATIONS / "boringssl.toml"
    build_variable = "CONFORMANCE_BORINGSSL"
    libcrypto_variable = "CONFORMANCE_BORINGSSL_LIBCRYPTO"

    def __init__(self) -> None:
        super().__init__()
        self._new_sessions = NewSessions(self.api)
        self._empty_session_context: int | None = None

    def _open(self) -> Library:
        return open_boringssl()

    def _configure_more(self, context: Context, config: ProtocolConfig) -> list[Step]:
        if context.side is Side.SERVER:
            return []
        # The callback fires only with the client bit of the cache mode; BoringSSL clients
        # never use the internal cache, so the bit changes nothing else.
        client = self._constants.sess_cache_client
        return [
            Step(
                "client sessions",
                "SSL_CTX_set_session_cache_mode(SSL_SESS_CACHE_CLIENT)",
                lambda: no_status(self.api.ctx_set_cache_mode(context.address, client)),
            ),
            Step(
                "client sessions",
                "SSL_CTX_sess_set_new_cb",
                lambda: self._new_sessions.watch(context.address),
            ),
        ]

    def get_session(self, connection: Connection) -> Session | None:
        session = super().get_session(connection)
        if session is None:
            return None
        delivered = self._new_sessions.resumable_for(connection.address, session.address)
        if delivered is None:
            return session
        self.api.session_free(session.mark_released())
        self.api.session_up_ref(delivered)
        return Session(self, delivered)

    def _forget_connection(self, address: int) -> None:
        self._new_sessions.forget(address)

    def _new_empty_session(self) -> int:
        # BoringSSL's SSL_SESSION_new(const SSL_CTX *) takes a context for its X.509
        # method only; the session is not put in that context's cache.
        if self._empty_session_context is None:
            self._empty_session_context = self.api.ctx_new(self.api.tls_method())
        return self.api.session_new(self._empty_session_context)

    def facts(self) -> Facts:
        if self.build is None:
            version = _debian_version("android-libboringssl")
            origin = "that of the Debian package android-libboringssl (the Android platform's BoringSSL)"
        else:
            version = "sha256-" + _sha256(self._library.ssl.path)[:8]
            origin = f"the start of the SHA-256 of the libssl {self.build_variable} names"
        return Facts(
            library="BoringSSL libssl (C API through ctypes)",
            library_version=version,
            tls_library="BoringSSL",
            tls_library_version=version,
            notes=(
                f"BoringSSL has no release numbers; the version is {origin}",
                f"OpenSSL_version(OPENSSL_VERSION): {self.version_text}",
                f"judged by the OpenSSL {NEWEST_OPENSSL_DOCUMENTATION} man pages (the newest)",
                *_loaded(self._library),
                *self._library.notes,
                "SSL_SESSION_new(ctx) is called with a private client SSL_CTX (BoringSSL's "
                "signature); the empty session is not in that context's cache",
                "get_session: SSL_get1_session, except where that session is not resumable and "
                "the client's new-session callback (SSL_CTX_sess_set_new_cb, with "
                "SSL_SESS_CACHE_CLIENT) delivered one for the connection; then the newest "
                "delivered session. BoringSSL documents that TLS 1.3 clients must take "
                "resumable sessions from that callback; SSL_get_session returns an "
                "unresumable one",
            ),
            openssl_documentation=NEWEST_OPENSSL_DOCUMENTATION,
        )


class WolfsslAdapter(LibsslAdapter):
    """wolfSSL's OpenSSL compatibility layer (Debian's libwolfssl35), ``wolfSSL_`` names."""

    name = "wolfssl"
    dialect = WOLFSSL
    expectations_file = _EXPECTATIONS / "wolfssl.toml"
    build_variable = "CONFORMANCE_WOLFSSL"
    # Left out, because the Debian build's hooks do not behave as OpenSSL's (see _WOLFSSL_NOTES).
    capabilities = ALL_CAPABILITIES - {Capability.CACHE_SIZE, Capability.CACHE_EVENTS}

    def _open(self) -> Library:
        return open_wolfssl()

    def _lifetime_observer(self) -> FreedMemory:
        return FreedMemory.for_library(self.api)

    def _configure_more(self, context: Context, config: ProtocolConfig) -> list[Step]:
        if context.side is Side.SERVER or not config.tickets:
            return []
        # Unlike OpenSSL's, a wolfSSL client offers TLS 1.2 tickets only when told to.
        return [
            Step(
                "tickets",
                "wolfSSL_CTX_UseSessionTicket",
                lambda: self.api.ctx_use_session_ticket(context.address) == 1,
            )
        ]

    def facts(self) -> Facts:
        origin = (
            f"Debian package libwolfssl35 {_debian_version('libwolfssl35')}"
            if self.build is None
            else f"the build {self.build_variable} names"
        )
        return Facts(
            library="wolfSSL OpenSSL compatibility layer (C API through ctypes)",
            library_version=self.version,
            tls_library="wolfSSL",
            tls_library_version=self.version,
            notes=(
                f"wolfSSL_lib_version: {self.version_text}; {origin}",
                f"judged by the OpenSSL {NEWEST_OPENSSL_DOCUMENTATION} man pages (the newest)",
                *_loaded(self._library),
                *self._library.notes,
                *_WOLFSSL_NOTES,
            ),
            openssl_documentation=NEWEST_OPENSSL_DOCUMENTATION,
        )


_WOLFSSL_NOTES = (
    "session-lifetime is observed through wolfSSL_SetAllocators (the free hook), not ex_data: "
    "this build lacks HAVE_EX_DATA_CLEANUP_HOOKS, so SSL_SESSION ex_data free callbacks never run",
    "cache-size left out: wolfSSL_CTX_sess_number is a stub returning 0 unless wolfSSL is "
    "built with WOLFSSL_SESSION_STATS, which this build is not (src/ssl.c)",
    "cache-events left out: wolfSSL_flush_sessions does nothing ('static table now, no "
    "flushing needed'), the session cache is one process-wide table, and the remove callback "
    "runs when a cache slot is overwritten (with a NULL SSL_CTX) rather than per context",
)


def _loaded(library: Library) -> tuple[str, ...]:
    return tuple(describe_file(path) for path in library.files)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _documentation_level(version: str) -> str:
    """The OpenSSL man pages of a release: "1.1.1r" -> "1.1.1", "3.0.19" -> "3.0", "3.5.9" -> "3.5"."""
    numbers = re.match(r"\d+(\.\d+)*", version)
    if numbers is None:
        return ""
    parts = numbers.group(0).split(".")
    # Before 3.0 the man pages belong to the three-number series (1.0.2, 1.1.1).
    return ".".join(parts[:3] if parts[0] in ("0", "1") else parts[:2])


def _debian_version(package: str) -> str:
    """The installed version of a Debian package, or "unknown" off Debian."""
    query = shutil.which("dpkg-query")
    if query is None:
        return "unknown"
    result = subprocess.run(
        [query, "-W", "-f=${Version}", package], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() or "unknown"
