"""The report model: runs as columns, clauses as rows, a cell of tests at each crossing.

Design: every output (HTML, Markdown, JUnit) renders this one model, so they
agree. A column is one run of one adapter. Runs of the same adapter from
several machines or dates stay separate columns (nothing is silently
dropped); their labels are the adapter name plus the first environment fact
that tells them apart (TLS library version, library version, Python,
platform, then start time), see ``_DISCRIMINATORS``. A run whose adapter was
unavailable is listed with its reason but has no column. The clause rows come
from the catalogues in the run headers (the newest run's text wins); a clause
id that a test names but no catalogue knows still gets a row, marked unknown.
A cell shows the worst outcome of its tests (ranks in ``_verdicts``) and the
worst per protocol configuration.
"""

from __future__ import annotations

import collections
import dataclasses
from collections.abc import Callable
from typing import Any

from .._outcomes import Outcome, TestResult
from .._results import Run, now
from ._sources import LoadedRun
from ._verdicts import ORDER, STYLES, config_label, worst

__all__ = ["Cell", "ClauseRow", "Column", "ConfigInfo", "ReportModel", "build_model"]

#: Above this many test records the page lists less (see ``ReportModel.listed``), so that
#: it stays usable: 100 adapters x 1,000 tests with every evidence would be ~200 MB.
FULL_LISTING_LIMIT = 10_000


@dataclasses.dataclass
class Column:
    """One run of one adapter."""

    key: str
    slug: str
    loaded: LoadedRun
    counts: dict[Outcome, int]
    unexpected: int
    expected_deviations: int

    @property
    def run(self) -> Run:
        return self.loaded.run

    @property
    def name(self) -> str:
        return self.run.adapter_name

    @property
    def header(self) -> dict[str, Any]:
        return self.run.header

    @property
    def facts(self) -> dict[str, Any]:
        return self.header["adapter"].get("facts") or {}

    @property
    def tests(self) -> list[TestResult]:
        return self.run.tests

    @property
    def complete(self) -> bool:
        return self.run.complete

    @property
    def unavailable(self) -> str:
        return str(self.header["adapter"].get("unavailable") or "")

    @property
    def partial_selection(self) -> bool:
        end = self.run.end
        return end is not None and end.get("complete_selection") is False

    @property
    def stale_expectations(self) -> list[dict[str, Any]]:
        return list((self.run.end or {}).get("stale_expectations") or [])

    @property
    def score(self) -> float | None:
        """pass / (pass + fail); None when neither happened."""
        passed, failed = self.counts[Outcome.PASS], self.counts[Outcome.FAIL]
        return passed / (passed + failed) if passed + failed else None

    @property
    def library(self) -> str:
        return _joined(self.facts.get("library"), self.facts.get("library_version"))

    @property
    def tls_library(self) -> str:
        return _joined(self.facts.get("tls_library"), self.facts.get("tls_library_version"))

    @property
    def started(self) -> str:
        return str(self.header.get("started") or "")

    @property
    def finished(self) -> str:
        return str((self.run.end or {}).get("finished") or "")

    @property
    def python(self) -> str:
        return _joined(self.header.get("python_implementation"), self.header.get("python"))

    @property
    def notes(self) -> list[str]:
        notes = self.facts.get("notes") or []
        return [str(note) for note in notes] if isinstance(notes, list) else [str(notes)]

    def mapping(self, clause_id: str) -> dict[str, str] | None:
        """The adapter's mapping of a clause onto its library's call ({"call", "meaning"}), if any."""
        for entry in self.facts.get("mapping") or []:
            if isinstance(entry, dict) and entry.get("clause") == clause_id:
                return {"call": str(entry.get("call", "")), "meaning": str(entry.get("meaning", ""))}
        return None

    @property
    def status(self) -> str:
        """One word for the run: unavailable, incomplete, partial or complete."""
        if self.unavailable:
            return "unavailable"
        if not self.complete:
            return "incomplete"
        return "partial" if self.partial_selection else "complete"


@dataclasses.dataclass(frozen=True)
class ClauseRow:
    id: str
    section: str
    summary: str
    documented_since: str
    note: str
    configs: tuple[str, ...]
    known: bool = True


@dataclasses.dataclass(frozen=True)
class ConfigInfo:
    id: str | None
    label: str
    description: str


