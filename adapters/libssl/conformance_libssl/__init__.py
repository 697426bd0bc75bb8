"""Adapters of the SSL_set_session() conformance suite that drive libssl's C API.

``reference`` is OpenSSL itself (the libssl Python's ``ssl`` module is linked
with); ``boringssl`` and ``wolfssl`` drive those libraries' OpenSSL-compatible
APIs with the same code (Debian's builds). Each takes another build through
``conformance run NAME --library PATH`` or its ``build_variable``.

Why ctypes and not cffi: the suite's rule is no dependency beyond the
standard library and the suite itself, and cffi is not in the standard
library. ctypes is used in the strict way cffi's ABI mode would be: every
function gets its exact restype and argtypes, pointers are ``c_void_p``.
"""

from ._handles import HandleReleased, WrongInput
from ._libraries import BoringsslAdapter, ReferenceAdapter, WolfsslAdapter

__all__ = ["BoringsslAdapter", "HandleReleased", "ReferenceAdapter", "WolfsslAdapter", "WrongInput"]
