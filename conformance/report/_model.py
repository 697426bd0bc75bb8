"""The report model: runs as columns, clauses as rows, a cell of tests at each crossing.

Design: every output (HTML, Markdown, JUnit) renders this one model, so they
agree; the renderers read it and never each other. ``_build`` makes it from the
loaded runs. A column is one run of one adapter, headed by the run's label (the
adapter name, plus the library version when a build was given, or
``--label``); a run whose adapter was unavailable is listed with its reason
but has no column. A cell shows the worst outcome of its tests (ranks in
``_verdicts``), the worst per protocol configuration, and what it rests on
("6 of 9 pass, 3 not-observable"): a cell with gaps is partial, never a bare
pass. The score is pass / judged, judged being every outcome but
not-observable and error (a refusal of a documented call, a crash or a
timeout counts against the library). What a renderer shows of a test's
evidence is the test's own typed record (``test.expected``, ``test.evidence``);
an extra section (the kill matrix) comes as a ``ReportSection``. Runs, headers,
end records and tests are the typed records of ``conformance._records``
(validated when read): renderers read attributes, never keys.

Version-aware verdicts: a run is judged by the OpenSSL man pages of its
documentation level (``_catalogue.documentation_level``: OpenSSL's own
version, or what another library's adapter says it aims at). A clause
documented only by newer pages keeps its cell and outcome, marked "not
documented for this version"; its tests stay out of the column's score.
``build_groups`` gives, for an adapter run on several builds, only the
clauses whose cells differ.
"""

from __future__ import annotations

import collections
import dataclasses
from typing import Any

from markupsafe import Markup

from .._capabilities import Capability
from .._needs_table import BATTERY_NEEDS
from .._outcomes import Outcome
from .._records import FactsRecord, MappingEntry, RunHeader, StaleExpectation, TestResult
from .._results import Run, Source
from ._verdicts import ORDER, STYLES, worst

__all__ = [
    "FULL_LISTING_LIMIT",
    "UNEXPECTED_KEPT",
    "BuildGroup",
    "CapabilityRow",
    "Cell",
    "ClauseRow",
    "Column",
    "ConfigInfo",
    "ReportModel",
    "ReportSection",
    "TestRef",
    "joined",
    "judged",
    "score",
]

#: Above this many test records the page lists less (see ``ReportModel.listed``), so that
#: it stays usable: 100 adapters x 1,000 tests with every evidence would be ~200 MB.
FULL_LISTING_LIMIT = 10_000
#: Unexpected outcomes a column keeps whole for the summary (which lists the first 50).
UNEXPECTED_KEPT = 50