@dataclasses.dataclass
class Cell:
    """The tests of one clause in one run."""

    clause: ClauseRow
    column: Column
    tests: list[TestResult]
    #: (configuration, its worst outcome or None when it has no tests, number of tests)
    by_config: list[tuple[ConfigInfo, Outcome | None, int]]

    @property
    def worst(self) -> Outcome | None:
        return worst(t.outcome for t in self.tests)

    @property
    def outcomes(self) -> list[Outcome]:
        present = {t.outcome for t in self.tests}
        return [o for o in ORDER if o in present]

    @property
    def counts(self) -> list[tuple[Outcome, int]]:
        counter = collections.Counter(t.outcome for t in self.tests)
        return [(o, counter[o]) for o in ORDER if counter[o]]

    @property
    def unexpected(self) -> int:
        return sum(not t.as_expected for t in self.tests)


@dataclasses.dataclass
class ReportModel:
    columns: list[Column]
    clauses: list[ClauseRow]
    configs: list[ConfigInfo]
    cells: dict[tuple[str, str], Cell]
    duplicates_dropped: int
    full_listing: bool
    generated: str

    @property
    def matrix_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.unavailable]

    @property
    def unavailable_columns(self) -> list[Column]:
        return [c for c in self.columns if c.unavailable]

    @property
    def test_count(self) -> int:
        return sum(len(c.tests) for c in self.columns)

    @property
    def suite_versions(self) -> list[str]:
        return sorted({str(c.header.get("suite_version", "?")) for c in self.columns})

    def cell(self, clause_id: str, column_key: str) -> Cell:
        return self.cells[(clause_id, column_key)]

    def listed(self, cell: Cell) -> list[tuple[TestResult, bool]]:
        """The tests a cell lists, each with whether its evidence is shown.

        Up to ``FULL_LISTING_LIMIT`` test records, every test with its evidence. Above,
        unexpected outcomes keep their evidence, other expected outcomes get one line,
        and expected passes are only counted (the page would grow past a browser's ease).
        """
        if self.full_listing:
            return [(t, True) for t in cell.tests]
        return [
            (t, not t.as_expected) for t in cell.tests if not (t.outcome is Outcome.PASS and t.as_expected)
        ]


def build_model(
    runs: list[LoadedRun], duplicates_dropped: int = 0, full_listing_limit: int = FULL_LISTING_LIMIT
) -> ReportModel:
    ordered = sorted(runs, key=lambda r: (r.run.adapter_name, str(r.run.header.get("started", ""))))
    columns = _columns(ordered)
    clauses = _clauses(ordered)
    configs = _configs(ordered)
    cells = {
        (clause.id, column.key): _cell(clause, column, configs) for clause in clauses for column in columns
    }
    total = sum(len(r.run.tests) for r in runs)
    return ReportModel(
        columns, clauses, configs, cells, duplicates_dropped, total <= full_listing_limit, now()
    )


# -- columns ---------------------------------------------------------------------------------


def _facts(header: dict[str, Any]) -> dict[str, Any]:
    return header["adapter"].get("facts") or {}


#: How two runs of the same adapter are told apart, in this order.
_DISCRIMINATORS: tuple[Callable[[dict[str, Any]], str], ...] = (
    lambda h: _joined(_facts(h).get("tls_library"), _facts(h).get("tls_library_version")),
    lambda h: _joined(_facts(h).get("library"), _facts(h).get("library_version")),
    lambda h: "Python " + str(h.get("python", "?")),
    lambda h: str(h.get("platform", "?")),
    lambda h: str(h.get("started", "?")).replace("T", " ")[:16],
)


def _columns(runs: list[LoadedRun]) -> list[Column]:
    by_name: dict[str, list[LoadedRun]] = collections.defaultdict(list)
    for loaded in runs:
        by_name[loaded.run.adapter_name].append(loaded)
    labels: dict[int, str] = {}
    for name, group in by_name.items():
        for loaded, label in zip(group, _labels(name, group)):
            labels[id(loaded)] = label
    slugs: set[str] = set()
    return [_column(loaded, labels[id(loaded)], slugs) for loaded in runs]


