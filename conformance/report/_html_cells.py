"""The cells of the page's matrix and the tests they list (one line each, or the whole evidence).

Design: a large report has thousands of cells and lists thousands of tests,
and Jinja2 macro calls and attribute lookups for each were most of the page's
rendering time; these functions write the same markup with f-strings. Every value from a results
file goes through ``escape`` (markupsafe's, the one Jinja2's autoescape
uses); nothing else is inserted. The whitespace is the one the template's
macros gave (``trim_blocks`` and ``lstrip_blocks``), so pages stay byte for
byte what they were.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import markupsafe
from markupsafe import Markup

from .._outcomes import Outcome
from .._records import TestResult
from ._evidence_view import reproduce_command
from ._model import Cell, ClauseRow, Column, ReportModel
from ._verdicts import STYLES, config_label

__all__ = ["matrix_cell"]

_SPECIAL = re.compile("[&<>'\"]").search


def escape(value: Any) -> str:
    """``markupsafe.escape`` as text, without its cost for text that holds nothing to escape."""
    text = value if type(value) is str else str(value)
    return str(markupsafe.escape(text)) if _SPECIAL(text) else text


#: The badge of each outcome (as the template's ``badge`` macro draws it).
_BADGES = {
    o: f'<span class="badge {s.css}"><span class="sym" aria-hidden="true">{escape(s.symbol)}</span> '
    f"{escape(s.label)}</span>"
    for o, s in STYLES.items()
}

_REPRODUCER_NOTE = (
    '<span class="muted">writes one standalone program (C for the C-API adapters, else Python) that '
    "replays this test against the library alone and prints expected vs observed; for the library's "
    "bug tracker</span>"
)


def matrix_cell(model: ReportModel, clause: ClauseRow, column: Column) -> Iterator[Markup]:
    """The ``<td>`` of a clause and a column (its verdict, tally and chips; open, its tests), in
    pieces: a cell may list thousands of tests, and the page is written as it is rendered."""
    cell = model.cell(clause.id, column.key)
    key = escape(column.key)
    if not cell.total:
        yield Markup(
            f'        <td class="cell o-none" data-adapter="{key}" data-outcomes="" data-unexpected="0">'
            '<span class="verdict">– no tests</span></td>\n'
        )
        return
    worst = cell.worst
    assert worst is not None
    style = STYLES[worst]
    partial = cell.partial
    classes = style.css + ("" if cell.documented else " undocumented") + (" partial" if partial else "")
    outcomes = "".join(f"{escape(o.value)} " for o in cell.outcomes)
    undocumented = (
        ""
        if cell.documented
        else f'<span class="tag neutral" title="the OpenSSL {escape(column.documentation)} man pages do not '
        f"document {escape(clause.id)} (documented since {escape(clause.documented_since)}): shown, not "
        'scored">not documented for this version</span>'
    )
    if cell.unexpected:
        verdict = f" · <strong>{cell.unexpected} unexpected</strong>"
    elif worst not in (Outcome.PASS, Outcome.NOT_OBSERVABLE):
        verdict = " · as expected"
    else:
        verdict = ""
    counts = ", ".join(f"{n} {escape(STYLES[o].label)}" for o, n in cell.counts)
    mapped = column.mapping(clause.id)
    mapping = (
        f'<p class="cell-mapping">Called for this clause: <code>{escape(mapped.call)}</code>. '
        f"{escape(mapped.meaning)}</p>"
        if mapped
        else ""
    )
    listed = model.listed(cell)
    unlisted = (
        f'              <p class="muted">{escape(_plural(cell.total - len(listed), "test"))} passed as expected '
        "(not listed at this scale; see merged.json).</p>\n"
        if len(listed) < cell.total
        else ""
    )
    yield Markup(
        f'        <td class="cell {classes}" data-adapter="{key}" data-outcomes="{outcomes}" '
        f'data-unexpected="{cell.unexpected}">\n'
        "          <details>\n"
        "            <summary>\n"
        f'              <span class="verdict"><span class="sym" aria-hidden="true">{escape(style.symbol)}</span> '
        f"{escape(style.label)}{_PARTIAL_TAG if partial else ''}</span>\n"
        f"{undocumented}"
        f'              <span class="count">{escape(cell.tally)}{verdict}</span>\n'
        f'              <span class="chips">{_chips(cell)}</span>\n'
        "            </summary>\n"
        '            <div class="cell-body">\n'
        f'              <p class="cell-title"><code>{escape(clause.id)}</code> in <strong>{key}</strong>:\n'
        f"{counts}</p>\n"
        f"{mapping}"
    )
    origin = column.run.origin
    for ref, full in listed:
        yield Markup(_details(ref.test, origin) if full else _line(ref.test, origin))
    yield Markup(f"{unlisted}            </div>\n          </details>\n        </td>\n")


_PARTIAL_TAG = ' <span class="partial-tag">partial</span>'


def _chips(cell: Cell) -> str:
    chips = []
    for config, outcome, count in cell.by_config:
        where = escape(config.id or "no handshake")
        label = escape(config.label)
        if outcome:
            style = STYLES[outcome]
            chips.append(
                f'<span class="chip {style.css}" title="{where}: {escape(style.label)} '
                f'({escape(_plural(count, "test"))})">{label} <span aria-hidden="true">{escape(style.symbol)}'
                f'</span><span class="sr"> {escape(style.label)}</span></span>'
            )
        else:
            chips.append(f'<span class="chip o-none" title="{where}: no tests">{label} –</span>')
    return "".join(chips)


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _expectation(test: TestResult) -> str:
    if not test.as_expected:
        return '<span class="tag unexpected">unexpected</span>'
    if test.outcome is Outcome.PASS:
        return '<span class="tag ok">as expected</span>\n'
    if test.outcome is Outcome.NOT_OBSERVABLE:
        return '<span class="tag neutral">not a deviation</span>\n'
    return '<span class="tag known">expected deviation</span>'


def _line(test: TestResult, origin: str) -> str:
    style = STYLES[test.outcome]
    repro = reproduce_command(test, origin)
    reproducer = (
        f'<span class="reproducer">reproducer: <code class="rerun">{escape(repro)}</code></span>'
        if repro
        else ""
    )
    return (
        f'<div class="test-line {style.css}" data-outcome="{escape(test.outcome.value)}">'
        f"{_BADGES[test.outcome]}\n"
        f'  <span class="title">{escape(test.title or test.test_id)}</span> '
        f'<span class="cfg">{escape(config_label(test.config))}</span>\n'
        f'  {_expectation(test)} <span class="why">{escape(test.reason or test.expectation_reason)}</span>\n'
        f"{reproducer}</div>\n"
    )


def _details(test: TestResult, origin: str) -> str:
    style = STYLES[test.outcome]
    expectation = _expectation(test)
    clauses = ", ".join(f"<code>{escape(c)}</code>" for c in test.clauses)
    parts = [
        f'<details class="test {style.css}" data-outcome="{escape(test.outcome.value)}">\n'
        f'  <summary>{_BADGES[test.outcome]} <span class="title">{escape(test.title or test.test_id)}</span>\n'
        f'    <span class="cfg">{escape(config_label(test.config))}</span> {expectation}</summary>\n'
        '  <div class="test-body">\n'
        '    <dl class="facts">\n'
        f"      <dt>Test</dt><dd><code>{escape(test.test_id)}</code></dd>\n"
        f"      <dt>Clauses</dt><dd>{clauses}</dd>\n"
        f"      <dt>Configuration</dt><dd>{escape(test.config or 'none (no handshake)')}</dd>\n"
        f"      <dt>Outcome</dt><dd>{_BADGES[test.outcome]} {expectation}</dd>\n"
    ]
    if test.expected_outcome is not Outcome.PASS or test.expectation_reason:
        parts.append(
            f"      <dt>Expectation</dt><dd>{_BADGES[test.expected_outcome]} "
            f"{escape(test.expectation_reason)}\n{_link(test.expectation_link)}</dd>\n"
        )
    if test.reason:
        parts.append(f'<dt>Reason</dt><dd><pre class="reason">{escape(test.reason)}</pre></dd>')
    if test.expected is not None or test.observed is not None:
        parts.append(
            f'      <dt>Expected</dt><dd class="exp">{escape(test.expected)}</dd>\n'
            f'      <dt>Observed</dt><dd class="obs">{escape(test.observed)}</dd>\n'
        )
    parts.append(f"      <dt>Duration</dt><dd>{_duration(test.duration)}</dd>\n")
    if test.rerun:
        parts.append(f'<dt>Rerun</dt><dd><code class="rerun">{escape(test.rerun)}</code></dd>')
    repro = reproduce_command(test, origin)
    if repro:
        parts.append(
            f'<dt>Reproducer</dt><dd class="reproducer"><code class="rerun">{escape(repro)}</code>\n'
            f"        {_REPRODUCER_NOTE}</dd>"
        )
    parts.append("    </dl>\n")
    evidence = test.evidence
    if evidence.checks:
        parts.append(
            '    <table class="checks">\n'
            "      <thead><tr><th>Check</th><th>Expected</th><th>Observed</th><th>Holds</th></tr></thead>\n"
            "      <tbody>\n"
        )
        for c in evidence.checks:
            holds = "yes" if c.ok else "no"
            parts.append(
                f'        <tr class="check-{holds}"><td>{escape(c.what)}</td><td>{escape(c.expected)}</td>'
                f"<td>{escape(c.observed)}</td><td>{holds}</td></tr>\n"
            )
        parts.append("      </tbody>\n    </table>\n")
    if evidence.steps:
        steps = "".join(f"<li>{escape(step)}</li>" for step in evidence.steps)
        parts.append(f'    <div class="steps"><h5>Steps</h5><ol>{steps}</ol></div>\n')
    for note in evidence.notes:
        parts.append(f'<h5>Note</h5><pre class="note">{escape(note)}</pre>')
    parts.append("  </div>\n</details>\n")
    return "".join(parts)


def _link(link: str) -> str:
    if isinstance(link, str) and link.lower().startswith(("https://", "http://")):
        return f' <a href="{escape(link)}" rel="noopener noreferrer">{escape(link)}</a>'
    return f" ({escape(link)})" if link else ""


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"
