"""What the adapters of other C TLS libraries (GnuTLS, mbedTLS) reuse from this package.

Design: those adapters drive libraries whose API is not OpenSSL's, yet they
open a Debian-packaged shared object, resolve a table of typed functions and
hand the battery handles that are released once, exactly as the libssl
adapters do. This facade is the small, stable surface they import; the
modules behind it stay private.
"""

from collections.abc import Iterable

from conformance import CallMapping

from ._api import Api
from ._builds import Build, build_from_environment, open_single_build
from ._dialects import Dialect, Fn, P
from ._handles import Handle, HandleReleased, WrongInput, caller_session, describe, live_handle
from ._in_memory import BufferedConnection, InMemoryAdapter, SharedContext
from ._libraries import _debian_version as debian_version
from ._libraries import _loaded as loaded_notes
from ._loading import Library, Symbols, debian_multiarch_dir
from ._loading import _open_packaged as open_packaged

__all__ = [
    "Api",
    "BufferedConnection",
    "Build",
    "Dialect",
    "Fn",
    "Handle",
    "HandleReleased",
    "InMemoryAdapter",
    "Library",
    "P",
    "SharedContext",
    "Symbols",
    "WrongInput",
    "build_from_environment",
    "caller_session",
    "debian_multiarch_dir",
    "debian_version",
    "describe",
    "live_handle",
    "loaded_notes",
    "mapping_table",
    "open_packaged",
    "open_single_build",
]


def mapping_table(mapping: Iterable[CallMapping], library: str) -> str:
    """The mapping as a Markdown table, for an adapter's README (its tests check it is there)."""
    rows = [f"| `{m.clause}` | `{m.call}` | {m.meaning} |" for m in mapping]
    return "\n".join([f"| clause | {library} call | what it means |", "|---|---|---|", *rows])
