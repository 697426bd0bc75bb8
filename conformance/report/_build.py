"""Building the report model from loaded runs: columns, clause rows, configurations, cells.

Design: a column is headed by its run's label; columns of one adapter stand
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
from collections.abc import Callable
from typing import Any

import msgspec

from .._catalogue import documentation_level, documented_for, version_key
from .._outcomes import Outcome
from .._records import ClauseEntry, FactsRecord, RunHeader, TestResult
from .._results import Run, now
from ._model import FULL_LISTING_LIMIT, Cell, ClauseRow, Column, ConfigInfo, ReportModel, joined
from ._verdicts import ORDER, STYLES, config_label, worst

__all__ = ["build_model"]


def build_model(
    runs: list[Run], duplicates_dropped: int = 0, full_listing_limit: int = FULL_LISTING_LIMIT
) -> ReportModel:
    ordered = sorted(runs, key=_column_order)
    clauses = _clauses(ordered)
    columns = _columns(ordered, clauses)
    configs = _configs(ordered)
    cells = {
        (clause.id, column.key): _cell(clause, column, configs) for clause in clauses for column in columns
    }
    total = sum(len(r.tests) for r in runs)
    return ReportModel(
        columns, clauses, configs, cells, duplicates_dropped, total <= full_listing_limit, now()
    )


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


def _columns(runs: list[Run], clauses: list[ClauseRow]) -> list[Column]:
    by_label: dict[str, list[Run]] = collections.defaultdict(list)
    for run in runs:
        by_label[run.label].append(run)
    labels: dict[int, str] = {}
    for name, group in by_label.items():
        for run, label in zip(group, _labels(name, group)):
            labels[id(run)] = label
    slugs: set[str] = set()
    return [_column(run, labels[id(run)], slugs, clauses) for run in runs]


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


def _column(run: Run, key: str, slugs: set[str], clauses: list[ClauseRow]) -> Column:
    counts = collections.Counter(t.outcome for t in run.tests)
    level = documentation_level(msgspec.structs.asdict(_facts(run.header)))
    undocumented = frozenset(c.id for c in clauses if not documented_for(c.documented_since, level))
    scored = collections.Counter(
        t.outcome for t in run.tests if not t.clauses or not undocumented.issuperset(t.clauses)
    )
    return Column(
        key=key,
        slug=_slug(key, slugs),
        run=run,
        counts={o: counts[o] for o in ORDER},
        unexpected=sum(not t.as_expected for t in run.tests),
        expected_deviations=sum(
            t.as_expected and t.outcome not in (Outcome.PASS, Outcome.NOT_OBSERVABLE) for t in run.tests
        ),
        documentation=level,
        undocumented=undocumented,
        scored_counts={o: scored[o] for o in ORDER},
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


def _newest_first(runs: list[Run]) -> list[Run]:
    return sorted(runs, key=lambda r: r.header.started, reverse=True)


def _clauses(runs: list[Run]) -> list[ClauseRow]:
    rows: dict[str, ClauseRow] = {}
    for run in _newest_first(runs):
        for entry in run.header.catalogue:
            if entry.id not in rows:
                rows[entry.id] = _clause_row(entry)
    for run in runs:
        for test in run.tests:
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


def _clause_row(entry: ClauseEntry) -> ClauseRow:
    return ClauseRow(
        id=entry.id,
        section=entry.section,
        summary=entry.summary,
        documented_since=entry.documented_since,
        note=entry.note,
        configs=tuple(entry.configs),
    )


def _configs(runs: list[Run]) -> list[ConfigInfo]:
    found: dict[str | None, ConfigInfo] = {}
    for run in _newest_first(runs):
        for entry in run.header.configs:
            if entry.id not in found:
                found[entry.id] = ConfigInfo(entry.id, config_label(entry.id), entry.description)
    for run in runs:
        for test in run.tests:
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
