"""Opening a build the user names instead of an adapter's default library.

Design: a ``Build`` is what the user asked for (``conformance run NAME
--library PATH``, or the adapter's environment variable): a libssl and,
optionally, its libcrypto (wolfSSL: its one library). Opening it checks, in
this order, and refuses with one line at the first thing wrong:

1. each named path is a file the dynamic linker can open;
2. the libssl exports the dialect's entry point (``SSL_new``;
   ``wolfSSL_CTX_new``), so a libcrypto or another library's file is told
   apart from a libssl;
3. the libssl is bound to the libcrypto meant for it. The linker satisfies
   libssl's libcrypto dependency by soname, and an object of that soname
   already in the process wins: a copy of Python's own libssl would silently
   run on Python's libcrypto. The libcrypto is the one named, else the one
   beside the libssl with the same suffix (``libssl.so.3`` ->
   ``libcrypto.so.3``), else whatever the libssl's own run path found in its
   folder (the vendored builds of wheels: ``libssl-<hash>.so.3`` beside
   ``libcrypto-<hash>.so.3``, found through ``$ORIGIN``).

The version check against the dialect is ``_api.check_version``'s, once the
symbols are known.
"""

from __future__ import annotations

import ctypes
import dataclasses
import hashlib
import os
from pathlib import Path

from conformance import LibraryUnavailable

from ._loading import Library, Symbols, _dladdr, _DlInfo, _dlsym

__all__ = ["Build", "build_from_environment", "describe_file", "open_libssl_build", "open_single_build"]


@dataclasses.dataclass(frozen=True)
class Build:
    """A build to load: its libssl (or only library), its libcrypto if named, and who named them."""

    library: Path
    libcrypto: Path | None
    #: What named the library, for messages: an environment variable.
    named_by: str
    #: The variable that names the libcrypto, for messages ("" where there is none).
    libcrypto_variable: str = ""


def build_from_environment(variable: str, libcrypto_variable: str = "") -> Build | None:
    """The build the environment names, or None to use the adapter's default library."""
    library = os.environ.get(variable)
    if not library:
        return None
    libcrypto = os.environ.get(libcrypto_variable) if libcrypto_variable else None
    return Build(Path(library), Path(libcrypto) if libcrypto else None, variable, libcrypto_variable)


def open_libssl_build(build: Build, entry_point: str = "SSL_new") -> Library:
    """A libssl and its libcrypto, checked as the module docstring says."""
    _must_be_file(build.library, build.named_by)
    crypto_path = build.libcrypto or _sibling_libcrypto(build.library)
    if build.libcrypto is not None:
        _must_be_file(build.libcrypto, build.libcrypto_variable)
    # The libcrypto first, so that the libssl finds it already loaded.
    crypto = _open(crypto_path, build.libcrypto_variable) if crypto_path else None
    ssl = _open(build.library, build.named_by)
    _must_export(ssl, build, entry_point, "a libssl")
    bound = _bound_libcrypto(ssl, build.library)
    ssl_path = build.library.resolve()
    if crypto_path is not None and bound != crypto_path.resolve():
        raise LibraryUnavailable(
            f"{build.library} was bound to {bound}, not to {crypto_path}: a libcrypto with the same "
            "soname was already loaded in this process (Python's ssl module loads its own); use a "
            "build whose shared objects have sonames of their own"
        )
    if crypto_path is None and bound.parent != ssl_path.parent:
        raise LibraryUnavailable(
            f"{build.library} was bound to {bound}, outside its own folder; name the libcrypto of "
            f"the build with {build.libcrypto_variable or 'its libcrypto variable'}"
        )
    crypto = crypto or ctypes.CDLL(str(bound))  # already loaded: another reference only
    return Library(
        Symbols(ssl_path, ssl),
        Symbols(bound, crypto),
        (f"{build.named_by} set: the build it names, not the adapter's default library",),
    )


def open_single_build(build: Build, entry_point: str) -> Library:
    """A library that is libssl and libcrypto in one file (wolfSSL)."""
    _must_be_file(build.library, build.named_by)
    both = _open(build.library, build.named_by)
    _must_export(both, build, entry_point, "the library")
    symbols = Symbols(build.library.resolve(), both)
    return Library(
        symbols, symbols, (f"{build.named_by} set: the build it names, not the adapter's default library",)
    )


def describe_file(path: Path) -> str:
    """A loaded file for the facts: its path and the start of its SHA-256."""
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    except OSError:
        digest = "unreadable"
    return f"loaded {path} (sha256 {digest})"


def _must_be_file(path: Path, named_by: str) -> None:
    if not path.is_file():
        raise LibraryUnavailable(f"{named_by} names {path}, which is not a file")


def _open(path: Path, named_by: str) -> ctypes.CDLL:
    try:
        return ctypes.CDLL(str(path))
    except OSError as error:
        reason = str(error).rsplit(": ", 1)[-1]
        raise LibraryUnavailable(
            f"{named_by} names {path}, which is not a shared library the dynamic linker can load ({reason})"
        ) from None


def _must_export(cdll: ctypes.CDLL, build: Build, entry_point: str, what: str) -> None:
    if not hasattr(cdll, entry_point):
        raise LibraryUnavailable(
            f"{build.named_by} names {build.library}, which exports no {entry_point}, so it is not "
            f"{what} this adapter drives (a libcrypto, or another library's file?)"
        )


def _bound_libcrypto(ssl: ctypes.CDLL, ssl_path: Path) -> Path:
    if _dlsym is None or _dladdr is None:
        raise LibraryUnavailable("cannot ask the dynamic linker which libcrypto a libssl is bound to")
    address = _dlsym(ssl._handle, b"ERR_get_error")
    info = _DlInfo()
    if not address or not _dladdr(address, ctypes.byref(info)) or not info.dli_fname:
        raise LibraryUnavailable(f"{ssl_path} does not reach ERR_get_error through any libcrypto")
    return Path(os.fsdecode(info.dli_fname)).resolve()


def _sibling_libcrypto(ssl_path: Path) -> Path | None:
    """``libcrypto<suffix>`` beside ``libssl<suffix>``, else the one ``libcrypto*<.so suffix>`` there."""
    name = ssl_path.name
    if not name.startswith("libssl"):
        return None
    sibling = ssl_path.with_name("libcrypto" + name[len("libssl") :])
    if sibling.is_file():
        return sibling
    # Vendored builds rename both with hashes of their own: libssl-3a880ada.so.1.1 beside
    # libcrypto-2ade47cd.so.1.1.
    so_suffix = name[name.find(".so") :] if ".so" in name else ""
    candidates = [path for path in ssl_path.parent.glob(f"libcrypto*{so_suffix}") if path.is_file()]
    return candidates[0] if so_suffix and len(candidates) == 1 else None
