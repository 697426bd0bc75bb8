"""Coverage: every clause of the catalogue has battery tests, and the catalogue is clauses.md's.

The battery is collected as a run collects it (pytest, with a fake adapter),
so every test is seen with its parametrization and its clause ids. Beside a
checkout that has the shared specification (``../shared/spec/clauses.md``),
the catalogue's clause ids and protocol configuration ids must equal it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import conformance.battery
from conformance import CATALOGUE, CONFIGS

BATTERY = Path(conformance.battery.__file__).parent
REPOSITORY = Path(__file__).resolve().parent.parent
CLAUSES_MD = REPOSITORY.parent / "shared" / "spec" / "clauses.md"
CATALOGUE_IDS = [clause.id for clause in CATALOGUE]


@pytest.fixture
def battery_items(battery) -> list[pytest.Item]:
    """Every battery test, as a run against the fake adapter collects it."""
    items, recorder = battery.pytester.inline_genitems(
        str(BATTERY), "--rootdir", str(BATTERY), *battery.options("FakeAdapter")
    )
    failures = [report for report in recorder.getreports("pytest_collectreport") if report.failed]
    # The last line of a collection error says what is wrong (an unknown clause names the known ones).
    assert not failures, "the battery does not collect:\n" + "\n".join(
        f"{report.nodeid}: {report.longreprtext.strip().splitlines()[-1]}" for report in failures
    )
    assert items, f"no battery tests collected in {BATTERY}"
    return items


def clause_ids(item: pytest.Item) -> list[str]:
    return [clause_id for marker in item.iter_markers("clause") for clause_id in marker.args]


def config_of(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    return getattr(callspec.params.get("config"), "id", None) if callspec else None


def test_every_clause_has_a_battery_test(battery_items: list[pytest.Item]) -> None:
    covered = {clause_id for item in battery_items for clause_id in clause_ids(item)}
    missing = [clause_id for clause_id in CATALOGUE_IDS if clause_id not in covered]
    assert not missing, (
        f"clauses of the catalogue with no battery test: {', '.join(missing)}; "
        f"add conformance/battery/test_<clause>.py with @pytest.mark.clause(...)"
    )


def test_every_battery_test_names_known_clauses(battery_items: list[pytest.Item]) -> None:
    unnamed = [item.nodeid for item in battery_items if not clause_ids(item)]
    unknown = {item.nodeid: [c for c in clause_ids(item) if c not in CATALOGUE_IDS] for item in battery_items}
    unknown = {nodeid: ids for nodeid, ids in unknown.items() if ids}
    assert not unnamed, f"battery tests that name no clause: {unnamed}"
    assert not unknown, f"battery tests naming clauses not in the catalogue: {unknown}"


def test_every_clause_runs_in_each_of_its_configurations(battery_items: list[pytest.Item]) -> None:
    # A clause tested over handshakes must be tested in every configuration the catalogue gives it.
    seen: dict[str, set[str]] = {}
    for item in battery_items:
        config = config_of(item)
        for clause_id in clause_ids(item):
            if config is not None:
                seen.setdefault(clause_id, set()).add(config)
    gaps = {
        clause.id: sorted(set(clause.configs) - seen[clause.id])
        for clause in CATALOGUE
        if clause.id in seen and set(clause.configs) - seen[clause.id]
    }
    assert not gaps, f"clauses with no test in some of their configurations: {gaps}"


# -- the catalogue against the shared specification ------------------------------------
def table_ids(text: str, heading: str) -> list[str]:
    """The backquoted ids in the first column of the table under ``## heading``."""
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", section, flags=re.MULTILINE)


@pytest.fixture
def clauses_md() -> str:
    if not CLAUSES_MD.exists():
        pytest.skip("no ../shared/spec/clauses.md beside this checkout")
    return CLAUSES_MD.read_text(encoding="utf-8")


def test_the_catalogue_has_the_clauses_of_clauses_md(clauses_md: str) -> None:
    assert CATALOGUE_IDS == table_ids(clauses_md, "Clauses")


def test_the_configurations_are_those_of_clauses_md(clauses_md: str) -> None:
    assert [config.id for config in CONFIGS] == table_ids(clauses_md, "Protocol configurations")
