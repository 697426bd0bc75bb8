"""The mbedtls adapter's own tests: its mapping, its README, and its struct sizes against the headers."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conformance_libssl.build_checks import check_a_copy_is_loaded, check_a_wrong_file_is_refused
from conformance_libssl.native import debian_multiarch_dir, mapping_table
from conformance_mbedtls._library import STRUCT_BYTES
from conformance_mbedtls._mapping import MAPPING

from conformance import CATALOGUE

NAME = "mbedtls"
CONFIG = "tls12-sessionid"
#: The Debian library the adapter loads by default, and a library of another API.
DEFAULT = debian_multiarch_dir() / "libmbedtls.so.14"
OTHER = debian_multiarch_dir() / "libgnutls.so.30"
README = Path(__file__).parents[1] / "README.md"
HEADERS = Path("/usr/include/mbedtls/ssl.h")
STRUCTS = (
    "mbedtls_ssl_context",
    "mbedtls_ssl_config",
    "mbedtls_ssl_session",
    "mbedtls_x509_crt",
    "mbedtls_pk_context",
    "mbedtls_ssl_cache_context",
    "mbedtls_ssl_ticket_context",
)
PROGRAM = """#include <stdio.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ticket.h>
int main(void) {{ {prints} return 0; }}
"""


def test_every_clause_is_mapped_once() -> None:
    assert [m.clause for m in MAPPING] == [c.id for c in CATALOGUE]


def test_the_readme_table_is_the_mapping() -> None:
    assert mapping_table(MAPPING, "mbedTLS") in README.read_text(encoding="utf-8")


@pytest.mark.skipif(
    not (HEADERS.exists() and shutil.which("cc")), reason="needs libmbedtls-dev and a C compiler"
)
def test_every_structure_fits_in_what_the_adapter_allocates(tmp_path: Path) -> None:
    prints = " ".join(f'printf("%zu\\n", sizeof({name}));' for name in STRUCTS)
    source = tmp_path / "sizes.c"
    source.write_text(PROGRAM.format(prints=prints))
    subprocess.run(["cc", str(source), "-o", str(tmp_path / "sizes")], check=True)
    output = subprocess.run([str(tmp_path / "sizes")], capture_output=True, text=True, check=True).stdout
    sizes = dict(zip(STRUCTS, map(int, output.split())))
    assert all(size <= STRUCT_BYTES for size in sizes.values()), sizes


# -- builds: conformance run NAME --library PATH ----------------------------------------------


def test_a_copy_of_the_library_at_another_path_is_loaded(tmp_path: Path) -> None:
    check_a_copy_is_loaded(NAME, DEFAULT, CONFIG, tmp_path)


@pytest.mark.parametrize("wrong", [None, OTHER], ids=["text-file", "another-library"])
def test_a_wrong_file_is_refused_in_one_line(tmp_path: Path, wrong: Path | None) -> None:
    check_a_wrong_file_is_refused(NAME, wrong, CONFIG, tmp_path)
