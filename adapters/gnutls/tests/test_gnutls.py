"""The gnutls adapter's own tests: its mapping covers the catalogue, its README shows it, its closure works."""

from __future__ import annotations

import ctypes
from pathlib import Path

import pytest
from conformance_gnutls._ffi import StructReturningCallback, ffi_available
from conformance_gnutls._library import Datum
from conformance_gnutls._mapping import MAPPING
from conformance_libssl.build_checks import check_a_copy_is_loaded, check_a_wrong_file_is_refused
from conformance_libssl.native import debian_multiarch_dir, mapping_table

from conformance import CATALOGUE

NAME = "gnutls"
CONFIG = "tls13"
#: The Debian library the adapter loads by default, and a library of another API.
DEFAULT = debian_multiarch_dir() / "libgnutls.so.30"
OTHER = debian_multiarch_dir() / "libmbedtls.so.14"
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


# -- builds: conformance run NAME --library PATH ----------------------------------------------


def test_a_copy_of_the_library_at_another_path_is_loaded(tmp_path: Path) -> None:
    check_a_copy_is_loaded(NAME, DEFAULT, CONFIG, tmp_path)


@pytest.mark.parametrize("wrong", [None, OTHER], ids=["text-file", "another-library"])
def test_a_wrong_file_is_refused_in_one_line(tmp_path: Path, wrong: Path | None) -> None:
    check_a_wrong_file_is_refused(NAME, wrong, CONFIG, tmp_path)
