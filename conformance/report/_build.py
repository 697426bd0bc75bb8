"""Building the report model from runs as their records stream by: columns, clause rows, cells.

Design: a report never holds a run's records. ``ModelBuilder`` takes each test
record once (``add``), counts its outcome into its run's column and into the
cell of each of its clauses, and keeps a ``TestRef`` only for the tests a page
lists (every test up to ``FULL_LISTING_LIMIT`` records, above it all but the
expected passes); memory grows with the listed tests, not with the input.
``build_model`` feeds it runs already in memory.

A column is headed by its run's label; columns of one adapter stand
together, ordered by TLS library version. Runs of the same label from several
machines or dates stay separate columns (nothing is silently dropped); their
headings add the first environment fact that tells them apart, in the order
of ``_DISCRIMINATORS``. Each column gets its OpenSSL documentation level and
the clauses that level does not document (``_catalogue.documented_for``). The clause rows come from the catalogues in the run
headers (the newest run's text wins); a clause id that a test names but no
catalogue knows still gets a row, marked unknown.
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Callable
from typing import Any

import msgspec

from .._catalogue import documentation_level, documented_for, version_key
from .._outcomes import Outcome
from .._records import ClauseEntry, EvidenceRecord, FactsRecord, RunHeader, TestResult
from .._results import Run, Source, now
from ._model import (
    FULL_LISTING_LIMIT,
    UNEXPECTED_KEPT,
    Cell,
    ClauseRow,
    Column,
    ConfigInfo,
    ReportModel,
    TestRef,
    joined,
)
from ._verdicts import ORDER, STYLES, config_label, worst

__all__ = ["ModelBuilder", "RunDigest", "build_model"]

_PASS = Outcome.PASS
_QUIET_VALUES = (Outcome.PASS.value, Outcome.NOT_OBSERVABLE.value)


def build_model(
    runs: list[Run], duplicates_dropped: int = 0, full_listing_limit: int | None = None
) -> ReportModel:
    """The model of runs read whole (``load_runs``)."""
    builder = ModelBuilder(full_listing_limit)
    for run in runs:
        digest = builder.start(run)
        for test in run.tests:
            builder.add(digest, test)
    return builder.model(duplicates_dropped)


class _CellDigest:
    __slots__ = ("by_config", "kept", "unexpected")

    def __init__(self) -> None:
        #: Outcomes (by value) per configuration.
        self.by_config: dict[str | None, dict[str, int]] = {}
        self.unexpected = 0
        self.kept: list[TestRef] = []


class RunDigest:
    """What a report keeps of one run: its header and end, and its tests counted."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.count = 0
        #: How many tests had each (clauses, configuration, outcome value, as expected): the
        #: columns and cells are counted from these, once the run has been read.
        self.kinds: dict[tuple[tuple[str, ...], str | None, str, bool], int] = {}
        self.duration = 0.0
        #: The tests kept to be listed, by clause.
        self.kept: dict[str, list[TestRef]] = {}
        self.unexpected_tests: list[TestResult] = []

    @functools.cached_property
    def cells(self) -> dict[str, _CellDigest]:
        """The cell of each clause the run's tests name, in the order they first name it."""
        cells: dict[str, _CellDigest] = {}
        for (clauses, config, value, expected), count in self.kinds.items():
            for clause in clauses:
                cell = cells.get(clause)
                if cell is None:
                    cell = cells[clause] = _CellDigest()
                    cell.kept = self.kept.get(clause, [])
                own = cell.by_config.setdefault(config, {})
                own[value] = own.get(value, 0) + count
                if not expected:
                    cell.unexpected += count
        return cells

    @property
    def configs(self) -> dict[str | None, None]:
        """The configurations of the run's tests, in the order they first name them."""
        return {config: None for _, config, _, _ in self.kinds}

    @property
    def by_clauses(self) -> dict[tuple[str, ...], dict[str, int]]:
        """Outcomes (by value) per tuple of clauses (the score leaves out undocumented clauses)."""
        found: dict[tuple[str, ...], dict[str, int]] = {}
        for (clauses, _, value, _), count in self.kinds.items():
            own = found.setdefault(clauses, {})
            own[value] = own.get(value, 0) + count
        return found

    @property
    def unexpected(self) -> int:
        return sum(count for (_, _, _, expected), count in self.kinds.items() if not expected)

    @property
    def expected_deviations(self) -> int:
        return sum(
            count
            for (_, _, value, expected), count in self.kinds.items()
            if expected and value not in _QUIET_VALUES
        )


