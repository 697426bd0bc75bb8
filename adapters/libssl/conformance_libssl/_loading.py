"""Finding and opening the shared libraries the adapters drive.

Design: each adapter names where its library lives; this module turns that
into a ``Library``: two symbol tables (libssl and libcrypto; the same one for
wolfSSL, which is a single file) and the real files that were opened, for the
facts. Every way of failing ends in ``LibraryUnavailable`` with what to do.

- reference: the very libssl that Python's ``ssl`` module is linked with. We
  ask the dynamic linker, not a guess: resolve ``SSL_new`` and
  ``ERR_get_error`` through the handle of the loaded ``_ssl`` extension (its
  own dependency scope) and ``dladdr`` the answers to file names, which is what
  ``ldd`` would have said for that module. (A link-map namespace of its own,
  ``dlmopen``, was tried: OpenSSL crashes there, beside a second copy of the C
  library.) A build the user names instead is opened by ``_builds``.
- boringssl, wolfssl: fixed Debian file names under the machine's multiarch
  directory (never a hard-coded architecture).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import os
import platform
import sysconfig
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conformance import LibraryUnavailable

__all__ = [
    "Library",
    "Symbols",
    "debian_multiarch_dir",
    "open_boringssl",
    "open_python_libssl",
    "open_wolfssl",
]

LIBSSL_VARIABLE = "CONFORMANCE_LIBSSL"
LIBCRYPTO_VARIABLE = "CONFORMANCE_LIBCRYPTO"

# Debian's multiarch triplets, for a Python that does not record its own.
_MULTIARCH_BY_MACHINE = {
    "x86_64": "x86_64-linux-gnu",
    "amd64": "x86_64-linux-gnu",
    "aarch64": "aarch64-linux-gnu",
    "arm64": "aarch64-linux-gnu",
    "armv7l": "arm-linux-gnueabihf",
    "i686": "i386-linux-gnu",
    "i386": "i386-linux-gnu",
    "ppc64le": "powerpc64le-linux-gnu",
    "s390x": "s390x-linux-gnu",
    "riscv64": "riscv64-linux-gnu",
}


class _DlInfo(ctypes.Structure):
    _fields_ = [
        ("dli_fname", ctypes.c_char_p),
        ("dli_fbase", ctypes.c_void_p),
        ("dli_sname", ctypes.c_char_p),
        ("dli_saddr", ctypes.c_void_p),
    ]


def _dl_function(name: str, restype: Any, *argtypes: Any) -> Callable[..., Any] | None:
    """A function of the dynamic linker (libc since glibc 2.34, libdl before)."""
    for library in (None, ctypes.util.find_library("dl")):
        try:
            return ctypes.CFUNCTYPE(restype, *argtypes)((name, ctypes.CDLL(library)))
        except (AttributeError, OSError, TypeError):
            continue
    return None


_dlsym = _dl_function("dlsym", ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p)
_dladdr = _dl_function("dladdr", ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(_DlInfo))


class Symbols:
    """The exported functions of one opened shared object."""

    def __init__(self, path: Path, cdll: ctypes.CDLL) -> None:
        self.path = path
        self._cdll = cdll

    def has(self, symbol: str) -> bool:
        return hasattr(self._cdll, symbol)

    def function(self, symbol: str, restype: Any, argtypes: tuple[Any, ...]) -> Callable[..., Any]:
        """A fresh foreign function with exactly these types (no shared, mutable ``argtypes``)."""
        return ctypes.CFUNCTYPE(restype, *argtypes)((symbol, self._cdll))

    def pointer_variable(self, symbol: str) -> int:
        """The value of an exported pointer variable (GnuTLS exports ``gnutls_free`` so)."""
        return ctypes.c_void_p.in_dll(self._cdll, symbol).value or 0


@dataclasses.dataclass(frozen=True)
class Library:
    """The opened library: where its symbols are, and what the facts should say about it."""

    ssl: Symbols
    crypto: Symbols
    notes: tuple[str, ...] = ()

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(dict.fromkeys((self.ssl.path, self.crypto.path)))


# -- reference: the libssl of Python's ssl module ---------------------------------------
def open_python_libssl() -> Library:
    """Python's own libssl: the one its ``_ssl`` module is linked with."""
    import _ssl  # the extension module whose dependencies we want

    if _dlsym is None or _dladdr is None:
        raise LibraryUnavailable(
            "cannot ask the dynamic linker which libssl Python's ssl module uses "
            f"(no dlsym/dladdr on this platform); set {LIBSSL_VARIABLE} to a libssl shared object"
        )
    module = Path(_ssl.__file__)
    scope = ctypes.CDLL(str(module))  # already loaded: this only takes another reference
    ssl_path = _defining_file(scope, "SSL_new", module)
    crypto_path = _defining_file(scope, "ERR_get_error", module)
    return Library(
        Symbols(ssl_path, ctypes.CDLL(str(ssl_path))),
        Symbols(crypto_path, ctypes.CDLL(str(crypto_path))),
        (f"the libssl and libcrypto that Python's _ssl module ({module.name}) is linked with",),
    )


def _defining_file(scope: ctypes.CDLL, symbol: str, module: Path) -> Path:
    assert _dlsym is not None and _dladdr is not None
    address = _dlsym(scope._handle, symbol.encode())
    info = _DlInfo()
    if not address or not _dladdr(address, ctypes.byref(info)) or not info.dli_fname:
        raise LibraryUnavailable(
            f"Python's _ssl module ({module}) does not reach {symbol} through a shared library; "
            f"set {LIBSSL_VARIABLE} to a libssl shared object"
        )
    path = Path(os.fsdecode(info.dli_fname)).resolve()
    if path == module.resolve():
        raise LibraryUnavailable(
            f"Python's _ssl module ({module}) has OpenSSL linked in statically, so there is no "
            f"libssl to load; set {LIBSSL_VARIABLE} to a libssl shared object"
        )
    return path


# -- Debian packages ------------------------------------------------------------------------
def debian_multiarch_dir() -> Path:
    """/usr/lib/<triplet> of the running machine."""
    triplet = sysconfig.get_config_var("MULTIARCH") or _MULTIARCH_BY_MACHINE.get(platform.machine())
    if not triplet:
        raise LibraryUnavailable(
            f"cannot tell the Debian multiarch directory of machine {platform.machine()!r}"
        )
    return Path("/usr/lib") / triplet


def open_boringssl() -> Library:
    folder = debian_multiarch_dir() / "android"
    crypto = _open_packaged(folder / "libcrypto.so.0", "android-libboringssl")
    ssl = _open_packaged(folder / "libssl.so.0", "android-libboringssl")
    return Library(ssl, crypto)


def open_wolfssl() -> Library:
    both = _open_packaged(debian_multiarch_dir() / "libwolfssl.so.35", "libwolfssl35")
    return Library(both, both)


def _open_packaged(path: Path, package: str) -> Symbols:
    if not path.exists():
        raise LibraryUnavailable(f"{path} is missing; install it with: apt-get install {package}")
    try:
        cdll = ctypes.CDLL(str(path))
    except OSError as error:
        raise LibraryUnavailable(
            f"{path} cannot be opened ({error}); reinstall it with: apt-get install --reinstall {package}"
        ) from None
    return Symbols(path.resolve(), cdll)