@dataclasses.dataclass
class Column:
    """One run of one adapter."""

    key: str
    slug: str
    run: Run
    counts: dict[Outcome, int]
    unexpected: int
    expected_deviations: int
    #: The OpenSSL man pages the run is judged by ("" for the newest).
    documentation: str = ""
    #: Clauses those pages do not document: shown, but left out of the score.
    undocumented: frozenset[str] = frozenset()
    #: The outcomes that enter the score (those of documented clauses).
    scored_counts: dict[Outcome, int] = dataclasses.field(default_factory=dict)
    #: The first unexpected outcomes of the run (up to ``UNEXPECTED_KEPT``), in run order.
    unexpected_tests: list[TestResult] = dataclasses.field(default_factory=list)
    #: The time its tests took, in seconds.
    duration: float = 0.0

    @property
    def name(self) -> str:
        return self.run.adapter_name

    @property
    def label(self) -> str:
        return self.run.label

    @property
    def unscored(self) -> int:
        """Tests left out of the score: their clauses are not documented for this version."""
        return sum(self.counts.values()) - sum(self.scored_counts.values())

    @property
    def header(self) -> RunHeader:
        return self.run.header

    @property
    def facts(self) -> FactsRecord:
        return self.header.adapter.facts

    @property
    def complete(self) -> bool:
        return self.run.complete

    @property
    def unavailable(self) -> str:
        return self.header.adapter.unavailable

    @property
    def partial_selection(self) -> bool:
        return self.run.partial_selection

    @property
    def stale_expectations(self) -> list[StaleExpectation]:
        return self.run.end.stale_expectations if self.run.end else []

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def judged(self) -> int:
        """The scored tests whose outcome speaks of the library (all but not-observable and error)."""
        return judged(self.scored_counts or self.counts)

    @property
    def score(self) -> float | None:
        """pass / judged over the documented clauses: refused, crash and timeout count against the
        library; None if nothing was judged."""
        return score(self.scored_counts or self.counts)

    @property
    def library(self) -> str:
        return joined(self.facts.library, self.facts.library_version)

    @property
    def tls_library(self) -> str:
        return joined(self.facts.tls_library, self.facts.tls_library_version)

    @property
    def started(self) -> str:
        return self.header.started

    @property
    def finished(self) -> str:
        return self.run.end.finished if self.run.end else ""

    @property
    def python(self) -> str:
        return joined(self.header.python_implementation, self.header.python)

    @property
    def notes(self) -> list[str]:
        return self.facts.notes

    def mapping(self, clause_id: str) -> MappingEntry | None:
        """The adapter's mapping of a clause onto its library's call, if any."""
        return next((entry for entry in self.facts.mapping if entry.clause == clause_id), None)

    @property
    def status(self) -> str:
        """One word for the run: unavailable, partial, complete, or how it ended early
        (interrupted, stopped-early, crashed; lost when it has no end record)."""
        if self.unavailable:
            return "unavailable"
        if not self.complete:
            return self.run.state
        return "partial" if self.partial_selection else "complete"

    @property
    def state_text(self) -> str:
        """How the run ended, for people (``Run.describe_state``)."""
        return self.run.describe_state()


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


class TestRef:
    """A test of a cell: what the matrix needs of it, and its whole record when a renderer asks.

    A report keeps only these; the record itself (evidence and all) is read back from its
    results file (``Source``) when the page shows it, so memory does not grow with evidence.
    """

    __slots__ = ("_offset", "_size", "_source", "_test", "as_expected", "config", "outcome", "test_id")

    def __init__(
        self, test: TestResult, source: Source | None = None, offset: int = 0, size: int = 0
    ) -> None:
        self.test_id = test.test_id
        self.outcome = test.outcome
        self.as_expected = test.as_expected
        self.config = test.config
        self._source, self._offset, self._size = source, offset, size
        self._test = None if source else test

    @property
    def test(self) -> TestResult:
        """The whole record, read back from its file if it was not kept."""
        if self._source is None:
            assert self._test is not None
            return self._test
        return self._source.test(self._offset, self._size, self.test_id)


@dataclasses.dataclass
class Cell:
    """The tests of one clause in one run: their outcomes counted, and those a page lists."""

    clause: ClauseRow
    column: Column
    #: The tests kept to be listed, worst first: every one up to the listing limit, above it
    #: all but the expected passes (``ReportModel.listed``).
    tests: list[TestRef]
    #: (configuration, its worst outcome or None when it has no tests, number of tests)
    by_config: list[tuple[ConfigInfo, Outcome | None, int]]
    #: How many tests had each outcome.
    outcome_counts: dict[Outcome, int] = dataclasses.field(default_factory=dict)
    unexpected: int = 0

    @property
    def total(self) -> int:
        return sum(self.outcome_counts.values())

    @property
    def worst(self) -> Outcome | None:
        return worst(o for o, n in self.outcome_counts.items() if n)

    @property
    def documented(self) -> bool:
        """False when the column's OpenSSL man pages do not document this clause."""
        return self.clause.id not in self.column.undocumented

    @property
    def outcomes(self) -> list[Outcome]:
        return [o for o in ORDER if self.outcome_counts.get(o)]

    @property
    def counts(self) -> list[tuple[Outcome, int]]:
        return [(o, self.outcome_counts[o]) for o in ORDER if self.outcome_counts.get(o)]

    @property
    def passed(self) -> int:
        return self.outcome_counts.get(Outcome.PASS, 0)

    @property
    def partial(self) -> bool:
        """Some tests behind the cell judged nothing (not-observable or error): never a bare verdict."""
        return any(n and not o.is_library_verdict for o, n in self.outcome_counts.items())

    @property
    def tally(self) -> str:
        """What the cell rests on: "6 of 9 pass, 3 not-observable"."""
        others = [f"{n} {STYLES[o].label}" for o, n in self.counts if o is not Outcome.PASS]
        return ", ".join([f"{self.passed} of {self.total} pass", *others])


