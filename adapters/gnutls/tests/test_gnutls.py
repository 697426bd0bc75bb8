"""The gnutls adapter's own tests: its mapping covers the catalogue, and its README shows it."""

from __future__ import annotations

from pathlib import Path

from conformance_gnutls._mapping import MAPPING
from conformance_libssl.native import mapping_table

from conformance import CATALOGUE

README = Path(__file__).parents[1] / "README.md"


def test_every_clause_is_mapped_once() -> None:
    assert [m.clause for m in MAPPING] == [c.id for c in CATALOGUE]


def test_the_readme_table_is_the_mapping() -> None:
    assert mapping_table(MAPPING, "GnuTLS") in README.read_text(encoding="utf-8")
