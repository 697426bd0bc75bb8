"""A C callback that returns a structure by value, which ctypes callbacks cannot.

Design: GnuTLS's session database asks the application for a stored session
with ``gnutls_datum_t retrieve(void *ptr, gnutls_datum_t key)``: the result is
a structure returned by value, and ctypes refuses structure results for
callbacks ("invalid result type for callback function"). ctypes itself makes
its callbacks with libffi closures; this module does the same, one level
down: a libffi closure (``ffi_prep_closure_loc``) whose generic handler is an
ordinary ctypes callback that receives a pointer to the result and fills it
in. libffi is the one Python's own ``_ctypes`` module is linked with, found by
its Debian soname. The ABI number libffi expects is per machine
(``ffitarget.h``); on a machine not in ``_DEFAULT_ABI`` the closure cannot be
made and the caller says so.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform
from collections.abc import Callable
from typing import Any

from conformance_libssl.native import P

__all__ = ["StructReturningCallback", "ffi_available"]

FFI_OK = 0
FFI_TYPE_STRUCT = 13
#: FFI_DEFAULT_ABI per machine (libffi's ffitarget.h: x86-64 FFI_UNIX64, arm64 FFI_SYSV).
_DEFAULT_ABI = {"x86_64": 2, "amd64": 2, "aarch64": 1, "arm64": 1}
#: Larger than ffi_cif and ffi_closure on every libffi 3.x target (32 to 64 bytes there).
_CIF_SIZE = 256
_CLOSURE_SIZE = 256


class _FfiType(ctypes.Structure):
    _fields_ = [
        ("size", ctypes.c_size_t),
        ("alignment", ctypes.c_ushort),
        ("type", ctypes.c_ushort),
        ("elements", ctypes.POINTER(P)),
    ]


#: void fun(ffi_cif *cif, void *result, void **args, void *user_data)
_HANDLER = ctypes.CFUNCTYPE(None, P, P, ctypes.POINTER(P), P)


def _libffi() -> ctypes.CDLL | None:
    for name in ("libffi.so.8", "libffi.so.7", ctypes.util.find_library("ffi")):
        if name:
            try:
                return ctypes.CDLL(name)
            except OSError:
                continue
    return None


_LIB = _libffi()


def ffi_available() -> str:
    """Empty if closures can be made here, else why not."""
    if _LIB is None:
        return "libffi (the library Python's ctypes uses) cannot be opened"
    if platform.machine() not in _DEFAULT_ABI:
        return f"libffi's default ABI number for machine {platform.machine()!r} is not known to the adapter"
    return ""


class StructReturningCallback:
    """A C function pointer ``Struct f(void *, Struct)`` whose body is ``body(pointer, argument)``.

    ``struct_type`` is a ctypes Structure of pointer and unsigned int fields
    (``gnutls_datum_t``); ``body`` returns an instance of it. The closure
    lives as long as this object.
    """

    def __init__(self, struct_type: type[ctypes.Structure], body: Callable[[int, Any], Any]) -> None:
        why = ffi_available()
        if why:
            raise OSError(why)
        assert _LIB is not None
        self._struct_type = struct_type
        self._body = body
        pointer = _FfiType.in_dll(_LIB, "ffi_type_pointer")
        uint = _FfiType.in_dll(_LIB, "ffi_type_uint32")
        members = [ctypes.addressof(pointer), ctypes.addressof(uint), None]
        self._elements = (P * 3)(*members)
        self._struct = _FfiType(0, 0, FFI_TYPE_STRUCT, ctypes.cast(self._elements, ctypes.POINTER(P)))
        self._arguments = (P * 2)(ctypes.addressof(pointer), ctypes.addressof(self._struct))
        self._cif = ctypes.create_string_buffer(_CIF_SIZE)
        prep_cif = ctypes.CFUNCTYPE(ctypes.c_int, P, ctypes.c_int, ctypes.c_uint, P, P)(
            ("ffi_prep_cif", _LIB)
        )
        abi = _DEFAULT_ABI[platform.machine()]
        if prep_cif(self._cif, abi, 2, ctypes.addressof(self._struct), self._arguments) != FFI_OK:
            raise OSError("ffi_prep_cif failed for a structure-returning callback")
        alloc = ctypes.CFUNCTYPE(P, ctypes.c_size_t, ctypes.POINTER(P))(("ffi_closure_alloc", _LIB))
        self._code = P()
        self._closure = alloc(_CLOSURE_SIZE, ctypes.byref(self._code))
        if not self._closure:
            raise OSError("ffi_closure_alloc failed")
        self._handler = _HANDLER(self._handle)
        prep_closure = ctypes.CFUNCTYPE(ctypes.c_int, P, P, P, P, P)(("ffi_prep_closure_loc", _LIB))
        if prep_closure(self._closure, self._cif, ctypes.cast(self._handler, P), None, self._code) != FFI_OK:
            raise OSError("ffi_prep_closure_loc failed")

    @property
    def address(self) -> int:
        """The C function pointer to hand to the library."""
        return self._code.value or 0

    def _handle(self, cif: int, result: int, args: Any, user_data: int) -> None:
        pointer = ctypes.cast(args[0], ctypes.POINTER(P)).contents.value or 0
        argument = ctypes.cast(args[1], ctypes.POINTER(self._struct_type)).contents
        value = self._body(pointer, argument)
        ctypes.memmove(result, ctypes.addressof(value), ctypes.sizeof(self._struct_type))