class ModelBuilder:
    """Takes runs and their test records one at a time; ``model`` makes the report model."""

    def __init__(self, full_listing_limit: int | None = None) -> None:
        self._limit = FULL_LISTING_LIMIT if full_listing_limit is None else full_listing_limit
        self._total = 0
        self._full_listing = True
        self._digests: list[RunDigest] = []

    def start(self, run: Run) -> RunDigest:
        digest = RunDigest(run)
        self._digests.append(digest)
        return digest

    def drop(self, digest: RunDigest) -> None:
        """Forget a run (read twice); the listing limit stays as it was decided."""
        self._digests.remove(digest)
        self._total -= digest.count

    def add(
        self,
        digest: RunDigest,
        test: TestResult,
        source: Source | None = None,
        offset: int = 0,
        size: int = 0,
    ) -> None:
        """Count a test; keep it if a page lists it (``source``, ``offset``, ``size``: where its
        line is, to read it back; none for a record that stays in memory)."""
        outcome = test.outcome
        expected = test.as_expected
        # Counted by value: hashing an Enum member runs Python code.
        key = (test.clauses, test.config, outcome._value_, expected)
        kinds = digest.kinds
        kinds[key] = kinds.get(key, 0) + 1
        digest.count += 1
        digest.duration += test.duration
        self._total += 1
        if not expected:
            if len(digest.unexpected_tests) < UNEXPECTED_KEPT:
                digest.unexpected_tests.append(msgspec.structs.replace(test, evidence=_NO_EVIDENCE))
        elif outcome is _PASS and not self._full_listing:
            return
        if self._full_listing and self._total > self._limit:
            self._stop_listing_expected_passes()
            if expected and outcome is _PASS:
                return
        ref = TestRef(test, source, offset, size)
        for clause in test.clauses:
            kept = digest.kept.get(clause)
            if kept is None:
                digest.kept[clause] = [ref]
            else:
                kept.append(ref)

    def _stop_listing_expected_passes(self) -> None:
        self._full_listing = False
        for digest in self._digests:
            for clause, kept in digest.kept.items():
                digest.kept[clause] = [t for t in kept if not (t.outcome is _PASS and t.as_expected)]

    def model(self, duplicates_dropped: int = 0) -> ReportModel:
        ordered = sorted(self._digests, key=lambda d: _column_order(d.run))
        clauses = _clauses(ordered)
        columns = _columns(ordered, clauses)
        configs = _configs(ordered)
        cells = {
            (clause.id, column.key): _cell(clause, column, digest, configs)
            for clause in clauses
            for column, digest in zip(columns, ordered)
        }
        return ReportModel(columns, clauses, configs, cells, duplicates_dropped, self._full_listing, now())


#: The summary lists unexpected outcomes without their evidence.
_NO_EVIDENCE = EvidenceRecord()


# -- columns ---------------------------------------------------------------------------------


def _facts(header: RunHeader) -> FactsRecord:
    return header.adapter.facts


#: How two runs of the same adapter are told apart, in this order.
_DISCRIMINATORS: tuple[Callable[[RunHeader], str], ...] = (
    lambda h: joined(_facts(h).tls_library, _facts(h).tls_library_version),
    lambda h: joined(_facts(h).library, _facts(h).library_version),
    lambda h: "Python " + (h.python or "?"),
    lambda h: h.platform or "?",
    lambda h: (h.started or "?").replace("T", " ")[:16],
)


def _column_order(run: Run) -> tuple[Any, ...]:
    """Columns of one adapter together, by TLS library version, then label and start."""
    version = version_key(_facts(run.header).tls_library_version)
    return (run.adapter_name, version, run.label, run.header.started)


def _columns(digests: list[RunDigest], clauses: list[ClauseRow]) -> list[Column]:
    runs = [digest.run for digest in digests]
    by_label: dict[str, list[Run]] = collections.defaultdict(list)
    for run in runs:
        by_label[run.label].append(run)
    labels: dict[int, str] = {}
    for name, group in by_label.items():
        for run, label in zip(group, _labels(name, group)):
            labels[id(run)] = label
    slugs: set[str] = set()
    return [_column(digest, labels[id(digest.run)], slugs, clauses) for digest in digests]