def judged(counts: dict[Outcome, int]) -> int:
    """How many outcomes speak of the library: every one but not-observable and error."""
    return sum(n for outcome, n in counts.items() if outcome.is_library_verdict)


def score(counts: dict[Outcome, int]) -> float | None:
    """The conformance score: pass / judged (None when nothing was judged)."""
    judged_count = judged(counts)
    return counts.get(Outcome.PASS, 0) / judged_count if judged_count else None


@dataclasses.dataclass(frozen=True)
class BuildGroup:
    """The columns of one adapter (several builds or versions) and the clauses where they differ."""

    name: str
    columns: list[Column]
    differing: list[ClauseRow]


def _cell_face(cell: Cell) -> tuple[Any, ...]:
    """What a reader compares between two cells: the worst outcome, overall and per configuration."""
    return (cell.worst, tuple((config.id, outcome) for config, outcome, _ in cell.by_config))


@dataclasses.dataclass(frozen=True)
class CapabilityRow:
    """A capability as the legend shows it: the tests (of this suite) behind it, the runs that have it."""

    id: str
    meaning: str
    tests: list[str]
    declared_by: list[str]


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
        return sum(c.total for c in self.columns)

    @property
    def suite_versions(self) -> list[str]:
        return sorted({c.header.suite_version or "?" for c in self.columns})

    def cell(self, clause_id: str, column_key: str) -> Cell:
        return self.cells[(clause_id, column_key)]

    @property
    def capability_rows(self) -> list[CapabilityRow]:
        """Each capability: its meaning, the battery tests that declare a need of it (``_needs_table``,
        as the battery's marks say), who declares it."""
        return [
            CapabilityRow(
                capability.value,
                capability.meaning,
                list(BATTERY_NEEDS.get(capability.value, ())),
                [c.key for c in self.matrix_columns if capability.value in c.header.adapter.capabilities],
            )
            for capability in Capability
        ]

    @property
    def build_groups(self) -> list[BuildGroup]:
        """Each adapter with several columns (builds, versions), and the clauses whose cells differ."""
        by_name: dict[str, list[Column]] = collections.defaultdict(list)
        for column in self.matrix_columns:
            by_name[column.name].append(column)
        groups = []
        for name, columns in by_name.items():
            if len(columns) < 2:
                continue
            differing = [
                clause
                for clause in self.clauses
                if len({_cell_face(self.cell(clause.id, c.key)) for c in columns}) > 1
            ]
            groups.append(BuildGroup(name, columns, differing))
        return groups

    def listed(self, cell: Cell) -> list[tuple[TestRef, bool]]:
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


@dataclasses.dataclass(frozen=True)
class ReportSection:
    """An extra section of the report, after the matrix (for example the kill matrix).

    ``html`` is inserted as markup: make it with ``render_section``, which escapes
    every value. ``markdown`` (optional) is appended to summary.md as it is.
    """

    id: str
    title: str
    html: Markup
    markdown: str = ""


def joined(*parts: Any) -> str:
    return " ".join(str(p) for p in parts if p not in (None, ""))
