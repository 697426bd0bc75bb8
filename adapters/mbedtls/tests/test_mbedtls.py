"""The mbedtls adapter's own tests: its mapping, its README, and its struct sizes against the headers."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
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


def _run(library: Path, results: Path) -> subprocess.CompletedProcess[str]:
    command = ["conformance", "run", NAME, "--library", str(library), "--clause", "use"]
    command += ["--config", CONFIG, "--results-dir", str(results)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def test_a_copy_of_the_library_at_another_path_is_loaded(tmp_path: Path) -> None:
    copy = tmp_path / f"copy-{DEFAULT.name}"
    shutil.copyfile(DEFAULT, copy)
    done = _run(copy, tmp_path / "results")
    assert done.returncode == 0, done.stdout + done.stderr
    (written,) = (tmp_path / "results").glob("*.jsonl")
    header = json.loads(written.read_text(encoding="utf-8").splitlines()[0])
    notes = header["adapter"]["facts"]["notes"]
    assert any(note.startswith(f"loaded {copy} (sha256 ") for note in notes), notes
    assert header["adapter"]["label"] == written.stem and written.stem.startswith(f"{NAME}-")


@pytest.mark.parametrize("kind", ["text file", "another library"])
def test_a_wrong_file_is_refused_in_one_line(tmp_path: Path, kind: str) -> None:
    wrong = tmp_path / "libwrong.so"
    if kind == "text file":
        wrong.write_text("not a library\n", encoding="utf-8")
    else:
        shutil.copyfile(OTHER, wrong)
    done = _run(wrong, tmp_path / "results")
    errors = [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("ERROR")]
    assert done.returncode == 4 and len(errors) == 1, done.stdout + done.stderr
    assert str(wrong) in errors[0] and "Traceback" not in done.stderr
    assert not (tmp_path / "results").exists() or not list((tmp_path / "results").glob("*.jsonl"))