def _labels(name: str, group: list[Run]) -> list[str]:
    if len(group) == 1:
        return [name]
    parts: list[list[str]] = [[] for _ in group]
    for discriminator in _DISCRIMINATORS:
        values = [discriminator(run.header) for run in group]
        if len(set(values)) > 1:
            for part, value in zip(parts, values):
                part.append(value)
        if len({tuple(p) for p in parts}) == len(group):
            break
    labels = [" · ".join([name, *part]) for part in parts]
    if len(set(labels)) < len(labels):  # the same adapter, same environment, same minute
        labels = [f"{label} #{number}" for number, label in enumerate(labels, start=1)]
    return labels


def _column(digest: RunDigest, key: str, slugs: set[str], clauses: list[ClauseRow]) -> Column:
    run = digest.run
    level = documentation_level(msgspec.structs.asdict(_facts(run.header)))
    undocumented = frozenset(c.id for c in clauses if not documented_for(c.documented_since, level))
    counts: collections.Counter[str] = collections.Counter()
    scored: collections.Counter[str] = collections.Counter()
    for clause_ids, outcomes in digest.by_clauses.items():
        counts.update(outcomes)
        if not clause_ids or not undocumented.issuperset(clause_ids):
            scored.update(outcomes)
    return Column(
        key=key,
        slug=_slug(key, slugs),
        run=run,
        counts={o: counts[o.value] for o in ORDER},
        unexpected=digest.unexpected,
        expected_deviations=digest.expected_deviations,
        documentation=level,
        undocumented=undocumented,
        scored_counts={o: scored[o.value] for o in ORDER},
        unexpected_tests=digest.unexpected_tests,
        duration=digest.duration,
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


def _newest_first(digests: list[RunDigest]) -> list[Run]:
    return sorted((d.run for d in digests), key=lambda r: r.header.started, reverse=True)


def _clauses(digests: list[RunDigest]) -> list[ClauseRow]:
    rows: dict[str, ClauseRow] = {}
    for run in _newest_first(digests):
        for entry in run.header.catalogue:
            if entry.id not in rows:
                rows[entry.id] = _clause_row(entry)
    for digest in digests:
        for clause_id in digest.cells:  # in the order the run's tests name them
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


def _clause_row(entry: ClauseEntry) -> ClauseRow:
    return ClauseRow(
        id=entry.id,
        section=entry.section,
        summary=entry.summary,
        documented_since=entry.documented_since,
        note=entry.note,
        configs=tuple(entry.configs),
    )


def _configs(digests: list[RunDigest]) -> list[ConfigInfo]:
    found: dict[str | None, ConfigInfo] = {}
    for run in _newest_first(digests):
        for entry in run.header.configs:
            if entry.id not in found:
                found[entry.id] = ConfigInfo(entry.id, config_label(entry.id), entry.description)
    for digest in digests:
        for config in digest.configs:  # in the order the run's tests name them
            if config not in found:
                description = _UNDESCRIBED[config is None]
                found[config] = ConfigInfo(config, config_label(config), description)
    return list(found.values())


_UNDESCRIBED = {True: "tests that make no handshake", False: "a configuration no run header describes"}


# -- cells ----------------------------------------------------------------------------------


def _cell(clause: ClauseRow, column: Column, digest: RunDigest, configs: list[ConfigInfo]) -> Cell:
    own = digest.cells.get(clause.id)
    if own is None:
        return Cell(clause, column, [], [(c, None, 0) for c in configs if c.id in clause.configs])
    tests = sorted(own.kept, key=_cell_order(configs))
    wanted = set(clause.configs) | set(own.by_config)
    by_config = []
    counts: collections.Counter[str] = collections.Counter()
    for config in configs:
        if config.id in wanted:
            outcomes = own.by_config.get(config.id, {})
            counts.update(outcomes)
            by_config.append((config, worst(map(Outcome, outcomes)), sum(outcomes.values())))
    return Cell(
        clause,
        column,
        tests,
        by_config,
        {o: counts[o.value] for o in ORDER if counts[o.value]},
        own.unexpected,
    )


def _cell_order(configs: list[ConfigInfo]) -> Callable[[TestRef], tuple[Any, ...]]:
    position = {config.id: index for index, config in enumerate(configs)}
    # Unexpected outcomes first (what a reader looks for), then the worst, then by configuration.
    return lambda t: (t.as_expected, -STYLES[t.outcome].rank, position.get(t.config, 99), t.test_id)
