"""The gnutls adapter's own tests: its mapping is complete and its README shows it as the facts do."""

from __future__ import annotations

from pathlib import Path

from conformance_gnutls._mapping import MAPPING

from conformance import CATALOGUE

README = Path(__file__).parents[1] / "README.md"


def test_every_clause_is_mapped_once() -> None:
    assert [m.clause for m in MAPPING] == [c.id for c in CATALOGUE]


def test_the_readme_table_is_the_mapping() -> None:
    text = README.read_text(encoding="utf-8")
    for entry in MAPPING:
        assert f"| `{entry.clause}` | `{entry.call}` | {entry.meaning} |" in text, entry.clause
