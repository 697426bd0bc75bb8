"""The gnutls adapter's own tests: its mapping covers the catalogue, its README shows it, its closure works."""

from __future__ import annotations

import ctypes
from pathlib import Path

import pytest
from conformance_gnutls._ffi import StructReturningCallback, ffi_available
from conformance_gnutls._library import Datum
from conformance_gnutls._mapping import MAPPING
from conformance_libssl.native import mapping_table

from conformance import CATALOGUE

README = Path(__file__).parents[1] / "README.md"


def test_every_clause_is_mapped_once() -> None:
    assert [m.clause for m in MAPPING] == [c.id for c in CATALOGUE]


def test_the_readme_table_is_the_mapping() -> None:
    assert mapping_table(MAPPING, "GnuTLS") in README.read_text(encoding="utf-8")


def test_a_callback_returns_a_structure_by_value() -> None:
    """The retrieve callback of GnuTLS's session database: what ctypes callbacks cannot do."""
    if ffi_available():
        pytest.skip(ffi_available())
    seen = []

    def body(pointer: int, key: Datum) -> Datum:
        seen.append((pointer, key.size))
        return Datum(pointer + 1, key.size * 2)

    callback = StructReturningCallback(Datum, body)
    call = ctypes.CFUNCTYPE(Datum, ctypes.c_void_p, Datum)(callback.address)
    result = call(1234, Datum(None, 21))
    assert (result.data, result.size, seen) == (1235, 42, [(1234, 21)])