def _labels(name: str, group: list[LoadedRun]) -> list[str]:
    if len(group) == 1:
        return [name]
    parts: list[list[str]] = [[] for _ in group]
    for discriminator in _DISCRIMINATORS:
        values = [discriminator(loaded.run.header) for loaded in group]
        if len(set(values)) > 1:
            for part, value in zip(parts, values):
                part.append(value)
        if len({tuple(p) for p in parts}) == len(group):
            break
    labels = [" · ".join([name, *part]) for part in parts]
    if len(set(labels)) < len(labels):  # the same adapter, same environment, same minute
        labels = [f"{label} #{number}" for number, label in enumerate(labels, start=1)]
    return labels


def _column(loaded: LoadedRun, key: str, slugs: set[str]) -> Column:
    counts = collections.Counter(t.outcome for t in loaded.run.tests)
    return Column(
        key=key,
        slug=_slug(key, slugs),
        loaded=loaded,
        counts={o: counts[o] for o in ORDER},
        unexpected=sum(not t.as_expected for t in loaded.run.tests),
        expected_deviations=sum(
            t.as_expected and t.outcome not in (Outcome.PASS, Outcome.NOT_OBSERVABLE)
            for t in loaded.run.tests
        ),
    )


def _slug(label: str, taken: set[str]) -> str:
    base = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in label)
    base = "_".join(filter(None, base.split("_"))).strip(".") or "adapter"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


# -- rows -----------------------------------------------------------------------------------


def _newest_first(runs: list[LoadedRun]) -> list[LoadedRun]:
    return sorted(runs, key=lambda r: str(r.run.header.get("started", "")), reverse=True)


def _clauses(runs: list[LoadedRun]) -> list[ClauseRow]:
    rows: dict[str, ClauseRow] = {}
    for loaded in _newest_first(runs):
        for entry in loaded.run.header.get("catalogue") or []:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"] not in rows:
                rows[entry["id"]] = _clause_row(entry)
    for loaded in runs:
        for test in loaded.run.tests:
            for clause_id in test.clauses:
                if clause_id not in rows:
                    rows[clause_id] = ClauseRow(
                        clause_id,
                        "?",
                        "A clause that no catalogue in these runs describes.",
                        "?",
                        "",
                        (),
                        known=False,
                    )
    return list(rows.values())


def _clause_row(entry: dict[str, Any]) -> ClauseRow:
    return ClauseRow(
        id=entry["id"],
        section=str(entry.get("section", "")),
        summary=str(entry.get("summary", "")),
        documented_since=str(entry.get("documented_since", "")),
        note=str(entry.get("note", "")),
        configs=tuple(str(c) for c in entry.get("configs") or ()),
    )


def _configs(runs: list[LoadedRun]) -> list[ConfigInfo]:
    found: dict[str | None, ConfigInfo] = {}
    for loaded in _newest_first(runs):
        for entry in loaded.run.header.get("configs") or []:
            if isinstance(entry, dict) and isinstance(entry.get("id"), str) and entry["id"] not in found:
                description = str(entry.get("description", ""))
                found[entry["id"]] = ConfigInfo(entry["id"], config_label(entry["id"]), description)
    for loaded in runs:
        for test in loaded.run.tests:
            if test.config not in found:
                description = _UNDESCRIBED[test.config is None]
                found[test.config] = ConfigInfo(test.config, config_label(test.config), description)
    return list(found.values())


_UNDESCRIBED = {True: "tests that make no handshake", False: "a configuration no run header describes"}


# -- cells ----------------------------------------------------------------------------------


def _cell(clause: ClauseRow, column: Column, configs: list[ConfigInfo]) -> Cell:
    tests = [t for t in column.tests if clause.id in t.clauses]
    tests.sort(key=_cell_order(configs))
    wanted = set(clause.configs) | {t.config for t in tests}
    by_config = []
    for config in configs:
        if config.id in wanted:
            own = [t.outcome for t in tests if t.config == config.id]
            by_config.append((config, worst(own), len(own)))
    return Cell(clause, column, tests, by_config)


def _cell_order(configs: list[ConfigInfo]) -> Callable[[TestResult], tuple[Any, ...]]:
    position = {config.id: index for index, config in enumerate(configs)}
    # Unexpected outcomes first (what a reader looks for), then the worst, then by configuration.
    return lambda t: (t.as_expected, -STYLES[t.outcome].rank, position.get(t.config, 99), t.test_id)


def _joined(*parts: Any) -> str:
    return " ".join(str(p) for p in parts if p not in (None, ""))
